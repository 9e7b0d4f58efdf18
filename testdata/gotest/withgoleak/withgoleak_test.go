// Package withgoleak already checks its tests with Uber's goleak, the
// way teams adopt it: VerifyNone per test and VerifyTestMain for the
// package. leakhound test must leave that working (goleak still fails
// the leaking test) and report the same leak with its line and pattern.
package withgoleak

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func startWorker() chan int {
	ch := make(chan int)
	go func() { // GO:worker
		<-ch // LEAK:recv
	}()
	return ch
}

func TestLeaksWithGoleak(t *testing.T) {
	defer goleak.VerifyNone(t)
	startWorker()
}

func TestCleanWithGoleak(t *testing.T) {
	defer goleak.VerifyNone(t)
	ch := startWorker()
	ch <- 1
}
