package a

import "testing"

// 1 goroutine(s) blocked sending on a channel nobody reads, then the test
// waits on another that never closes: the -timeout panic dumps them all.
func TestHangA(t *testing.T) {
	results := make(chan int)
	for i := 0; i < 1; i++ {
		go func(i int) { results <- i }(i) // LEAK:send-a
	}
	<-make(chan struct{}) // LEAK:wait-a
}
