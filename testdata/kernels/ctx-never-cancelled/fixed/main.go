// Kernel: a lock client takes a lease and starts a watcher goroutine that
// revokes the lease at the lock server once the lease's context ends. The
// context comes from context.WithCancel and Release calls its cancel func,
// so the watcher wakes, revokes the lease and returns.
package main

import (
	"context"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

// LockServer hands out leases on keys; a lease holds its key until revoked.
type LockServer struct {
	mu     sync.Mutex
	nextID int64
	leases map[string]int64
}

func (s *LockServer) Grant(key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.leases[key] = s.nextID
	return s.nextID
}

func (s *LockServer) Revoke(key string, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leases[key] == id {
		delete(s.leases, key)
	}
}

type Lease struct {
	server *LockServer
	key    string
	id     int64
	cancel context.CancelFunc

	mu       sync.Mutex
	released bool
}

// Acquire takes a lease on key that lasts until parent ends or the lease
// is released.
func Acquire(parent context.Context, server *LockServer, key string) *Lease {
	ctx, cancel := context.WithCancel(parent)
	l := &Lease{server: server, key: key, id: server.Grant(key), cancel: cancel}
	go l.watch(ctx)
	return l
}

func (l *Lease) watch(ctx context.Context) {
	<-ctx.Done()
	l.server.Revoke(l.key, l.id)
	log.Printf("lease %d on %s revoked", l.id, l.key)
}

func (l *Lease) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return
	}
	l.released = true
	l.cancel()
	log.Printf("lease %d on %s released", l.id, l.key)
}

func main() {
	log.SetFlags(0)
	server := &LockServer{leases: make(map[string]int64)}

	// A migration job holds the schema lock while it runs.
	var jobDone sync.WaitGroup
	jobDone.Add(1)
	go func() {
		defer jobDone.Done()
		lease := Acquire(context.Background(), server, "schema/orders")
		defer lease.Release()
		log.Printf("migrating orders under lease %d", lease.id)
	}()
	jobDone.Wait()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
