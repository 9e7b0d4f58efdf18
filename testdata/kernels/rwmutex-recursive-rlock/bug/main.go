// Kernel: a feature-flag store guarded by a sync.RWMutex. Report takes the
// read lock and, while holding it, calls Enabled, which takes the read lock
// again. A flag update queued in between makes the second RLock wait for
// the writer, and the writer waits for the first RLock.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"time"
)

type FlagStore struct {
	mu    sync.RWMutex
	flags map[string]bool
	rev   int

	// onReadLocked is an observability hook, called by Report once it
	// holds the read lock.
	onReadLocked func()
}

func (s *FlagStore) Enabled(name string) bool {
	s.mu.RLock() // BUG
	defer s.mu.RUnlock()
	return s.flags[name]
}

func (s *FlagStore) Set(name string, on bool) {
	s.mu.Lock() // CONSEQUENCE
	defer s.mu.Unlock()
	s.flags[name] = on
	s.rev++
}

// Report renders all flags at one revision.
func (s *FlagStore) Report() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.onReadLocked != nil {
		s.onReadLocked()
	}
	names := make([]string, 0, len(s.flags))
	for name := range s.flags {
		names = append(names, name)
	}
	sort.Strings(names)
	time.Sleep(100 * time.Millisecond) // slow rendering; a writer queues meanwhile
	out := fmt.Sprintf("rev %d:", s.rev)
	for _, name := range names {
		out += fmt.Sprintf(" %s=%v", name, s.Enabled(name))
	}
	return out
}

func main() {
	log.SetFlags(0)
	readLocked := make(chan struct{})
	store := &FlagStore{
		flags:        map[string]bool{"new-checkout": true, "dark-mode": false},
		onReadLocked: func() { close(readLocked) },
	}

	go func() {
		log.Print(store.Report())
	}()
	go func() {
		<-readLocked
		store.Set("dark-mode", true)
		log.Printf("dark-mode enabled")
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
