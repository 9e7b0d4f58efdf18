// crowd starts many goroutines blocked at a few dozen places, the way a
// leaking server holds them, and writes its goroutine profile in the forms
// pprof serves (debug=0 protobuf, debug=1, debug=2), then exits. bench/
// times leakhound and `go tool pprof` on those files.
//
//	crowd -n 1000000 -proto g.pb.gz -debug1 g1.txt [-debug2 g2.txt]
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type conn struct {
	id  int
	out chan []byte
	mu  *sync.Mutex
}

type pool struct {
	jobs chan int
	wg   *sync.WaitGroup
	cond *sync.Cond
}

// Each kind blocks differently, through one or two helpers, so the
// profile holds distinct stacks of 2-6 frames.
func (c *conn) write(b []byte) { c.out <- b }
func (c *conn) flush()         { c.write(nil) }
func (c *conn) lock()          { c.mu.Lock() }
func (c *conn) serve()         { c.lock() }
func (p *pool) work() {
	for j := range p.jobs {
		_ = j
	}
}
func (p *pool) wait()     { p.wg.Wait() }
func (p *pool) sleepy()   { time.Sleep(time.Hour) }
func (p *pool) park()     { p.cond.L.Lock(); p.cond.Wait() }
func recvOne(ch chan int) { <-ch }
func sel(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}
func nested(depth int, f func()) {
	if depth == 0 {
		f()
		return
	}
	nested(depth-1, f)
}

func main() {
	n := flag.Int("n", 1000000, "goroutines to start")
	proto := flag.String("proto", "", "write the debug=0 profile here")
	debug1 := flag.String("debug1", "", "write the debug=1 profile here")
	debug2 := flag.String("debug2", "", "write the debug=2 dump here")
	flag.Parse()

	blockedMu := &sync.Mutex{}
	blockedMu.Lock()
	wg := &sync.WaitGroup{}
	wg.Add(1)
	p := &pool{jobs: make(chan int), wg: wg, cond: sync.NewCond(&sync.Mutex{})}
	never := make(chan int)
	var started sync.WaitGroup
	kinds := []func(i int){
		func(i int) { (&conn{id: i, out: make(chan []byte)}).flush() },
		func(i int) { (&conn{id: i, out: make(chan []byte)}).write([]byte{1}) },
		func(i int) { (&conn{id: i, mu: blockedMu}).serve() },
		func(i int) { p.work() },
		func(i int) { p.wait() },
		func(i int) { p.sleepy() },
		func(i int) { p.park() },
		func(i int) { recvOne(never) },
		func(i int) { sel(never, never) },
		func(i int) { nested(i%4, func() { recvOne(never) }) },
		func(i int) { nested(i%3, func() { sel(never, never) }) },
		func(i int) { nested(i%5, func() { (&conn{id: i, out: make(chan []byte)}).flush() }) },
	}
	// Zipf-like: a few kinds hold most goroutines.
	weights := []int{30, 8, 10, 12, 4, 3, 2, 10, 8, 6, 4, 3}
	total := 0
	for _, w := range weights {
		total += w
	}
	started.Add(*n)
	for i := 0; i < *n; i++ {
		k, r := 0, (i*7919)%total
		for r >= weights[k] {
			r -= weights[k]
			k++
		}
		f := kinds[k]
		go func(i int) { started.Done(); f(i) }(i)
	}
	started.Wait()
	time.Sleep(200 * time.Millisecond) // let the last ones park
	write := func(path string, debug int) {
		if path == "" {
			return
		}
		f, err := os.Create(path)
		if err == nil {
			err = pprof.Lookup("goroutine").WriteTo(f, debug)
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "crowd:", err)
			os.Exit(1)
		}
	}
	write(*proto, 0)
	write(*debug1, 1)
	write(*debug2, 2)
}
