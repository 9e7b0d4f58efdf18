// Kernel: a search handler fans a query out to three index shards, one
// goroutine per shard, each sending its outcome on an unbuffered channel
// made in the handler. The handler returns on the first error, so the
// shards that answer after it left block in their sends forever.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

// Shard simulates one index shard: a failing shard errors at once, a
// healthy one answers once gate is closed.
type Shard struct {
	name string
	down bool
	gate chan struct{}
}

func (s *Shard) Query(q string) ([]string, error) {
	if s.down {
		return nil, fmt.Errorf("shard %s: connection refused", s.name)
	}
	<-s.gate
	return []string{s.name + "/" + q}, nil
}

type shardResult struct {
	hits []string
	err  error
}

type Searcher struct {
	shards []*Shard
}

func (s *Searcher) Search(q string) ([]string, error) {
	results := make(chan shardResult)
	for _, sh := range s.shards {
		go func(sh *Shard) {
			hits, err := sh.Query(q)
			results <- shardResult{hits, err} // BUG
		}(sh)
	}
	var all []string
	for range s.shards {
		r := <-results
		if r.err != nil {
			return nil, r.err
		}
		all = append(all, r.hits...)
	}
	return all, nil
}

func main() {
	log.SetFlags(0)
	gate := make(chan struct{})
	searcher := &Searcher{shards: []*Shard{
		{name: "idx-0", gate: gate},
		{name: "idx-1", down: true, gate: gate},
		{name: "idx-2", gate: gate},
	}}

	var handled sync.WaitGroup
	handled.Add(1)
	go func() {
		defer handled.Done()
		if _, err := searcher.Search("golang"); err != nil {
			log.Printf("GET /search?q=golang: %v", err)
		}
	}()

	// The healthy shards answer only after the handler has returned.
	handled.Wait()
	close(gate)

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
