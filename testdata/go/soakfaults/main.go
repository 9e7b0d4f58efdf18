// soakfaults stands for the services that go wrong under a long-running
// `leakhound watch` (bench/soak.sh): one process listening on N loopback
// ports, each answering in its own mode, which a modes file changes while
// it runs (re-read on SIGHUP), so the same target can be healthy, then
// stall, then answer garbage.
//
// Modes (per port, per request):
//
//	ok         this process's real net/http/pprof answer (debug=0, 1, 2)
//	slowok     the real answer after 1-3 s (inside any sane timeout)
//	stall      reads the request, never answers; holds the connection
//	           until the client gives up
//	stallbody  a 200 head and the first bytes of a real answer, then
//	           nothing more
//	slow       a real answer dripped 16 bytes every 500 ms (minutes for
//	           a profile: a total timeout must cut it)
//	garbage    200 with 1 B..256 KiB of random bytes
//	gzip       200 with a real (gzip) debug=0 profile cut short, or a
//	           gzip header followed by random bytes
//	html       200 text/html: a login page, as a proxy in front might send
//	huge       200 without Content-Length, random bytes until the client
//	           hangs up (a size cap must cut it)
//	reset      reads the request, then resets the connection (RST)
//
// Behind the ports run a few dozen goroutines (channel waits, pollers)
// and, with -leak-every, one more blocked goroutine that often, so "ok"
// answers are a small real service's profile; a restart starts the
// goroutine ids and the leak over.
//
//	soakfaults [-host 127.0.0.1] (-n N [-from 20000] | -ports P1,P2,...)
//	    [-mode ok] [-modes FILE] [-leak-every 0] [-parent PID]
//
// Prints one line "http://HOST:PORT" per port, then "ready". -n takes the
// first N free ports from -from upward (below the ephemeral range, so a
// restart with -ports finds them free); -ports binds exactly those,
// retrying each for 15 s. FILE has lines "PORT MODE"; ports not in it
// get -mode. SIGHUP re-reads FILE; SIGUSR1 prints the requests served so
// far per mode on stderr ("served ok=N stall=N ..."). With -parent, exits
// when that process is gone (no strays if the caller is killed).
// Standard library only; go 1.19.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var allModes = []string{"ok", "slowok", "stall", "stallbody", "slow", "garbage", "gzip", "html", "huge", "reset"}

func knownMode(m string) bool {
	for _, k := range allModes {
		if k == m {
			return true
		}
	}
	return false
}

type state struct {
	mu       sync.Mutex
	def      string
	modes    map[int]string
	served   map[string]int64
	file     string
	profiles *http.ServeMux
}

func (s *state) mode(port int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.modes[port]
	if !ok {
		m = s.def
	}
	s.served[m]++
	return m
}

// load reads "PORT MODE" lines; a bad file keeps the modes in force.
func (s *state) load() error {
	if s.file == "" {
		return nil
	}
	data, err := os.ReadFile(s.file)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	modes := map[int]string{}
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		port, err := strconv.Atoi(f[0])
		if len(f) != 2 || err != nil || !knownMode(f[1]) {
			return fmt.Errorf("%s:%d: expected \"PORT MODE\" (modes: %s)", s.file, i+1, strings.Join(allModes, " "))
		}
		modes[port] = f[1]
	}
	s.mu.Lock()
	s.modes = modes
	s.mu.Unlock()
	return nil
}

func (s *state) counts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.served))
	for k := range s.served {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("served")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, s.served[k])
	}
	return b.String()
}

// real answers req as net/http/pprof would.
func (s *state) real(req *http.Request) (int, string, []byte) {
	rec := httptest.NewRecorder()
	s.profiles.ServeHTTP(rec, req)
	ct := rec.Header().Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	return rec.Code, ct, rec.Body.Bytes()
}

func head(w io.Writer, status int, ctype string, length int) error {
	cl := ""
	if length >= 0 {
		cl = fmt.Sprintf("Content-Length: %d\r\n", length)
	} else {
		cl = "Connection: close\r\n"
	}
	_, err := fmt.Fprintf(w, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sDate: %s\r\n\r\n",
		status, http.StatusText(status), ctype, cl, time.Now().UTC().Format(http.TimeFormat))
	return err
}

