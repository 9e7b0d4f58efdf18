// Package withmain has its own TestMain: the per-test checks still work.
package withmain

func Leak() {
	ch := make(chan string)
	go func() { // GO:leak
		ch <- "never read" // LEAK:send
	}()
}
