// Kernel: an inventory service reserves stock under s.mu. Reserve defers
// the unlock right after taking the lock, so the validation error path
// releases it too and the next reservation goes through.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var errBadQuantity = errors.New("quantity must be positive")

type Inventory struct {
	mu       sync.Mutex
	stock    map[string]int
	reserved map[string]int
}

func (s *Inventory) Reserve(sku string, qty int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if qty <= 0 {
		return fmt.Errorf("reserve %s: %w", sku, errBadQuantity)
	}
	if s.stock[sku]-s.reserved[sku] < qty {
		return fmt.Errorf("reserve %s: only %d left", sku, s.stock[sku]-s.reserved[sku])
	}
	s.reserved[sku] += qty
	return nil
}

func main() {
	log.SetFlags(0)
	inv := &Inventory{
		stock:    map[string]int{"sku-3321": 10},
		reserved: make(map[string]int),
	}

	handle := func(order string, sku string, qty int) {
		if err := inv.Reserve(sku, qty); err != nil {
			log.Printf("POST /orders/%s: %v", order, err)
			return
		}
		log.Printf("POST /orders/%s: reserved %d x %s", order, qty, sku)
	}

	// A client sends an order with a zero quantity.
	var first sync.WaitGroup
	first.Add(1)
	go func() {
		defer first.Done()
		handle("o-17", "sku-3321", 0)
	}()
	first.Wait()

	// The next order is valid.
	go handle("o-18", "sku-3321", 2)

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
