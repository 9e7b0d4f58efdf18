// Package failing has a failing test: its own failure keeps a distinct
// exit code, and its leak is still reported.
package failing

import "testing"

func TestFails(t *testing.T) {
	ch := make(chan int)
	go func() { // GO:leak
		ch <- 1 // LEAK:send
	}()
	t.Error("this test fails on purpose")
}
