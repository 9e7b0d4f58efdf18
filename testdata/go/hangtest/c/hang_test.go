package c

import "testing"

// 3 goroutine(s) blocked sending on a channel nobody reads, then the test
// waits on another that never closes: the -timeout panic dumps them all.
func TestHangC(t *testing.T) {
	results := make(chan int)
	for i := 0; i < 3; i++ {
		go func(i int) { results <- i }(i) // LEAK:send-c
	}
	<-make(chan struct{}) // LEAK:wait-c
}
