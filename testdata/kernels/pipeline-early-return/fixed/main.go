// Kernel: a log search runs as a three-stage pipeline over unbuffered
// channels: readLines emits raw lines, parseEntries turns them into
// entries, and FindRequest scans the entries for one request id.
// FindRequest closes a done channel when it returns, and every stage
// gives up its send and returns once done is closed.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

var errNotFound = errors.New("request not found")

type Entry struct {
	RequestID string
	Status    string
}

// readLines emits the lines of one log segment.
func readLines(done <-chan struct{}, segment []string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for _, line := range segment {
			select {
			case out <- line:
			case <-done:
				return
			}
		}
	}()
	return out
}

// parseEntries turns "request=<id> status=<code>" lines into entries.
func parseEntries(done <-chan struct{}, lines <-chan string) <-chan Entry {
	out := make(chan Entry)
	go func() {
		defer close(out)
		for line := range lines {
			var e Entry
			for _, field := range strings.Fields(line) {
				if v := strings.TrimPrefix(field, "request="); v != field {
					e.RequestID = v
				} else if v := strings.TrimPrefix(field, "status="); v != field {
					e.Status = v
				}
			}
			select {
			case out <- e:
			case <-done:
				return
			}
		}
	}()
	return out
}

// FindRequest returns the first entry of the segment for requestID.
func FindRequest(segment []string, requestID string) (Entry, error) {
	done := make(chan struct{})
	defer close(done)
	for e := range parseEntries(done, readLines(done, segment)) {
		if e.RequestID == requestID {
			return e, nil
		}
	}
	return Entry{}, errNotFound
}

func main() {
	log.SetFlags(0)
	var segment []string
	for i := 1; i <= 8; i++ {
		segment = append(segment, fmt.Sprintf("request=r-%03d status=200", i))
	}

	// A support tool looks up one request in the segment.
	var handled sync.WaitGroup
	handled.Add(1)
	go func() {
		defer handled.Done()
		e, err := FindRequest(segment, "r-003")
		if err != nil {
			log.Printf("GET /requests/r-003: %v", err)
			return
		}
		log.Printf("GET /requests/r-003: status %s", e.Status)
	}()
	handled.Wait()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
