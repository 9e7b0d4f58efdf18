// Package forms holds the goroutines whose tracebacks the forms e2e tests
// record: bubbled workers that block durably, and labelled handlers.
package forms

import (
	"context"
	"runtime/pprof"
	"sync"
	"time"
)

// StartWorkers starts five goroutines that block durably once inside a
// synctest bubble: a receive on a bubbled channel, an empty select, a
// sync.Cond wait, a WaitGroup wait and a long sleep (fake time stands
// still while the bubble is not idle).
func StartWorkers() chan int {
	ch := make(chan int)
	go recvForever(ch)
	go selectForever()
	go condForever()
	go wgForever()
	go sleepForever()
	return ch
}

func wgForever() {
	var wg sync.WaitGroup
	wg.Add(1) // inside a bubble: the WaitGroup belongs to it
	wg.Wait() // LEAK:wg
}

func recvForever(ch chan int) {
	<-ch // LEAK:recv
}

func selectForever() {
	select {} // LEAK:select
}

func condForever() {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	c.Wait() // LEAK:cond
}

func sleepForever() {
	time.Sleep(time.Hour) // LEAK:sleep
}

// StartLabelled starts goroutines that carry pprof labels and block on
// `block`: two with a plain label value and one whose value needs quoting.
func StartLabelled(block chan struct{}, started *sync.WaitGroup) {
	for i := 0; i < 2; i++ {
		started.Add(1)
		pprof.Do(context.Background(), pprof.Labels("pattern", "GET /x"), func(context.Context) {
			go handler(block, started)
		})
	}
	started.Add(1)
	pprof.Do(context.Background(), pprof.Labels("job", "say \"hi\"", "shard", "7"), func(context.Context) {
		go handler(block, started)
	})
}

func handler(block chan struct{}, started *sync.WaitGroup) {
	started.Done()
	<-block // LEAK:labelled
}
