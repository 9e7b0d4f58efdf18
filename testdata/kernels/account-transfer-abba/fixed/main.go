// Kernel: a ledger moves money between two accounts. Both accounts are
// locked in a global order (lower id first), whatever the direction of the
// transfer.
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

// started is a test hook: it releases both transfers at the same moment.
var started sync.WaitGroup

// TransferTo moves amount from a to dst.
func (a *Account) TransferTo(dst *Account, amount int) error {
	first, second := a, dst
	if dst.id < a.id {
		first, second = dst, a
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
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

	started.Add(2)
	go func() {
		started.Done()
		started.Wait()
		if err := alice.TransferTo(bob, 30); err != nil {
			log.Printf("alice->bob: %v", err)
		}
	}()
	go func() {
		started.Done()
		started.Wait()
		if err := bob.TransferTo(alice, 10); err != nil {
			log.Printf("bob->alice: %v", err)
		}
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
