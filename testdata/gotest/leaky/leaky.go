// Package leaky holds functions that leak a goroutine each, one per
// pattern, for leakhound test's end-to-end tests. The LEAK:name markers
// name the line each leaked goroutine blocks at; GO:name the go statement.
package leaky

import "sync"

// SendNoReceiver returns before reading the result its goroutine sends.
func SendNoReceiver() {
	ch := make(chan int)
	go func() { // GO:send
		ch <- 1 // LEAK:send
	}()
}

// RecvNoSender waits for a value nobody sends.
func RecvNoSender() {
	ch := make(chan int)
	go func() { // GO:recv
		<-ch // LEAK:recv
	}()
}

// NilChan receives from a channel that was never made.
func NilChan() {
	var ch chan int
	go func() { // GO:nil
		<-ch // LEAK:nil
	}()
}

// LockedForever locks a mutex its owner never unlocks.
func LockedForever() {
	var mu sync.Mutex
	mu.Lock()
	go func() { // GO:mutex
		mu.Lock() // LEAK:mutex
		mu.Unlock()
	}()
}

// WaitNeverDone waits on a WaitGroup one Done short.
func WaitNeverDone() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { wg.Done() }()
	go func() { // GO:wg
		wg.Wait() // LEAK:wg
	}()
}

// SelectNoCase selects on channels nobody uses.
func SelectNoCase() {
	a, b := make(chan int), make(chan string)
	go func() { // GO:select
		select { // LEAK:select
		case <-a:
		case <-b:
		}
	}()
}

// RangeUnclosed ranges over a channel nobody closes.
func RangeUnclosed() {
	ch := make(chan int)
	go func() { // GO:range
		for v := range ch { // LEAK:range
			_ = v
		}
	}()
	ch <- 1
}

// Clean starts a goroutine and waits for it.
func Clean() int {
	ch := make(chan int, 1)
	go func() { ch <- 42 }()
	return <-ch
}

// SlowExit's goroutine ends on its own within the settle time.
func SlowExit(done chan struct{}) {
	go func() {
		<-done
	}()
}

// jobs is reachable for the life of the program, so the Go runtime's
// leak detector cannot prove a goroutine waiting on it leaked.
var jobs = make(chan int)

// RecvGlobal waits on a package-level channel nobody sends on.
func RecvGlobal() {
	go func() { // GO:global
		<-jobs // LEAK:global
	}()
}
