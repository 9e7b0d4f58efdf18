// Kernel: a size-bounded cache whose eviction path, running with c.mu
// held, calls the public Delete method, which locks c.mu again.
package main

import (
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type Cache struct {
	mu       sync.Mutex
	capacity int
	items    map[string]string
	order    []string // insertion order, oldest first
}

func NewCache(capacity int) *Cache {
	return &Cache{capacity: capacity, items: make(map[string]string)}
}

func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[key]
	return v, ok
}

func (c *Cache) Put(key, value string) {
	c.mu.Lock() // CONSEQUENCE
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		c.order = append(c.order, key)
	}
	c.items[key] = value
	if len(c.items) > c.capacity {
		c.evictOldest()
	}
}

// Delete removes key from the cache.
func (c *Cache) Delete(key string) {
	c.mu.Lock() // BUG
	defer c.mu.Unlock()
	c.deleteLocked(key)
}

func (c *Cache) deleteLocked(key string) {
	delete(c.items, key)
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// evictOldest is called from Put with c.mu held.
func (c *Cache) evictOldest() {
	if len(c.order) == 0 {
		return
	}
	c.Delete(c.order[0])
}

func main() {
	log.SetFlags(0)
	c := NewCache(3)
	c.Put("user:1", "alice")
	c.Put("user:2", "bob")
	c.Put("user:3", "carol")

	// Two request handlers insert new entries; the cache is full, so the
	// first one to get c.mu starts an eviction.
	for _, kv := range [][2]string{{"user:4", "dave"}, {"user:5", "erin"}} {
		go func(key, value string) {
			c.Put(key, value)
			log.Printf("stored %s", key)
		}(kv[0], kv[1])
	}

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
