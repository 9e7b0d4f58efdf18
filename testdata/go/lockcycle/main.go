// lockcycle is four ways goroutines stop on sync locks, and one way they
// only seem to: each goroutine below parks in Lock or RLock, and the dump
// alone says no more than that. With the source, the frames' printed
// arguments (receivers, pointer parameters) tell which object each frame
// works on, and the functions on the stacks tell which locks they took
// before their current line:
//
//   - Ledger.Add locks l.mu and calls l.Total, which locks it again: the
//     goroutine waits for itself (mutex-held, a cycle of one).
//   - move(a, b) and move(b, a) each hold their first account and wait
//     for the other's (lock-order-inversion, a cycle of two); Audit then
//     waits for account a, behind that cycle (proven too).
//   - Index.Report holds a read lock and calls Index.Size, which read-locks
//     again after a writer (Index.Put) queued: the writer waits for the
//     reader, the reader for the writer (rwmutex-recursive-read).
//   - Outbox.Send holds o.mu across a channel send nobody receives; a second
//     Send waits for o.mu (not a cycle: the holder is blocked on a channel).
//   - Clock.Tick holds c.mu while it sleeps; a reader waits for c.mu. The
//     sleeper wakes in time, so this is no proof of anything.
//
// After all are parked it prints runtime.Stack(all) to stdout and exits.
//
//	lockcycle   print the dump (exit 0)
package main

import (
	"os"
	"runtime"
	"sync"
	"time"
)

type Ledger struct {
	mu      sync.Mutex
	entries []int
}

func (l *Ledger) Total() int {
	l.mu.Lock() // LEAK:self-relock
	defer l.mu.Unlock()
	t := 0
	for _, e := range l.entries {
		t += e
	}
	return t
}

func (l *Ledger) Add(v int) {
	l.mu.Lock() // HELD:self-first
	if v < 0 {
		l.mu.Unlock()
		return
	}
	l.entries = append(l.entries, v)
	if l.Total() > 1000 { // the call that locks again
		l.entries = l.entries[:0]
	}
	l.mu.Unlock()
}

type Account struct {
	mu      sync.Mutex
	balance int
}

func move(from, to *Account, amount int, bothHeld *sync.WaitGroup) {
	from.mu.Lock() // HELD:first-account
	bothHeld.Done()
	bothHeld.Wait() // both goroutines now hold their first account
	to.mu.Lock()    // LEAK:second-account
	from.balance -= amount
	to.balance += amount
	to.mu.Unlock()
	from.mu.Unlock()
}

// Audit reads an account under its lock: behind the AB-BA pair, it waits
// for a goroutine that can never move.
func (a *Account) Audit() int {
	a.mu.Lock() // LEAK:behind-cycle
	defer a.mu.Unlock()
	return a.balance
}

// report hands an audited balance on, checked against the live one; its
// frame shows which account (a stays live across the call, so the
// traceback prints it). Not inlined, as a function of real size would not
// be: an inlined frame prints no arguments.
//
//go:noinline
func report(a *Account, out chan<- int) {
	n := a.Audit()
	out <- n - a.balance
}

type Index struct {
	mu   sync.RWMutex
	keys map[string]bool
}

func (x *Index) Size() int {
	x.mu.RLock() // LEAK:second-read
	defer x.mu.RUnlock()
	return len(x.keys)
}

func (x *Index) Report(started chan<- bool) int {
	x.mu.RLock() // HELD:first-read
	started <- true
	time.Sleep(100 * time.Millisecond) // a writer queues meanwhile
	n := x.Size()
	x.mu.RUnlock()
	return n
}

func (x *Index) Put(k string) {
	x.mu.Lock() // LEAK:writer
	x.keys[k] = true
	x.mu.Unlock()
}

type Outbox struct {
	mu   sync.Mutex
	sent chan string
}

func (o *Outbox) Send(m string) {
	o.mu.Lock() // LEAK:outbox-lock
	o.sent <- m // LEAK:outbox-send
	o.mu.Unlock()
}

type Clock struct {
	mu  sync.Mutex
	now int
}

func (c *Clock) Tick() {
	c.mu.Lock()
	time.Sleep(time.Hour) // LIVE:sleeper
	c.now++
	c.mu.Unlock()
}

func (c *Clock) Now() int {
	c.mu.Lock() // LIVE:clock-reader
	defer c.mu.Unlock()
	return c.now
}

func main() {
	ledger := &Ledger{}
	go ledger.Add(5)

	a, b := &Account{balance: 10}, &Account{balance: 10}
	var bothHeld sync.WaitGroup
	bothHeld.Add(2)
	go move(a, b, 1, &bothHeld)
	go move(b, a, 2, &bothHeld)
	bothHeld.Wait()
	time.Sleep(20 * time.Millisecond) // both movers wait for their second lock
	go report(a, make(chan int, 1))

	index := &Index{keys: map[string]bool{}}
	started := make(chan bool)
	go index.Report(started)
	<-started
	go index.Put("k")

	outbox := &Outbox{sent: make(chan string)}
	go outbox.Send("first")
	time.Sleep(20 * time.Millisecond) // the first Send holds o.mu
	go outbox.Send("second")

	clock := &Clock{}
	go clock.Tick()
	time.Sleep(20 * time.Millisecond) // Tick holds c.mu
	go clock.Now()

	time.Sleep(400 * time.Millisecond)
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	os.Stdout.Write(buf[:n])
}
