// busy is a busy but healthy service: the negative control for `leakhound
// watch`. Its goroutine count moves up and down with traffic but has no
// trend, and every goroutine that waits does so by design: a fixed worker
// pool ranging over a job channel, a ticker loop, keep-alive connections,
// and handlers whose helper goroutines always finish. A watcher polling it
// for ten or more intervals must raise no leak. Waiting lines of the
// long-lived goroutines carry "BENIGN:<tag>" markers.
//
//	busy [-addr 127.0.0.1:0] [-workers 16] [-selfload] [-clients 24]
//	    Serve. Prints exactly one line, "listening on http://HOST:PORT".
//	    /work?n=N    hands a job to the worker pool and waits for its answer
//	    /fanout?n=N  starts N short calls in parallel and gathers them all
//	    /stats       counters kept by the ticker goroutine
//	    /healthz     "ok"
//	    /debug/pprof/...  net/http/pprof on the service's own mux
//	    -selfload starts CLIENTS loops that call /work and /fanout on the
//	    service itself with random pauses, so it is busy without a driver.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type job struct {
	n     int
	reply chan int // buffered(1): a worker never waits on a caller that left
}

var (
	jobs = make(chan job, 64)

	served, fannedOut int64 // updated by handlers
	perSecond         int64 // published by the ticker
)

// worker is one of a fixed pool; waiting here for the next job is its
// normal state, and the pool never grows.
func worker(id int) {
	for j := range jobs { // BENIGN:worker-pool
		j.reply <- crunch(j.n, id)
	}
}

// crunch stands in for real work: a little CPU and a short wait on a
// backend.
func crunch(n, seed int) int {
	x := uint32(seed + 1)
	for i := 0; i < n*100; i++ {
		x = x*1664525 + 1013904223
	}
	time.Sleep(time.Duration(1+x%5) * time.Millisecond)
	return int(x % 1000)
}

// ticker turns the request counter into a per-second rate, as a metrics
// exporter would.
func ticker() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last int64
	for range t.C { // BENIGN:ticker
		now := atomic.LoadInt64(&served)
		atomic.StoreInt64(&perSecond, now-last)
		last = now
	}
}

func work(w http.ResponseWriter, r *http.Request) {
	n := intParam(r, "n", 10, 1000)
	j := job{n: n, reply: make(chan int, 1)}
	select {
	case jobs <- j:
	case <-r.Context().Done():
		return
	}
	select {
	case v := <-j.reply:
		atomic.AddInt64(&served, 1)
		fmt.Fprintf(w, "%d\n", v)
	case <-r.Context().Done():
		// The worker's reply goes into the buffer and is dropped with j.
	}
}

// fanout calls n backends at once and waits for all of them; every helper
// goroutine returns, so nothing outlives the request.
func fanout(w http.ResponseWriter, r *http.Request) {
	n := intParam(r, "n", 8, 64)
	results := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(2+rand.Intn(30)) * time.Millisecond)
			results <- i
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for v := range results {
		sum += v
	}
	atomic.AddInt64(&served, 1)
	atomic.AddInt64(&fannedOut, int64(n))
	fmt.Fprintf(w, "%d calls, sum %d\n", n, sum)
}

func stats(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "served %d\nper_second %d\nfanned_out %d\n",
		atomic.LoadInt64(&served), atomic.LoadInt64(&perSecond), atomic.LoadInt64(&fannedOut))
}

func healthz(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
}

func intParam(r *http.Request, name string, def, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 1 {
		return def
	}
	if n > max {
		return max
	}
	return n
}

// selfload keeps a fixed number of client loops busy against base. The
// number of loops, and so of keep-alive connections, is fixed from the
// start; only the in-flight work varies, at random, from poll to poll.
func selfload(base string, clients int) {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients, IdleConnTimeout: time.Minute},
	}
	for c := 0; c < clients; c++ {
		go func(c int) {
			rng := rand.New(rand.NewSource(int64(c)))
			for {
				path := fmt.Sprintf("/work?n=%d", 1+rng.Intn(200))
				if rng.Intn(2) == 0 {
					path = fmt.Sprintf("/fanout?n=%d", 1+rng.Intn(32))
				}
				if resp, err := client.Get(base + path); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				time.Sleep(time.Duration(rng.Intn(200)) * time.Millisecond) // BENIGN:selfload
			}
		}(c)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	workers := flag.Int("workers", 16, "size of the worker pool")
	self := flag.Bool("selfload", false, "generate traffic against ourselves")
	clients := flag.Int("clients", 24, "selfload: concurrent client loops")
	flag.Parse()
	if *workers < 1 || *clients < 1 {
		fmt.Fprintln(os.Stderr, "busy: -workers and -clients must be at least 1")
		os.Exit(2)
	}

	for i := 0; i < *workers; i++ {
		go worker(i)
	}
	go ticker()

	mux := http.NewServeMux()
	mux.HandleFunc("/work", work)
	mux.HandleFunc("/fanout", fanout)
	mux.HandleFunc("/stats", stats)
	mux.HandleFunc("/healthz", healthz)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "busy:", err)
		os.Exit(1)
	}
	base := "http://" + l.Addr().String()
	// os.Stdout is unbuffered, so this line is out as soon as it is printed.
	fmt.Printf("listening on %s\n", base)
	if *self {
		selfload(base, *clients)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(l); err != nil {
		fmt.Fprintln(os.Stderr, "busy:", err)
		os.Exit(1)
	}
}
