// Kernel: a CSV import handler starts a writer goroutine that ranges over
// a rows channel and commits the batch when the channel is closed. The
// handler sends every row and returns without closing the channel, so the
// writer never commits and waits in its range forever.
package main

import (
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

type Row struct {
	SKU   string
	Price string
}

// Store collects committed batches, as a database client would.
type Store struct {
	mu      sync.Mutex
	batches [][]Row
}

func (s *Store) Commit(rows []Row) {
	s.mu.Lock()
	s.batches = append(s.batches, rows)
	s.mu.Unlock()
}

type Importer struct {
	store *Store
}

// writeRows buffers rows until the channel is closed, then commits them.
func (im *Importer) writeRows(rows <-chan Row) {
	var batch []Row
	for r := range rows { // BUG
		batch = append(batch, r)
	}
	im.store.Commit(batch)
	log.Printf("import committed: %d rows", len(batch))
}

func (im *Importer) Import(csv string) int {
	rows := make(chan Row)
	go im.writeRows(rows)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		f := strings.Split(line, ",")
		if len(f) != 2 {
			continue
		}
		rows <- Row{SKU: f[0], Price: f[1]}
		n++
	}
	return n
}

func main() {
	log.SetFlags(0)
	im := &Importer{store: &Store{}}

	var handled sync.WaitGroup
	handled.Add(1)
	go func() {
		defer handled.Done()
		n := im.Import("sku-1,9.99\nsku-2,4.50\nsku-3,12.00\n")
		log.Printf("POST /import: %d rows accepted", n)
	}()
	handled.Wait()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
