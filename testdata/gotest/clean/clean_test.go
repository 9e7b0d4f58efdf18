// Package clean leaks nothing: leakhound test exits 0.
package clean

import (
	"sync"
	"testing"
)

func TestWaits(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	wg.Wait()
}

func TestSub(t *testing.T) {
	t.Run("a", func(t *testing.T) {
		done := make(chan struct{})
		go func() { close(done) }()
		<-done
	})
}
