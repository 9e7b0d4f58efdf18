// Package flaky leaks under one schedule only (a stand-in for a leak that
// needs an unlucky interleaving): with one P, the worker loses the race
// to the early return and is left blocked; with more, it wins.
package flaky

import (
	"runtime"
	"testing"
)

func firstOrGiveUp() {
	result := make(chan int)
	go func() { // GO:worker
		result <- 1 // LEAK:send
	}()
	if runtime.GOMAXPROCS(0) == 1 {
		return // "timed out" before the worker ran
	}
	<-result
}

func TestSometimesLeaks(t *testing.T) {
	firstOrGiveUp()
}
