// Kernel: a feature-flag store guarded by a sync.RWMutex. Report takes the
// read lock once and reads the flags through enabledLocked, which does not
// lock again, so a queued writer cannot wedge between two read locks.
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
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.enabledLocked(name)
}

// enabledLocked reads a flag; the caller must hold s.mu.
func (s *FlagStore) enabledLocked(name string) bool {
	return s.flags[name]
}

func (s *FlagStore) Set(name string, on bool) {
	s.mu.Lock()
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
		out += fmt.Sprintf(" %s=%v", name, s.enabledLocked(name))
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
