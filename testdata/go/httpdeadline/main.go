// httpdeadline parks HTTP client calls on a server that accepts
// connections and never answers, then prints a debug=2 goroutine dump.
// Calls made without a deadline wait forever (LEAK); calls whose client
// has a Timeout end by themselves (LIVE): leakhound tells them apart by
// the deadline net/http.send is passed, which the dump prints.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

const perKind = 3

func noTimeout(url string) {
	resp, err := http.Get(url) // LEAK:http-no-timeout
	if err == nil {
		resp.Body.Close()
	}
}

var patient = &http.Client{Timeout: time.Hour}

func withTimeout(url string) {
	resp, err := patient.Get(url) // LIVE:client-timeout
	if err == nil {
		resp.Body.Close()
	}
}

func ownTransport(url string) {
	c := &http.Client{Timeout: 30 * time.Minute, Transport: &http.Transport{}}
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return
	}
	resp, err := c.Do(req) // LIVE:own-transport
	if err == nil {
		resp.Body.Close()
	}
}

// silent accepts connections and keeps them open without a word.
func silent(l net.Listener) {
	var conns []net.Conn
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		conns = append(conns, c)
	}
}

func dump() string {
	var b strings.Builder
	pprof.Lookup("goroutine").WriteTo(&b, 2)
	return b.String()
}

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpdeadline:", err)
		os.Exit(1)
	}
	go silent(l)
	url := "http://" + l.Addr().String() + "/"
	for i := 0; i < perKind; i++ {
		go noTimeout(url)
		go withTimeout(url)
		go ownTransport(url)
	}
	// Wait until every call is parked in its round trip, waiting for
	// the response that never comes.
	deadline := time.Now().Add(20 * time.Second)
	for {
		d := dump()
		if strings.Count(d, "net/http.(*persistConn).roundTrip(") >= 3*perKind {
			fmt.Print(d)
			return
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "httpdeadline: calls did not park in time")
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
