// Kernel: a metrics exporter buffers samples and hands each batch to an
// uploader goroutine. Flush takes the batch under e.mu, releases the lock,
// and then sends, giving up when the uploader has gone away.
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
	dropped int
	out     chan []Sample // read by the uploader
	gone    chan struct{} // closed when the uploader returns

	// onFlush is an observability hook, called by Flush with the batch size.
	onFlush func(n int)
}

func (e *Exporter) Record(s Sample) {
	e.mu.Lock()
	e.pending = append(e.pending, s)
	e.mu.Unlock()
}

func (e *Exporter) Flush() {
	e.mu.Lock()
	batch := e.pending
	e.pending = nil
	if e.onFlush != nil {
		e.onFlush(len(batch))
	}
	e.mu.Unlock()

	select {
	case e.out <- batch:
	case <-e.gone:
		e.mu.Lock()
		e.dropped += len(batch)
		e.mu.Unlock()
	}
}

// upload ships batches until it has sent maxBatches, then returns.
func upload(e *Exporter, maxBatches int) {
	defer close(e.gone)
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
	e := &Exporter{out: make(chan []Sample), gone: make(chan struct{})}
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
