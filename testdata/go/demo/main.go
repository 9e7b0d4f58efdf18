// demo is a small shop backend that leaks goroutines under load: the
// service `make demo` watches and the watch end-to-end tests run. Two
// endpoints leak one goroutine per request that takes their bad path; each
// blocking line carries a "LEAK:<tag>" marker comment so tests can find the
// expected file:line by reading the markers. The same binary also drives
// load against a running copy of itself.
//
//	demo [-addr 127.0.0.1:0]
//	    Serve. Prints exactly one line, "listening on http://HOST:PORT".
//	    /checkout?items=N  prices a cart. Carts over 3 items need the slow tax
//	                       service (500ms) but the handler gives up after
//	                       200ms, leaving the pricing goroutine blocked on its
//	                       send for good. Default items=5: a bare request leaks.
//	    /report?days=N     sums N days of orders (1..N). Day 14's partition
//	                       is missing, so N >= 14 fails, and the summing
//	                       goroutine ranges over a channel nobody closes.
//	                       Default days=30: a bare request leaks.
//	    /healthz           "ok", leaks nothing.
//	    /debug/pprof/...   net/http/pprof on the service's own mux.
//	demo -load URL [-rate 20] [-duration 30s]
//	    Send RATE requests a second to URL for DURATION, alternating
//	    /checkout and /report with parameters drawn so about half of them
//	    leak, then print a one-line summary and exit (1 if none succeeded).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	bulkItems       = 3                      // carts above this go through the tax service
	taxLatency      = 500 * time.Millisecond // the tax service is slow...
	checkoutTimeout = 200 * time.Millisecond // ...and checkout will not wait for it
	missingDay      = 14                     // reports touching this day fail
)

// events feeds the audit workers. It is buffered and written without
// blocking, so the pool stays at auditWorkers goroutines however busy the
// service is: a flat pool that a watcher must not call a leak.
var (
	events       = make(chan string, 256)
	auditWorkers = 4
	audited      int64
)

func audit() {
	for e := range events { // BENIGN:audit-pool
		if e != "" {
			atomic.AddInt64(&audited, 1)
		}
	}
}

func record(event string) {
	select {
	case events <- event:
	default: // audit is best effort; never hold a request up for it
	}
}

type quote struct{ cents int }

// priceCart prices the cart and hands the quote back on out. out is
// unbuffered, so the send waits until checkout reads it; once checkout has
// timed out nobody ever will.
func priceCart(items int, out chan<- quote) {
	cents := items * 1999
	if items > bulkItems {
		time.Sleep(taxLatency)
		cents += cents / 5
	}
	out <- quote{cents: cents} // LEAK:checkout-send
}

func checkout(w http.ResponseWriter, r *http.Request) {
	items, err := intParam(r, "items", 5)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out := make(chan quote)
	go priceCart(items, out)
	select {
	case q := <-out:
		record("checkout")
		fmt.Fprintf(w, "total %d.%02d for %d items\n", q.cents/100, q.cents%100, items)
	case <-time.After(checkoutTimeout):
		record("checkout-timeout")
		http.Error(w, "pricing timed out", http.StatusGatewayTimeout)
	}
}

type dayTotal struct{ orders, cents int }

type summary struct {
	days, orders, cents int
}

// loadDay reads one day's orders; the data is made up from the day number
// so answers are stable.
func loadDay(day int) (dayTotal, error) {
	if day == missingDay {
		return dayTotal{}, fmt.Errorf("day %d: partition missing", day)
	}
	orders := 40 + day%7*3
	return dayTotal{orders: orders, cents: orders * (1500 + day*10)}, nil
}

// summarize adds days up as they arrive and answers once rows is closed.
func summarize(rows <-chan dayTotal, done chan<- summary) {
	var s summary
	for row := range rows { // LEAK:report-range
		s.days++
		s.orders += row.orders
		s.cents += row.cents
	}
	done <- s
}

func report(w http.ResponseWriter, r *http.Request) {
	days, err := intParam(r, "days", 30)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows := make(chan dayTotal)
	done := make(chan summary, 1)
	go summarize(rows, done)
	for d := 1; d <= days; d++ {
		row, err := loadDay(d)
		if err != nil {
			// The bug: this early return skips close(rows), so summarize
			// waits in its range loop forever.
			record("report-failed")
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rows <- row
	}
	close(rows)
	s := <-done
	record("report")
	fmt.Fprintf(w, "%d days, %d orders, %d.%02d total\n", s.days, s.orders, s.cents/100, s.cents%100)
}

func healthz(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
}

func intParam(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("%s must be a number from 1 to 1000", name)
	}
	return n, nil
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/checkout", checkout)
	mux.HandleFunc("/report", report)
	mux.HandleFunc("/healthz", healthz)
	// pprof.Index also serves the named profiles (goroutine, heap, ...).
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func serve(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for i := 0; i < auditWorkers; i++ {
		go audit()
	}
	// os.Stdout is unbuffered in Go, so callers reading our stdout see this
	// line as soon as the port is open.
	fmt.Printf("listening on http://%s\n", l.Addr())
	srv := &http.Server{Handler: newMux(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(l)
}

// load sends rate requests a second to base for d. Requests run
// concurrently so a slow endpoint does not lower the rate, and the client
// timeout bounds how many can be in flight.
func load(base string, rate int, d time.Duration) error {
	base = strings.TrimRight(base, "/")
	client := &http.Client{Timeout: 5 * time.Second}
	rng := rand.New(rand.NewSource(1)) // same mix on every run
	var (
		mu      sync.Mutex
		results = map[string]int{}
		wg      sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	start := time.Now()
	sent := 0
loop:
	for n := 0; ; n++ {
		select {
		case <-end.C:
			break loop
		case <-tick.C:
		}
		var path string
		switch {
		case n%10 == 9:
			path = "/healthz"
		case n%2 == 0:
			path = fmt.Sprintf("/checkout?items=%d", 1+rng.Intn(6)) // 4..6 leak
		default:
			path = fmt.Sprintf("/report?days=%d", 1+rng.Intn(26)) // 14..26 leak
		}
		sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "error"
			resp, err := client.Get(base + path)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				key = strconv.Itoa(resp.StatusCode)
			}
			mu.Lock()
			results[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	keys := make([]string, 0, len(results))
	for k := range results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, results[k]))
	}
	fmt.Printf("sent %d requests to %s in %.1fs: %s\n", sent, base, time.Since(start).Seconds(), strings.Join(parts, " "))
	if sent > 0 && results["error"] == sent {
		return errors.New("no request got an answer")
	}
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	target := flag.String("load", "", "instead of serving, send load to this base URL (http://HOST:PORT)")
	rate := flag.Int("rate", 20, "load: requests per second")
	duration := flag.Duration("duration", 30*time.Second, "load: how long to send")
	flag.Parse()

	if *target != "" {
		if *rate < 1 || *rate > 10000 || *duration <= 0 {
			fmt.Fprintln(os.Stderr, "demo: -rate must be 1..10000 and -duration positive")
			os.Exit(2)
		}
		if err := load(*target, *rate, *duration); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(1)
		}
		return
	}
	if err := serve(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}
