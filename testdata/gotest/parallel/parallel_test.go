package parallel

import (
	"testing"
	"time"
)

// Both run at once; only TestParallelLeaky leaks, while TestParallelClean
// is still running, so timing alone cannot tell them apart.
func TestParallelLeaky(t *testing.T) {
	t.Parallel()
	Leak(make(chan int))
	time.Sleep(50 * time.Millisecond)
}

func TestParallelClean(t *testing.T) {
	t.Parallel()
	time.Sleep(200 * time.Millisecond)
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
