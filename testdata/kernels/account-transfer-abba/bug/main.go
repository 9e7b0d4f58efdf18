// Kernel: a ledger moves money between two accounts by locking the source
// account and then the destination account. Two opposite transfers lock
// the same pair of accounts in opposite order.
package main

import (
	"errors"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var errInsufficientFunds = errors.New("insufficient funds")

type Account struct {
	mu      sync.Mutex
	id      int
	owner   string
	balance int
}

// holdingFirst is a test hook: it lets both transfers take their first lock
// before either takes its second, so the interleaving is deterministic.
var holdingFirst sync.WaitGroup

// TransferTo moves amount from a to dst.
func (a *Account) TransferTo(dst *Account, amount int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	holdingFirst.Done()
	holdingFirst.Wait()

	dst.mu.Lock() // BUG
	defer dst.mu.Unlock()
	if a.balance < amount {
		return errInsufficientFunds
	}
	a.balance -= amount
	dst.balance += amount
	return nil
}

func main() {
	log.SetFlags(0)
	alice := &Account{id: 1, owner: "alice", balance: 100}
	bob := &Account{id: 2, owner: "bob", balance: 80}

	holdingFirst.Add(2)
	go func() {
		if err := alice.TransferTo(bob, 30); err != nil {
			log.Printf("alice->bob: %v", err)
		}
	}()
	go func() {
		if err := bob.TransferTo(alice, 10); err != nil {
			log.Printf("bob->alice: %v", err)
		}
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
