package b

import "testing"

// 2 goroutine(s) blocked sending on a channel nobody reads, then the test
// waits on another that never closes: the -timeout panic dumps them all.
func TestHangB(t *testing.T) {
	results := make(chan int)
	for i := 0; i < 2; i++ {
		go func(i int) { results <- i }(i) // LEAK:send-b
	}
	<-make(chan struct{}) // LEAK:wait-b
}
