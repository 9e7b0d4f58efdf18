// benign is a healthy service: every goroutine waits by design. It holds
// the shapes a naive leak detector flags: a worker pool waiting for jobs,
// HTTP keep-alive connections idle on both sides, a ticker loop with a
// cancellable context, a signal handler, a periodic job sleeping, and a
// condition variable that is signalled. leakhound must not call any of
// them a leak.
//
//	benign -mode debug2|stack     dump to stdout after the service settles
//	benign -mode serve            serve net/http/pprof, print "listening http://ADDR"
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
	"syscall"
	"time"
)

func worker(jobs <-chan int, results chan<- int) {
	for j := range jobs { // BENIGN:worker-pool
		results <- j * j
	}
}

func ticker(ctx context.Context, beats *int64) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select { // BENIGN:ticker
		case <-t.C:
			*beats++
		case <-ctx.Done():
			return
		}
	}
}

func periodic(ctx context.Context) {
	for ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond) // BENIGN:periodic
	}
}

type mailbox struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []string
	done  bool
}

func (m *mailbox) consume() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for !m.done {
		for len(m.items) == 0 && !m.done {
			m.cond.Wait() // BENIGN:cond-consumer
		}
		m.items = nil
	}
}

func (m *mailbox) put(s string) {
	m.mu.Lock()
	m.items = append(m.items, s)
	m.mu.Unlock()
	m.cond.Signal()
}

func main() {
	mode := flag.String("mode", "debug2", "debug2|stack|serve")
	flag.Parse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	jobs, results := make(chan int), make(chan int, 100)
	for i := 0; i < 6; i++ {
		go worker(jobs, results)
	}
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
			<-results
			time.Sleep(30 * time.Millisecond)
		}
	}()

	var beats int64
	go ticker(ctx, &beats)
	go periodic(ctx)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)

	box := &mailbox{}
	box.cond = sync.NewCond(&box.mu)
	go box.consume()
	go func() {
		for ctx.Err() == nil {
			box.put("ping")
			time.Sleep(40 * time.Millisecond)
		}
	}()

	// An HTTP server with keep-alive clients that finished their requests.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	go http.Serve(l, nil)
	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + l.Addr().String()
	for i := 0; i < 3; i++ {
		resp, err := client.Get(base + "/ok")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	time.Sleep(300 * time.Millisecond)
	runtime.GC()

	switch *mode {
	case "debug2":
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	case "stack":
		buf := make([]byte, 1<<20)
		os.Stdout.Write(buf[:runtime.Stack(buf, true)])
	case "serve":
		fmt.Printf("listening %s\n", base)
		select {
		case <-sigs:
		case <-time.After(10 * time.Minute):
		}
	}
}
