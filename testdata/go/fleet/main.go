// fleet stands in for a fleet of Go services on one machine, for load
// tests of `leakhound watch`: one process listens on N loopback ports, and
// every port serves this process's real net/http/pprof handlers, so each
// target answers /debug/pprof/goroutine with genuine Go output (debug=0, 1
// and 2) at the cost of one process instead of N.
//
// Behind the ports runs a goroutine population shaped like a real service's,
// a few hundred goroutines in many states: a worker pool and its feeder, select
// loops, producers queueing on an unbuffered channel, sync.Cond and mutex
// waiters, sleeping pollers, the accept loops and the watcher's keep-alive
// connections, plus one slow leak that grows by a goroutine every
// -leak-every. Long-lived waits carry "BENIGN:<tag>" markers, the leak a
// "LEAK:<tag>" marker.
//
//	fleet [-n 200] [-host 127.0.0.1] [-leak-every 5s] [-extra 0] [-profile-cache 0]
//	    Prints N lines "http://HOST:PORT" (ports chosen by the OS), then a
//	    line "ready" once every port accepts connections. Runs until killed.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var processed int64 // work done by the background, so none of it is dead code

// Pool of workers fed at a steady pace: waiting on the queue is their
// normal state.
func poolWorker(queue <-chan int) {
	for j := range queue { // BENIGN:fleet-pool
		atomic.AddInt64(&processed, int64(j%3))
	}
}

func feeder(queue chan<- int) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		<-t.C
		queue <- i
	}
}

// session is a per-client loop: heartbeats, messages, or shutdown.
func session(id int, inbox <-chan string, quit <-chan struct{}) {
	hb := time.NewTicker(time.Duration(2+id%8) * time.Second)
	defer hb.Stop()
	for {
		select { // BENIGN:fleet-session
		case <-hb.C:
			atomic.AddInt64(&processed, 1)
		case m := <-inbox:
			atomic.AddInt64(&processed, int64(len(m)))
		case <-quit:
			return
		}
	}
}

// Producers hand items to one slow batch writer over an unbuffered
// channel, so most of them are parked on the send at any moment, each for
// well under a second.
func producer(id int, batch chan<- int) {
	rng := rand.New(rand.NewSource(int64(id)))
	for {
		batch <- id // BENIGN:fleet-batch-send
		time.Sleep(time.Duration(rng.Intn(50)) * time.Millisecond)
	}
}

func batchWriter(batch <-chan int) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for range t.C {
		atomic.AddInt64(&processed, int64(<-batch))
	}
}

// config is reloaded every two seconds; readers wait for the next version.
type config struct {
	mu      sync.Mutex
	changed *sync.Cond
	version int
}

func (c *config) await(seen int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.version == seen {
		c.changed.Wait() // BENIGN:fleet-cond
	}
	return c.version
}

func (c *config) reload() {
	for range time.Tick(2 * time.Second) {
		c.mu.Lock()
		c.version++
		c.mu.Unlock()
		c.changed.Broadcast()
	}
}

// cache is a hot lock: each holder keeps it for a few milliseconds, so the
// others are often seen in sync.Mutex.Lock.
type cache struct {
	mu      sync.Mutex
	entries map[int]int
}

func (c *cache) touch(k int) {
	c.mu.Lock() // BENIGN:fleet-mutex
	c.entries[k%64]++
	time.Sleep(3 * time.Millisecond)
	c.mu.Unlock()
}

// poller checks something slowly; it is asleep nearly all the time.
func poller(id int) {
	for {
		time.Sleep(time.Duration(1000+id*97%2000) * time.Millisecond) // BENIGN:fleet-sleep
		atomic.AddInt64(&processed, 1)
	}
}

// fetchPrice answers on reply, which is unbuffered; its caller has already
// given up, so the send never completes. One more every -leak-every.
func fetchPrice(sku int, reply chan<- int) {
	reply <- sku * 3 // LEAK:fleet-growing
}

func leak(every time.Duration) {
	for sku := 0; ; sku++ {
		go fetchPrice(sku, make(chan int))
		time.Sleep(every)
	}
}

// idleClient stands for one of a busy server's many idle keep-alive
// connections: parked in a select until its client speaks or the server
// stops, at some depth of handler calls (depth varies, so the -extra
// population has a few dozen distinct stacks, as a real server's has).
func idleClient(depth int, in <-chan []byte, stop <-chan struct{}) {
	if depth > 0 {
		idleClient(depth-1, in, stop)
		return
	}
	for {
		select { // BENIGN:fleet-idle
		case b := <-in:
			atomic.AddInt64(&processed, int64(len(b)))
		case <-stop:
			return
		}
	}
}

