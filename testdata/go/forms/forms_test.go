package forms

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// keepAlive sleeps on a real timer outside any bubble, so the runtime's
// "all goroutines are asleep" check never fires while a test waits for
// its signal.
func keepAlive() {
	go time.Sleep(time.Hour)
}

// sayReady prints "ready" (the test then gets its signal) a moment after
// `now` is closed, from outside any bubble, so that the goroutine which
// closed it has parked by then instead of being caught mid-step.
func sayReady(now chan struct{}) {
	<-now
	time.Sleep(200 * time.Millisecond)
	fmt.Fprintln(os.Stdout, "ready")
}

// The bubble's main goroutine returns while its workers stay blocked:
// the runtime panics "deadlock: main bubble goroutine has exited but
// blocked goroutines remain" and prints the bubble's goroutines.
func TestBubbleExited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		StartWorkers()
	})
}

// The bubble's main goroutine itself blocks on a bubbled channel: "all
// goroutines in bubble are blocked".
func TestBubbleBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := StartWorkers()
		ch <- 1 // the receiver takes it; the second send blocks for ever
		ch <- 2 // LEAK:main-send
	})
}

// The workers block durably while the bubble's main goroutine waits on a
// channel from outside the bubble (not durable), so the bubble never goes
// idle: the test says "ready" and waits for the signal.
func TestDurableQuit(t *testing.T) {
	keepAlive()
	outside := make(chan int)
	now := make(chan struct{})
	go sayReady(now)
	synctest.Test(t, func(t *testing.T) {
		StartWorkers()
		synctest.Wait()
		close(now) // a channel from outside the bubble: not durable
		<-outside  // BENIGN:outside
	})
}

// Labelled goroutines blocked until the signal.
func TestLabels(t *testing.T) {
	keepAlive()
	block := make(chan struct{})
	var started sync.WaitGroup
	StartLabelled(block, &started)
	started.Wait()
	now := make(chan struct{})
	go sayReady(now)
	close(now)
	<-block
}
