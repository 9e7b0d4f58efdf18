// Package hang has a test that never ends: run with -timeout, go test's
// dump of the hung binary is read and each blocked goroutine is named.
package hang

import "testing"

func TestHangs(t *testing.T) {
	results := make(chan int)
	go func() { // GO:send
		results <- 1 // LEAK:send
	}()
	never := make(chan int)
	<-never // LEAK:recv
}
