// Package aftermain leaks from functions that get no check of their own:
// the final check after all tests finds those leaks.
package aftermain

import "testing"

func leak() {
	ch := make(chan int)
	go func() { // GO:leak
		ch <- 1 // LEAK:send
	}()
}

// Its *testing.T has no name, so no check can be put in it.
func TestUnnamed(_ *testing.T) {
	leak()
}
