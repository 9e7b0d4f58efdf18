// Package parallel leaks from parallel tests and subtests, so that the
// leak must be put on the right test by the creator chain, not by timing.
package parallel

// Leak starts a goroutine that waits forever on ch.
func Leak(ch chan int) {
	go func() { // GO:leak
		<-ch // LEAK:recv
	}()
}

// Spawn leaks through a helper goroutine that exits: the chain is broken.
func Spawn(ch chan int) {
	done := make(chan struct{})
	go func() {
		go func() { // GO:spawned
			ch <- 1 // LEAK:send
		}()
		close(done)
	}()
	<-done
}
