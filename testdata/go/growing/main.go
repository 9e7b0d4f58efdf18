// growing leaks a little more on every tick, the way a service leaks per
// request: each tick K handler goroutines are started whose caller gives up
// before reading the reply, so each blocks forever on an unbuffered send.
// Beside them sit a pool of 4 workers that never grows (blocked on a
// receive, by design) and one goroutine that spins without ever blocking,
// "running" or "runnable" in every snapshot. A series of snapshots must
// flag the first, clear the second and catch the third.
//
//	growing -snapshots N [-interval D] [-k K] -out DIR
//	        N ticks, D apart; after tick n (from 0) writes the debug=2
//	        goroutine profile DIR/snap-00n.txt, holding K*(n+1) leaked handlers
//	growing -mode serve [-addr 127.0.0.1:0] [-interval D] [-k K]
//	        ticks forever; serves net/http/pprof, prints "listening http://ADDR"
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

var (
	errBadRequest = errors.New("bad request")
	spins         int64
	stop          int32
)

type request struct {
	id    int
	reply chan int // unbuffered: the handler's send waits for the caller
}

// handle computes the answer and hands it back. Its caller has returned on
// an error path without reading, so the send never completes.
func handle(req request, started *sync.WaitGroup) {
	v := req.id * 2
	started.Done()
	req.reply <- v // LEAK:growing-send
}

// dispatch starts the handler, then fails validation and returns early,
// forgetting the handler it started.
func dispatch(id int, started *sync.WaitGroup) error {
	req := request{id: id, reply: make(chan int)}
	started.Add(1)
	go handle(req, started)
	if id >= 0 {
		return errBadRequest
	}
	return fmt.Errorf("answer %d", <-req.reply)
}

// worker waits for jobs that never come: a flat pool, the same 4
// goroutines in every snapshot.
func worker(jobs <-chan int) {
	for {
		j := <-jobs // BENIGN:flat-pool
		atomic.AddInt64(&spins, int64(j))
	}
}

// spin never blocks: it polls a flag in a tight loop.
func spin() {
	x := uint32(1)
	for { // LEAK:busy-loop (preemption may catch any line of this loop)
		if atomic.LoadInt32(&stop) == 1 {
			return
		}
		x = x*1664525 + 1013904223
		if x>>20 == 0 {
			atomic.AddInt64(&spins, 1)
		}
	}
}

// tick serves k requests that all leak their handler, and returns once
// every new handler is at its send.
func tick(n, k int) {
	var started sync.WaitGroup
	for i := 0; i < k; i++ {
		_ = dispatch(n*k+i, &started)
	}
	started.Wait()
	time.Sleep(10 * time.Millisecond) // from Done() to parked on the send
}

func main() {
	snapshots := flag.Int("snapshots", 3, "dumps to write (snapshots mode)")
	interval := flag.Duration("interval", 200*time.Millisecond, "time between ticks")
	k := flag.Int("k", 5, "handlers leaked per tick")
	out := flag.String("out", ".", "folder for the dumps (snapshots mode)")
	mode := flag.String("mode", "snapshots", "snapshots|serve")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (serve mode)")
	flag.Parse()

	jobs := make(chan int)
	for i := 0; i < 4; i++ {
		go worker(jobs)
	}
	go spin()

	switch *mode {
	case "serve":
		l, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "listen:", err)
			os.Exit(1)
		}
		go func() {
			for n := 0; ; n++ {
				tick(n, *k)
				time.Sleep(*interval)
			}
		}()
		fmt.Printf("listening http://%s\n", l.Addr())
		if err := http.Serve(l, nil); err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
	case "snapshots":
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for n := 0; n < *snapshots; n++ {
			if n > 0 {
				time.Sleep(*interval)
			}
			tick(n, *k)
			if err := write(filepath.Join(*out, fmt.Sprintf("snap-%03d.txt", n))); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		atomic.StoreInt32(&stop, 1)
	default:
		fmt.Fprintln(os.Stderr, "growing: -mode must be snapshots or serve")
		os.Exit(2)
	}
}

func write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
