// Kernel: a metrics writer buffers points and a background goroutine
// flushes them on every tick until the writer's stop channel is closed.
// Stop stops the ticker, marks the writer closed, closes the stop channel
// (once, however many times Stop is called) and does a final flush, so
// the flush loop returns.
package main

import (
	"errors"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var errClosed = errors.New("metrics writer closed")

type Point struct {
	Name  string
	Value float64
}

type Writer struct {
	ticker   *time.Ticker
	stop     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	closed  bool
	pending []Point
	flushed int
}

func NewWriter(interval time.Duration) *Writer {
	w := &Writer{ticker: time.NewTicker(interval), stop: make(chan struct{})}
	go w.loop()
	return w
}

func (w *Writer) Write(p Point) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errClosed
	}
	w.pending = append(w.pending, p)
	return nil
}

func (w *Writer) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushed += len(w.pending)
	w.pending = nil
}

func (w *Writer) loop() {
	for {
		select {
		case <-w.ticker.C:
			w.flush()
		case <-w.stop:
			return
		}
	}
}

// Stop flushes what is left and stops the background flushes. It may be
// called more than once.
func (w *Writer) Stop() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.mu.Unlock()
	w.ticker.Stop()
	w.stopOnce.Do(func() { close(w.stop) })
	w.flush()
}

func main() {
	log.SetFlags(0)
	w := NewWriter(20 * time.Millisecond)

	// A worker records its job metrics, then the service shuts down: the
	// shutdown hook stops the writer, and so does the worker's own defer.
	var worker sync.WaitGroup
	worker.Add(1)
	go func() {
		defer worker.Done()
		defer w.Stop()
		w.Write(Point{"jobs_done", 3})
		w.Write(Point{"job_seconds", 1.5})
	}()
	worker.Wait()
	w.Stop()
	if err := w.Write(Point{"jobs_done", 1}); err != nil {
		log.Printf("late write: %v", err)
	}

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
