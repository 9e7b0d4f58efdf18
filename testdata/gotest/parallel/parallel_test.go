package parallel

import (
	"testing"
	"time"
)

// Both run at once; only TestParallelLeaky leaks. TestParallelClean's
// worker is still running when TestParallelLeaky's check looks, so
// timing alone cannot tell them apart.
func TestParallelLeaky(t *testing.T) {
	t.Parallel()
	Leak(make(chan int))
	time.Sleep(50 * time.Millisecond)
}

func TestParallelClean(t *testing.T) {
	t.Parallel()
	done := make(chan struct{})
	go func() {
		time.Sleep(700 * time.Millisecond)
		close(done)
	}()
	<-done
}

func TestSubtests(t *testing.T) {
	t.Run("clean", func(t *testing.T) {})
	t.Run("leaky", func(t *testing.T) {
		Spawn(make(chan int))
	})
	t.Run("parallel", func(t *testing.T) {
		t.Parallel()
		Leak(make(chan int))
	})
}