func answer(w io.Writer, status int, ctype string, body []byte) error {
	if err := head(w, status, ctype, len(body)); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

// hold waits until the client closes the connection (or 10 minutes).
func hold(c net.Conn, br *bufio.Reader) {
	c.SetDeadline(time.Now().Add(10 * time.Minute))
	io.Copy(io.Discard, br)
}

const loginPage = `<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><form method="post" action="/login"><h1>Sign in to continue</h1>
<input name="user"><input name="password" type="password"><button>Sign in</button></form>
<!-- the proxy in front of the service answered instead of the service --></body></html>
`

// serve answers one request in mode m; false when the connection must close.
func (s *state) serve(c net.Conn, br *bufio.Reader, req *http.Request, m string, rng *rand.Rand) bool {
	c.SetWriteDeadline(time.Now().Add(2 * time.Minute))
	switch m {
	case "slowok":
		time.Sleep(time.Duration(1000+rng.Intn(2000)) * time.Millisecond)
		fallthrough
	case "ok":
		st, ct, body := s.real(req)
		return answer(c, st, ct, body) == nil
	case "stall":
		hold(c, br)
		return false
	case "stallbody":
		_, ct, body := s.real(req)
		if head(c, 200, ct, len(body)+4096) != nil {
			return false
		}
		n := len(body)
		if n > 100 {
			n = 100
		}
		c.Write(body[:n])
		hold(c, br)
		return false
	case "slow":
		_, ct, body := s.real(req)
		c.SetWriteDeadline(time.Now().Add(10 * time.Minute))
		if head(c, 200, ct, len(body)) != nil {
			return false
		}
		for i := 0; i < len(body); i += 16 {
			j := i + 16
			if j > len(body) {
				j = len(body)
			}
			if _, err := c.Write(body[i:j]); err != nil {
				return false
			}
			time.Sleep(500 * time.Millisecond)
		}
		return true
	case "garbage":
		body := make([]byte, 1+rng.Intn(256<<10))
		rng.Read(body)
		ct := []string{"application/octet-stream", "text/plain; charset=utf-8", "application/json"}[rng.Intn(3)]
		return answer(c, 200, ct, body) == nil
	case "gzip":
		var body []byte
		if rng.Intn(2) == 0 {
			var buf bytes.Buffer
			pprofGoroutine(&buf)
			full := buf.Bytes()
			body = full[:10+rng.Intn(len(full)-10)]
		} else {
			body = make([]byte, 64+rng.Intn(64<<10))
			rng.Read(body)
			copy(body, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
		}
		return answer(c, 200, "application/octet-stream", body) == nil
	case "html":
		return answer(c, 200, "text/html; charset=utf-8", []byte(loginPage)) == nil
	case "huge":
		if head(c, 200, "application/octet-stream", -1) != nil {
			return false
		}
		buf := make([]byte, 64<<10)
		rng.Read(buf)
		for sent := 0; sent < 1<<30; sent += len(buf) {
			if _, err := c.Write(buf); err != nil {
				break
			}
		}
		return false
	case "reset":
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		return false
	}
	return false
}

func pprofGoroutine(w io.Writer) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/debug/pprof/goroutine?debug=0", nil)
	pprof.Index(rec, req)
	w.Write(rec.Body.Bytes())
}

func (s *state) handle(c net.Conn, port int) {
	defer c.Close()
	rng := rand.New(rand.NewSource(time.Now().UnixNano() ^ int64(port)<<20))
	br := bufio.NewReader(c)
	for {
		c.SetReadDeadline(time.Now().Add(2 * time.Minute))
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
		c.SetReadDeadline(time.Time{})
		if !s.serve(c, br, req, s.mode(port), rng) || req.Close {
			return
		}
	}
}

// A small service's goroutines: workers on a queue, selects, sleepers,
// and (leak-every > 0) senders nobody receives from.
func background(leakEvery time.Duration) {
	queue := make(chan int)
	for i := 0; i < 12; i++ {
		go func() {
			for range queue { // BENIGN:soak-pool
			}
		}()
	}
	go func() {
		for i := 0; ; i++ {
			time.Sleep(20 * time.Millisecond)
			queue <- i
		}
	}()
	stop := make(chan struct{}) // never closed
	for i := 0; i < 8; i++ {
		go func(i int) {
			t := time.NewTicker(time.Duration(1+i) * time.Second)
			defer t.Stop()
			for {
				select { // BENIGN:soak-select
				case <-t.C:
				case <-stop:
					return
				}
			}
		}(i)
	}
	for i := 0; i < 6; i++ {
		go func(i int) {
			for {
				time.Sleep(time.Duration(700+i*130) * time.Millisecond) // BENIGN:soak-sleep
			}
		}(i)
	}
	if leakEvery > 0 {
		go func() {
			for {
				go func(reply chan<- int) {
					reply <- 1 // LEAK:soak-lost-reply
				}(make(chan int))
				time.Sleep(leakEvery)
			}
		}()
	}
}

func listen(host string, port int, retry time.Duration) (net.Listener, error) {
	deadline := time.Now().Add(retry)
	for {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err == nil || time.Now().After(deadline) {
			return l, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	n := flag.Int("n", 0, "listen on the first N free ports from -from upward")
	from := flag.Int("from", 20000, "first port tried with -n")
	portList := flag.String("ports", "", "listen on exactly these ports (comma-separated)")
	def := flag.String("mode", "ok", "mode of ports not in -modes")
	modesFile := flag.String("modes", "", "file of \"PORT MODE\" lines, re-read on SIGHUP")
	leakEvery := flag.Duration("leak-every", 0, "one more leaked goroutine this often (0: none)")
	parent := flag.Int("parent", 0, "exit when this process is gone")
	flag.Parse()
	if !knownMode(*def) {
		fmt.Fprintf(os.Stderr, "soakfaults: -mode %q: expected one of %s\n", *def, strings.Join(allModes, " "))
		os.Exit(2)
	}
	if (*n > 0) == (*portList != "") || *n > 10000 {
		fmt.Fprintln(os.Stderr, "soakfaults: give -n 1..10000 or -ports, not both")
		os.Exit(2)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	s := &state{def: *def, modes: map[int]string{}, served: map[string]int64{}, file: *modesFile, profiles: mux}
	if err := s.load(); err != nil {
		fmt.Fprintln(os.Stderr, "soakfaults:", err)
		os.Exit(2)
	}

	var listeners []net.Listener
	if *n > 0 {
		for p := *from; len(listeners) < *n && p <= 65535; p++ {
			if l, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(p))); err == nil {
				listeners = append(listeners, l)
			}
		}
		if len(listeners) < *n {
			fmt.Fprintf(os.Stderr, "soakfaults: only %d free ports from %d\n", len(listeners), *from)
			os.Exit(1)
		}
	} else {
		for _, f := range strings.Split(*portList, ",") {
			p, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || p < 1 || p > 65535 {
				fmt.Fprintf(os.Stderr, "soakfaults: -ports: bad port %q\n", f)
				os.Exit(2)
			}
			l, err := listen(*host, p, 15*time.Second)
			if err != nil {
				fmt.Fprintln(os.Stderr, "soakfaults:", err)
				os.Exit(1)
			}
			listeners = append(listeners, l)
		}
	}

	if *parent > 0 {
		go func(pid int) {
			for {
				time.Sleep(time.Second)
				if syscall.Kill(pid, 0) == syscall.ESRCH {
					os.Exit(0)
				}
			}
		}(*parent)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGHUP {
				if err := s.load(); err != nil {
					fmt.Fprintln(os.Stderr, "soakfaults:", err, "(modes kept)")
				}
			} else {
				fmt.Fprintln(os.Stderr, s.counts())
			}
		}
	}()
	background(*leakEvery)

	errs := make(chan error, len(listeners))
	for _, l := range listeners {
		port := l.Addr().(*net.TCPAddr).Port
		go func(l net.Listener, port int) {
			for {
				c, err := l.Accept()
				if err != nil {
					errs <- err
					return
				}
				go s.handle(c, port)
			}
		}(l, port)
		fmt.Printf("http://%s\n", l.Addr())
	}
	fmt.Println("ready")
	err := <-errs
	fmt.Fprintln(os.Stderr, "soakfaults:", err)
	os.Exit(1)
}
