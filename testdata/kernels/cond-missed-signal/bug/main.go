// Kernel: a price cache is warmed in the background, and request handlers
// wait for the warm-up on a sync.Cond. WaitWarm checks c.warm without the
// lock and then waits once, with no loop re-checking it; Warm sets c.warm
// outside the lock before broadcasting. A handler that saw "not warm" but
// reaches Wait only after the broadcast has missed its wake-up and waits
// forever.
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
	c.mu.Unlock()
	c.warm = true
	c.cond.Broadcast()
}

// WaitWarm returns once the cache has been warmed.
func (c *PriceCache) WaitWarm() {
	if c.warm {
		return
	}
	if c.onWait != nil {
		c.onWait()
	}
	c.mu.Lock()
	c.cond.Wait() // BUG
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
