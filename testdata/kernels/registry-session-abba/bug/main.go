// Kernel: a chat server keeps its sessions in a Registry. Broadcast locks
// the registry and then each session; Session.Close locks the session and
// then, to deregister itself, the registry.
//
// Documented lock order: Registry.mu before Session.mu.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type Registry struct {
	mu       sync.Mutex
	sessions map[int]*Session
}

type Session struct {
	mu     sync.Mutex
	id     int
	reg    *Registry
	closed bool
	inbox  []string
}

// bothLocked is a test hook: Broadcast and Close each take their first lock
// and wait here for the other, so the interleaving is deterministic.
var bothLocked sync.WaitGroup

func (r *Registry) Join(id int) *Session {
	s := &Session{id: id, reg: r}
	r.mu.Lock()
	r.sessions[id] = s
	r.mu.Unlock()
	return s
}

func (r *Registry) Broadcast(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	bothLocked.Done()
	bothLocked.Wait()
	for _, s := range r.sessions {
		s.deliver(msg)
	}
}

func (r *Registry) remove(id int) {
	r.mu.Lock() // BUG
	delete(r.sessions, id)
	r.mu.Unlock()
}

func (s *Session) deliver(msg string) {
	// The other half of the cycle: Broadcast waits here for Close.
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.inbox = append(s.inbox, msg)
	}
}

// Close marks the session closed and deregisters it, still holding s.mu,
// which takes the two locks against the documented order.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	bothLocked.Done()
	bothLocked.Wait()
	s.reg.remove(s.id)
}

func main() {
	log.SetFlags(0)
	reg := &Registry{sessions: make(map[int]*Session)}
	var sessions []*Session
	for id := 1; id <= 3; id++ {
		sessions = append(sessions, reg.Join(id))
	}

	bothLocked.Add(2)
	go func() {
		reg.Broadcast(fmt.Sprintf("server restarting in %d min", 5))
		log.Printf("broadcast sent")
	}()
	go func() {
		sessions[1].Close()
		log.Printf("session 2 closed")
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
