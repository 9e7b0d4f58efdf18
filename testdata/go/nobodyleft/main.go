// nobodyleft parks goroutines on channels and WaitGroups that only their
// own function's code can reach, next to look-alikes that can still be
// woken, then prints its goroutine dump (debug=2) and exits.
//
//	LEAK:tag  a goroutine nobody is left to wake: leakhound must prove it
//	          (with the source) and list the goroutines of its component
//	LIVE:tag  parked as well, but something can still reach its object:
//	          no proof
package main

import (
	"errors"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var errTimeout = errors.New("timed out")

// Fetch gives up after a timeout; the helper's send has no receiver left.
func Fetch(slow chan struct{}) error {
	result := make(chan string)
	go func() {
		<-slow
		result <- "answer" // LEAK:abandoned
	}()
	select {
	case <-result:
		return nil
	case <-time.After(10 * time.Millisecond):
		return errTimeout
	}
}

// Exchange starts a sender and a receiver on two different channels and
// returns: each waits for a partner that never comes.
func Exchange() {
	a := make(chan int)
	b := make(chan int)
	go func() {
		a <- 1 // LEAK:pair-send
	}()
	go func() {
		<-b // LEAK:pair-recv
	}()
}

// consume ranges over rows until it is closed.
func consume(rows <-chan int, done *sync.WaitGroup) {
	done.Done()
	for r := range rows { // LEAK:range
		_ = r
	}
}

// Import hands rows to consume and returns without closing them.
func Import(n int, started *sync.WaitGroup) {
	rows := make(chan int)
	go consume(rows, started)
	for i := 0; i < n; i++ {
		rows <- i
	}
}

// WaitAll counts two helpers in, but only one counts itself out.
func WaitAll() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
	}()
	go func() {
		// forgot wg.Done()
	}()
	wg.Wait() // LEAK:wg
}

// Poll's receiver waits for a value Poll sends after a long sleep: Poll
// is still there to wake it.
func Poll() {
	ch := make(chan int)
	go func() {
		<-ch // LIVE:sleeper-recv
	}()
	time.Sleep(time.Hour)
	ch <- 1
}

// Deadline's waiter has a timer case: it wakes by itself.
func Deadline() {
	ch := make(chan int)
	go func() {
		select { // LIVE:timer
		case <-ch:
		case <-time.After(time.Hour):
		}
	}()
}

// numbers emits up to n values on the channel it returns; First, its
// only caller, takes one and returns, so the rest have no receiver.
func numbers(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i // LEAK:returned
		}
	}()
	return out
}

// First returns the first value numbers emits.
func First() int {
	for v := range numbers(3) {
		return v
	}
	return -1
}

var registry []chan int

var ticker <-chan int

// ticks returns a channel its caller keeps in a package variable, where
// anyone can receive from it later.
func ticks() <-chan int {
	out := make(chan int)
	go func() {
		out <- 1 // LIVE:returned-kept
	}()
	return out
}

// Register stores the channel where anyone can send on it later.
func Register() {
	ch := make(chan int)
	registry = append(registry, ch)
	go func() {
		<-ch // LIVE:passed
	}()
}

func main() {
	slow := make(chan struct{})
	_ = Fetch(slow)
	close(slow)
	Exchange()
	var started sync.WaitGroup
	started.Add(1)
	Import(0, &started)
	started.Wait()
	go WaitAll()
	go Poll()
	Deadline()
	Register()
	_ = First()
	ticker = ticks()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
