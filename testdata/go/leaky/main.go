// leaky parks goroutines in every leak pattern leakhound knows, then
// writes its goroutine dump the way a user would get one. Each blocking
// line carries a "LEAK:<tag>" marker comment; the tests find expected
// file:line pairs by reading those markers, and expected counts from
// -expect, so nothing is written down twice.
//
//	leaky -mode debug2|stack        dump to stdout, exit 0
//	leaky -mode sigquit             print "ready", wait for SIGQUIT (run with GOTRACEBACK=all)
//	leaky -mode panic               panic after parking (run with GOTRACEBACK=all)
//	leaky -mode profiles -out DIR   write goroutine profiles debug=0,1,2 to DIR, then, where
//	                                the runtime has one (Go 1.26 with GOEXPERIMENT=
//	                                goroutineleakprofile, Go 1.27+), the goroutineleak
//	                                profile in the same three forms
//	leaky -mode serve               serve net/http/pprof, print "listening http://ADDR"
//	                                (it serves /debug/pprof/goroutineleak where the
//	                                runtime has that profile)
//	leaky -mode serve-tls -out DIR  the same over HTTPS; the CA to trust goes to DIR/ca.pem
//	      [-token T] [-basic U:P]   serve modes: require bearer or basic auth
//	leaky -expect                   print {"tag": count} as JSON
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// How many goroutines each scenario leaves behind. Distinct numbers so
// every bucket is recognisable by its count alone.
var counts = map[string]int{
	"chan-send-blocked":   7,
	"chan-recv-blocked":   12,
	"range-unclosed":      4,
	"nil-chan-send":       3,
	"nil-chan-recv":       2,
	"select-no-cases":     1,
	"select-forever":      6,
	"mutex-held":          9,
	"waitgroup-wait":      2,
	"cond-wait":           5,
	"context-never-done":  11,
	"http-no-timeout":     8,
	"http-server-handler": 8,
	"global-chan-send":    10,
}

// firstResult starts n senders on an unbuffered channel and takes only
// the first answer: the other n-1 block forever.
func firstResult(n int) int {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func(i int) {
			ch <- i // LEAK:chan-send-blocked
		}(i)
	}
	return <-ch
}

// events is a package-level channel nothing reads: goroutines stuck
// sending on it are leaked just the same, but a global is a GC root, so
// the runtime's leak detector (goroutineleak) cannot prove it and does
// not mark them.
var events = make(chan string)

func announce(name string) {
	events <- name // LEAK:global-chan-send
}

// awaitReply waits for a reply that no one will ever send.
func awaitReply() {
	reply := make(chan string)
	go func() {
		msg := <-reply // LEAK:chan-recv-blocked
		_ = msg
	}()
}

// consume ranges over a channel its producer never closes.
func consume(jobs chan int, done *int64) {
	for j := range jobs { // LEAK:range-unclosed
		atomic.AddInt64(done, int64(j))
	}
}

type pipeline struct {
	out chan int // never made
}

func (p *pipeline) publish(v int) {
	p.out <- v // LEAK:nil-chan-send
}

func (p *pipeline) listen() int {
	return <-p.out // LEAK:nil-chan-recv
}

func idleForever() {
	select {} // LEAK:select-no-cases
}

func waitEither(a, b chan int) int {
	select { // LEAK:select-forever
	case v := <-a:
		return v
	case v := <-b:
		return v
	}
}

type account struct {
	mu      sync.Mutex
	balance int
}

func (a *account) deposit(n int) {
	a.mu.Lock() // LEAK:mutex-held
	a.balance += n
	a.mu.Unlock()
}

func gather(work func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		work()
	}()
	wg.Wait() // LEAK:waitgroup-wait
}

type queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
}

func (q *queue) pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait() // LEAK:cond-wait
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func watch(ctx context.Context) {
	<-ctx.Done() // LEAK:context-never-done
}

func startWatchers(n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		_ = cancel // lost: ctx is never cancelled
		go watch(ctx)
	}
}

var handlersIn int64

func slowHandler(w http.ResponseWriter, r *http.Request) {
	atomic.AddInt64(&handlersIn, 1)
	<-r.Context().Done() // LEAK:http-server-handler
}

