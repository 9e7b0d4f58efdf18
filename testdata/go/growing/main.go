// growing leaks a little more on every tick, the way a service leaks per
// request: K handler goroutines block on a send nobody receives. Next to
// them sit a pool of workers that never grows and one goroutine that
// spins without ever blocking. A series of snapshots must flag the first,
// clear the second and catch the third.
//
//	growing -snapshots N -interval D -out DIR   write N debug=2 dumps DIR/snap-000.txt...
//	growing -mode serve                         serve net/http/pprof, print "listening http://ADDR"
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

const perTick = 5

var spins int64

// handle answers on a channel its caller stopped reading (it gave up).
func handle(reply chan int, v int) {
	reply <- v * 2 // LEAK:growing-send
}

func request(v int) {
	reply := make(chan int)
	go handle(reply, v)
	// The caller times out at once and never reads the reply.
}

func worker(jobs chan int) {
	for {
		j := <-jobs // BENIGN:flat-pool
		_ = j
	}
}

func spin(stop *int32) {
	x := 0
	for atomic.LoadInt32(stop) == 0 { // LEAK:busy-loop (any line of this loop)
		x = x*31 + 7
		if x%1000003 == 0 {
			atomic.AddInt64(&spins, 1)
		}
	}
}

func tick(n int) {
	for i := 0; i < perTick; i++ {
		request(n*perTick + i)
	}
	time.Sleep(20 * time.Millisecond)
}

func main() {
	snapshots := flag.Int("snapshots", 3, "dumps to write")
	interval := flag.Duration("interval", 200*time.Millisecond, "time between ticks")
	out := flag.String("out", ".", "folder for the dumps")
	mode := flag.String("mode", "snapshots", "snapshots|serve")
	flag.Parse()

	jobs := make(chan int)
	for i := 0; i < 4; i++ {
		go worker(jobs)
	}
	var stop int32
	go spin(&stop)
	runtime.Gosched()

	if *mode == "serve" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		fmt.Printf("listening http://%s\n", l.Addr())
		go func() {
			for n := 0; ; n++ {
				tick(n)
				time.Sleep(*interval)
			}
		}()
		http.Serve(l, nil)
		return
	}
	for n := 0; n < *snapshots; n++ {
		tick(n)
		f, err := os.Create(filepath.Join(*out, fmt.Sprintf("snap-%03d.txt", n)))
		if err != nil {
			panic(err)
		}
		pprof.Lookup("goroutine").WriteTo(f, 2)
		f.Close()
		time.Sleep(*interval)
	}
	atomic.StoreInt32(&stop, 1)
}
