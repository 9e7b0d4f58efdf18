// Package initgo starts a goroutine from init() that blocks forever: it
// was there before any test ran, as goleak's IgnoreCurrent ignores.
package initgo

import "time"

var started = make(chan int)

func init() {
	go func() {
		started <- 1 // LEAK:init
	}()
}

// Work leaks a goroutine of its own.
func Work() {
	ch := make(chan int)
	go func() {
		ch <- 1 // LEAK:work
	}()
}

// Poll sleeps in a loop that never ends: no pattern names it, it only
// outlived its test.
func Poll() {
	go func() {
		for {
			time.Sleep(time.Hour) // LEAK:poll
		}
	}()
}
