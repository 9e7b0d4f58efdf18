// Kernel: a metrics exporter buffers samples and hands each batch to an
// uploader goroutine over an unbuffered channel. Flush keeps e.mu held
// while it sends. The uploader stops after its quota of batches, so the
// next Flush blocks in the send with the lock held, and every request
// handler that records a sample queues on e.mu.
package main

import (
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type Sample struct {
	Name  string
	Value float64
}

type Exporter struct {
	mu      sync.Mutex
	pending []Sample
	out     chan []Sample // read by the uploader

	// onFlush is an observability hook, called by Flush with the batch size.
	onFlush func(n int)
}

func (e *Exporter) Record(s Sample) {
	e.mu.Lock() // CONSEQUENCE
	e.pending = append(e.pending, s)
	e.mu.Unlock()
}

func (e *Exporter) Flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	batch := e.pending
	e.pending = nil
	if e.onFlush != nil {
		e.onFlush(len(batch))
	}
	e.out <- batch // BUG
}

// upload ships batches until it has sent maxBatches, then returns.
func upload(e *Exporter, maxBatches int) {
	sent := 0
	for batch := range e.out {
		log.Printf("uploaded %d samples", len(batch))
		sent++
		if sent == maxBatches {
			return
		}
	}
}

func main() {
	log.SetFlags(0)
	flushes := 0
	secondFlush := make(chan struct{})
	e := &Exporter{out: make(chan []Sample)}
	e.onFlush = func(n int) {
		flushes++
		if flushes == 2 {
			close(secondFlush)
		}
	}

	var uploaderDone sync.WaitGroup
	uploaderDone.Add(1)
	go func() {
		defer uploaderDone.Done()
		upload(e, 1)
	}()

	// Periodic flusher.
	go func() {
		e.Record(Sample{"http_requests", 12})
		e.Flush()
		uploaderDone.Wait()
		e.Record(Sample{"http_requests", 7})
		e.Flush()
	}()

	// A request handler that records its latency during the second flush.
	go func() {
		<-secondFlush
		e.Record(Sample{"latency_ms", 41})
		log.Printf("latency recorded")
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