// extra starts n more long-lived goroutines (bench/watch_load.sh's -extra:
// a realistic ~2,000-goroutine profile per target).
func extra(n int) {
	stop := make(chan struct{}) // never closed
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0, 1:
			go idleClient(i%64, make(chan []byte), stop)
		case 2:
			go poller(100 + i)
		default:
			go session(i, make(chan string), stop)
		}
	}
}

func background(leakEvery time.Duration) {
	queue := make(chan int)
	for i := 0; i < 64; i++ {
		go poolWorker(queue)
	}
	go feeder(queue)

	quit := make(chan struct{}) // never closed: the sessions live as long as the process
	for i := 0; i < 40; i++ {
		go session(i, make(chan string), quit)
	}

	batch := make(chan int)
	for i := 0; i < 24; i++ {
		go producer(i, batch)
	}
	go batchWriter(batch)

	cfg := &config{}
	cfg.changed = sync.NewCond(&cfg.mu)
	for i := 0; i < 8; i++ {
		go func() {
			for v := 0; ; {
				v = cfg.await(v)
			}
		}()
	}
	go cfg.reload()

	c := &cache{entries: map[int]int{}}
	for i := 0; i < 6; i++ {
		go func(i int) {
			for k := i; ; k++ {
				c.touch(k)
				time.Sleep(10 * time.Millisecond)
			}
		}(i)
	}

	for i := 0; i < 16; i++ {
		go poller(i)
	}

	if leakEvery > 0 {
		go leak(leakEvery)
	}
}

// profileCache answers /debug/pprof/goroutine from a copy at most `every`
// old (one per query string), shared by all ports. A real Go process
// made every byte; the copy only spares this one process (standing for
// a whole fleet on a small machine) from walking ~2,000 stacks for each
// of the fleet's polls. Off unless -profile-cache is set.
type profileCache struct {
	every time.Duration
	mu    sync.Mutex
	byKey map[string]*cachedProfile
}

type cachedProfile struct {
	at     time.Time
	header http.Header
	body   []byte
}

func (c *profileCache) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	p := c.byKey[r.URL.RawQuery]
	if p == nil || time.Since(p.at) > c.every {
		rec := httptest.NewRecorder()
		pprof.Index(rec, r)
		p = &cachedProfile{at: time.Now(), header: rec.Header().Clone(), body: rec.Body.Bytes()}
		c.byKey[r.URL.RawQuery] = p
	}
	c.mu.Unlock()
	for k, v := range p.header {
		w.Header()[k] = v
	}
	w.Write(p.body)
}

func newMux(cache *profileCache) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	if cache != nil {
		mux.HandleFunc("/debug/pprof/goroutine", cache.serve)
	}
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	// What a Prometheus server scrapes from a service: the fleet's ports
	// are real scrape targets, so leakhound can find them through
	// Prometheus's discovery (tests/e2e/prometheus_test.cc).
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# HELP fleet_goroutines Goroutines in this process.\n"+
			"# TYPE fleet_goroutines gauge\nfleet_goroutines %d\n", runtime.NumGoroutine())
	})
	return mux
}

func main() {
	n := flag.Int("n", 200, "number of ports to listen on")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	leakEvery := flag.Duration("leak-every", 5*time.Second, "one more leaked goroutine this often (0: no leak)")
	extraN := flag.Int("extra", 0, "this many more long-lived goroutines (idle connections, pollers, sessions)")
	cacheFor := flag.Duration("profile-cache", 0, "serve /debug/pprof/goroutine from a copy at most this old (0: always fresh)")
	flag.Parse()
	if *n < 1 || *n > 10000 {
		fmt.Fprintln(os.Stderr, "fleet: -n must be 1..10000")
		os.Exit(2)
	}

	background(*leakEvery)
	extra(*extraN)

	// Listen on every port before printing any, so a caller that sees
	// "ready" can connect to all of them.
	listeners := make([]net.Listener, *n)
	for i := range listeners {
		l, err := net.Listen("tcp", net.JoinHostPort(*host, "0"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "fleet: port %d of %d: %v\n", i+1, *n, err)
			os.Exit(1)
		}
		listeners[i] = l
	}
	// One server per port, as in a real fleet, all sharing the one mux.
	var cache *profileCache
	if *cacheFor > 0 {
		cache = &profileCache{every: *cacheFor, byKey: map[string]*cachedProfile{}}
	}
	mux := newMux(cache)
	errs := make(chan error, *n)
	for _, l := range listeners {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		go func(l net.Listener) { errs <- srv.Serve(l) }(l)
		fmt.Printf("http://%s\n", l.Addr())
	}
	fmt.Println("ready")
	err := <-errs
	fmt.Fprintln(os.Stderr, "fleet:", err)
	os.Exit(1)
}