func fetch(url string) {
	resp, err := http.Get(url) // LEAK:http-no-timeout
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func startHTTP(n int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", slowHandler)
	go http.Serve(l, mux)
	for i := 0; i < n; i++ {
		go fetch("http://" + l.Addr().String() + "/slow")
	}
	for atomic.LoadInt64(&handlersIn) < int64(n) {
		time.Sleep(5 * time.Millisecond)
	}
}

// leakAll sets every scenario up and returns once all are parked.
func leakAll() {
	firstResult(counts["chan-send-blocked"] + 1)
	for i := 0; i < counts["chan-recv-blocked"]; i++ {
		awaitReply()
	}
	jobs := make(chan int)
	var done int64
	for i := 0; i < counts["range-unclosed"]; i++ {
		go consume(jobs, &done)
	}
	jobs <- 1
	p := &pipeline{}
	for i := 0; i < counts["nil-chan-send"]; i++ {
		go p.publish(i)
	}
	for i := 0; i < counts["nil-chan-recv"]; i++ {
		go p.listen()
	}
	for i := 0; i < counts["select-no-cases"]; i++ {
		go idleForever()
	}
	a, b := make(chan int), make(chan int)
	for i := 0; i < counts["select-forever"]; i++ {
		go waitEither(a, b)
	}
	acct := &account{}
	acct.mu.Lock() // held for good: an Unlock forgotten on some path
	for i := 0; i < counts["mutex-held"]; i++ {
		go acct.deposit(i)
	}
	for i := 0; i < counts["waitgroup-wait"]; i++ {
		go gather(func() {})
	}
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	for i := 0; i < counts["cond-wait"]; i++ {
		go q.pop()
	}
	startWatchers(counts["context-never-done"])
	for i := 0; i < counts["global-chan-send"]; i++ {
		go announce(fmt.Sprint("event ", i))
	}
	startHTTP(counts["http-no-timeout"])
	settle()
}

// settle waits until the goroutine count stops changing, then a little
// longer, so every goroutine has reached its blocking call.
func settle() {
	last, stable := -1, 0
	for stable < 5 {
		n := runtime.NumGoroutine()
		if n == last {
			stable++
		} else {
			stable = 0
			last = n
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
}

// guard lets a request through only with the configured credentials, as
// a /debug/pprof behind an auth proxy would.
func guard(next http.Handler, token, basic string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, hasBasic := r.BasicAuth()
		switch {
		case token != "" && r.Header.Get("Authorization") != "Bearer "+token:
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case basic != "" && (!hasBasic || user+":"+pass != basic):
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func base64Lines(der []byte) string {
	enc := base64.StdEncoding.EncodeToString(der)
	out := ""
	for len(enc) > 64 {
		out += enc[:64] + "\n"
		enc = enc[64:]
	}
	return out + enc + "\n"
}

// writeProfiles writes the goroutine profile in its three forms, then the
// goroutineleak profile in the same three where the runtime has it. The
// goroutine profiles come first: writing goroutineleak runs the
// leak-detecting GC, which moves the goroutines it proves stuck to the
// leaked status for good, and every later dump (runtime.Stack, the
// goroutine profile) then shows them "(leaked)" too.
func writeProfiles(dir string) {
	write := func(profile, name string, debug int) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup(profile).WriteTo(f, debug); err != nil {
			panic(err)
		}
		if err := f.Close(); err != nil {
			panic(err)
		}
	}
	write("goroutine", "goroutine.pb.gz", 0)
	write("goroutine", "goroutine-debug1.txt", 1)
	write("goroutine", "goroutine-debug2.txt", 2)
	if pprof.Lookup("goroutineleak") == nil {
		return // before Go 1.26, or 1.26 without the experiment
	}
	// Each write runs its own leak-detecting GC; the first one marks,
	// the later ones find the same goroutines already leaked.
	write("goroutineleak", "goroutineleak-debug2.txt", 2)
	write("goroutineleak", "goroutineleak-debug1.txt", 1)
	write("goroutineleak", "goroutineleak.pb.gz", 0)
}

func main() {
	mode := flag.String("mode", "debug2", "debug2|stack|sigquit|panic|profiles|serve|serve-tls")
	out := flag.String("out", ".", "folder for -mode profiles")
	expect := flag.Bool("expect", false, "print expected counts per marker tag and exit")
	token := flag.String("token", "", "serve modes: require this bearer token")
	basic := flag.String("basic", "", "serve modes: require this user:password")
	goversion := flag.Bool("goversion", false, "print the Go runtime version and exit")
	flag.Parse()

	if *goversion {
		fmt.Println(runtime.Version())
		return
	}

	if *expect {
		json.NewEncoder(os.Stdout).Encode(counts)
		return
	}
	leakAll()
	switch *mode {
	case "debug2":
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	case "stack":
		buf := make([]byte, 1<<16)
		for {
			n := runtime.Stack(buf, true)
			if n < len(buf) {
				os.Stdout.Write(buf[:n])
				break
			}
			buf = make([]byte, 2*len(buf))
		}
	case "sigquit":
		fmt.Println("ready")
		select {}
	case "panic":
		panic("leakhound fixture: giving up")
	case "profiles":
		writeProfiles(*out)
	case "serve":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		fmt.Printf("listening http://%s\n", l.Addr())
		http.Serve(l, guard(http.DefaultServeMux, *token, *basic))
	case "serve-tls":
		// httptest's certificate covers 127.0.0.1; clients must be given
		// it as a CA file (written to -out) to verify the server.
		srv := httptest.NewUnstartedServer(guard(http.DefaultServeMux, *token, *basic))
		srv.StartTLS()
		pem := "-----BEGIN CERTIFICATE-----\n" +
			base64Lines(srv.Certificate().Raw) + "-----END CERTIFICATE-----\n"
		if err := os.WriteFile(filepath.Join(*out, "ca.pem"), []byte(pem), 0o644); err != nil {
			panic(err)
		}
		fmt.Printf("listening %s\n", srv.URL)
		select {}
	default:
		fmt.Fprintln(os.Stderr, "unknown -mode", *mode)
		os.Exit(2)
	}
}
