// benign is a healthy service: every goroutine in it waits by design, in
// the shapes a naive leak detector flags:
//
//   - a pool of workers ranging over a jobs channel that is still open and
//     still fed now and then;
//   - an HTTP server (net/http/pprof mounted) and a client whose keep-alive
//     connections sit idle on both sides;
//   - a ticker loop that also waits on a context whose cancel is deferred;
//   - os/signal's receiver and a goroutine handling the signals it relays;
//   - a periodic job sleeping between runs;
//   - a sync.Cond consumer that a producer signals regularly;
//   - the main goroutine waiting for a signal or for the work to finish.
//
// leakhound must call none of them a leak. The line each healthy goroutine
// of ours blocks at carries a BENIGN marker comment (BENIGN, colon, tag).
// Goroutines that run only standard-library code (the HTTP connection
// loops, os/signal's receiver) have no line of ours on their stack: a
// BENIGN-ORIGIN marker names the line of ours that brought them about.
//
//	benign -mode debug2   once settled, write pprof's debug=2 goroutine profile to stdout and exit
//	benign -mode stack    the same through runtime.Stack(buf, true)
//	benign -mode serve [-addr 127.0.0.1:0]
//	                      keep running with light healthy traffic; prints
//	                      "listening http://ADDR" (net/http/pprof at /debug/pprof/)
//	                      and stops on SIGINT or SIGTERM
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Counters the goroutines bump, so that none of their work is dead code.
var (
	squares  int64
	beats    int64
	runs     int64
	consumed int64
	hangups  int64
	served   int64
)

// ---- worker pool --------------------------------------------------------

func worker(jobs <-chan int, results chan<- int) {
	for j := range jobs { // BENIGN:worker-pool
		results <- j * j
	}
}

// feed hands the pool a job every little while, for as long as the service
// lives: the jobs channel is never closed, yet nobody is stuck on it.
func feed(ctx context.Context, jobs chan<- int, results <-chan int) {
	for i := 0; ; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
			return
		}
		atomic.AddInt64(&squares, int64(<-results))
		time.Sleep(25 * time.Millisecond) // BENIGN:feeder
	}
}

// ---- ticker with a cancellable context ----------------------------------

func heartbeat(ctx context.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select { // BENIGN:ticker
		case <-t.C:
			atomic.AddInt64(&beats, 1)
		case <-ctx.Done():
			return
		}
	}
}

// ---- periodic job -------------------------------------------------------

func periodic(ctx context.Context) {
	for ctx.Err() == nil {
		atomic.AddInt64(&runs, 1)
		time.Sleep(150 * time.Millisecond) // BENIGN:periodic
	}
}

// ---- signal handling ----------------------------------------------------

// hangup reacts to SIGHUP the way services reload their configuration.
func hangup(ctx context.Context, hup <-chan os.Signal) {
	for {
		select { // BENIGN:signal-handler
		case <-hup:
			atomic.AddInt64(&hangups, 1)
		case <-ctx.Done():
			return
		}
	}
}

// ---- sync.Cond queue ----------------------------------------------------

type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []string
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *queue) put(s string) {
	q.mu.Lock()
	q.items = append(q.items, s)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (q *queue) consume() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for len(q.items) == 0 && !q.closed {
			q.cond.Wait() // BENIGN:cond-consumer
		}
		if len(q.items) == 0 {
			return
		}
		consumed += int64(len(q.items))
		q.items = q.items[:0]
	}
}

func produce(ctx context.Context, q *queue) {
	defer q.close()
	for ctx.Err() == nil {
		q.put("ping")
		time.Sleep(40 * time.Millisecond) // BENIGN:cond-producer
	}
}

// ---- HTTP server and keep-alive client ----------------------------------

func serveHTTP(srv *http.Server, l net.Listener) {
	if err := srv.Serve(l); err != nil && err != http.ErrServerClosed { // BENIGN:http-accept
		fmt.Fprintln(os.Stderr, "serve:", err)
	}
}

// warmUp makes n requests at once so that the client opens n connections,
// then leaves them idle in its pool: the server has n conn.serve loops
// waiting for the next request, the client n readLoop/writeLoop pairs.
func warmUp(client *http.Client, base string, n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(client, base+"/slow")
		}()
	}
	wg.Wait()
}

func get(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "get:", err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// traffic keeps a light stream of requests going on the idle connections.
func traffic(ctx context.Context, client *http.Client, base string) {
	for ctx.Err() == nil {
		get(client, base+"/ok")
		time.Sleep(100 * time.Millisecond) // BENIGN:http-traffic
	}
}

func main() {
	mode := flag.String("mode", "debug2", "debug2|stack|serve")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (every mode has a server)")
	flag.Parse()
	if *mode != "debug2" && *mode != "stack" && *mode != "serve" {
		fmt.Fprintln(os.Stderr, "benign: -mode must be debug2, stack or serve")
		os.Exit(2)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM) // BENIGN-ORIGIN:signal-recv
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go hangup(ctx, hup)

	jobs, results := make(chan int), make(chan int)
	for i := 0; i < 6; i++ {
		go worker(jobs, results)
	}
	go feed(ctx, jobs, results)
	go heartbeat(ctx)
	go periodic(ctx)
	q := newQueue()
	go q.consume()
	go produce(ctx, q)

	mux := http.DefaultServeMux // net/http/pprof registered itself here
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&served, 1)
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		atomic.AddInt64(&served, 1)
		io.WriteString(w, "slow\n")
	})
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go serveHTTP(srv, l) // BENIGN-ORIGIN:http-server-conn
	defer srv.Close()
	base := "http://" + l.Addr().String()
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Hour},
	}
	warmUp(client, base, 3) // BENIGN-ORIGIN:http-client-conn

	done := make(chan struct{})
	switch *mode {
	case "serve":
		go traffic(ctx, client, base)
		fmt.Printf("listening %s\n", base)
	default:
		// Let every goroutine reach its resting place, then dump from a
		// goroutine of its own while main waits like a service's main does.
		go func() {
			defer close(done)
			time.Sleep(300 * time.Millisecond)
			dump(*mode)
		}()
	}

	select { // BENIGN:main-wait
	case <-stop:
	case <-done:
	}
}

func dump(mode string) {
	if mode == "debug2" {
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
		return
	}
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			os.Stdout.Write(buf[:n])
			return
		}
		buf = make([]byte, 2*len(buf))
	}
}
