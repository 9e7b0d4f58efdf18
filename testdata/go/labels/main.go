// labels: goroutines carrying pprof labels, blocked until SIGQUIT. With
// `go 1.27` in go.mod, Go 1.27 prints the labels in every traceback
// header by default (GODEBUG tracebacklabels=1 is the 1.27 default).
package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"sync"
	"time"
)

func serve(block chan struct{}, started *sync.WaitGroup) {
	started.Done()
	<-block // LEAK:serve
}

func main() {
	block := make(chan struct{})
	var started sync.WaitGroup
	for i := 0; i < 3; i++ {
		started.Add(1)
		pprof.Do(context.Background(), pprof.Labels("pattern", "GET /x", "tenant", "a.b/c_d"), func(context.Context) {
			go serve(block, &started)
		})
	}
	started.Add(1)
	pprof.Do(context.Background(), pprof.Labels("pattern", "POST /y {id}"), func(context.Context) {
		go serve(block, &started)
	})
	started.Wait()
	go time.Sleep(time.Hour) // a real timer: no "all goroutines are asleep"
	// "ready" (then SIGQUIT) a moment later, once every goroutine has parked.
	go func() {
		time.Sleep(200 * time.Millisecond)
		fmt.Println("ready")
	}()
	<-block
}
