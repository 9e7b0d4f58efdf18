// Kernel: a price cache is warmed in the background, and request handlers
// wait for the warm-up on a sync.Cond. Warm sets c.warm under the lock
// before broadcasting, and WaitWarm re-checks c.warm under the same lock
// in a loop around Wait, so a handler that comes late sees the cache warm
// and never waits for a broadcast that has already happened.
package main

import (
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type PriceCache struct {
	mu     sync.Mutex
	cond   *sync.Cond
	warm   bool
	prices map[string]int

	// onWait is an observability hook, called when a caller starts
	// waiting for the warm-up.
	onWait func()
}

func NewPriceCache() *PriceCache {
	c := &PriceCache{prices: make(map[string]int)}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Warm loads the prices and wakes every caller waiting for them.
func (c *PriceCache) Warm(prices map[string]int) {
	c.mu.Lock()
	for k, v := range prices {
		c.prices[k] = v
	}
	c.warm = true
	c.mu.Unlock()
	c.cond.Broadcast()
}

// WaitWarm returns once the cache has been warmed.
func (c *PriceCache) WaitWarm() {
	c.mu.Lock()
	warm := c.warm
	c.mu.Unlock()
	if warm {
		return
	}
	if c.onWait != nil {
		c.onWait()
	}
	c.mu.Lock()
	for !c.warm {
		c.cond.Wait()
	}
	c.mu.Unlock()
}

func (c *PriceCache) Get(sku string) int {
	c.WaitWarm()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.prices[sku]
}

func main() {
	log.SetFlags(0)
	c := NewPriceCache()

	// main uses the hook to order the run: the handler has seen "not
	// warm" before the warmer starts, and goes on only once it is done.
	waiting := make(chan struct{})
	warmed := make(chan struct{})
	c.onWait = func() {
		close(waiting)
		<-warmed
	}

	go func() {
		log.Printf("GET /price/sku-7: %d", c.Get("sku-7"))
	}()

	// Background warmer.
	go func() {
		<-waiting
		c.Warm(map[string]int{"sku-7": 1299, "sku-9": 450})
		close(warmed)
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
