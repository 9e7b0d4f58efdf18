// Package ownchecks already checks for leaks itself, goleak-style (a
// deferred check that fails the test when goroutines are left): it keeps
// working under leakhound test, whose check adds no goroutine and does
// not fail tests.
package ownchecks

import (
	"runtime"
	"testing"
	"time"
)

// verifyNone fails t when more goroutines run at the end than at the
// start, after a grace period, like goleak.VerifyNone.
func verifyNone(t *testing.T) func() {
	before := runtime.NumGoroutine()
	return func() {
		deadline := time.Now().Add(200 * time.Millisecond)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("verifyNone: %d goroutine(s) left", n-before)
		}
	}
}

func TestCleanWithOwnCheck(t *testing.T) {
	defer verifyNone(t)()
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

func TestLeakWithOwnCheck(t *testing.T) {
	defer verifyNone(t)()
	ch := make(chan int)
	go func() { // GO:leak
		ch <- 1 // LEAK:send
	}()
}
