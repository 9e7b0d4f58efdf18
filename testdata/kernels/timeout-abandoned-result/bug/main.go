// Kernel: a client queries a slow backend in a helper goroutine and waits
// for the answer with a timeout. When the timeout wins, nobody is left to
// receive from the unbuffered result channel, and the helper blocks in its
// send once the backend finally answers.
package main

import (
	"errors"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var errTimeout = errors.New("request timed out")

// Backend simulates a slow profile service: it answers once gate is closed.
type Backend struct {
	gate chan struct{}
}

func (b *Backend) Lookup(userID string) string {
	<-b.gate
	return "profile of " + userID
}

type Client struct {
	backend *Backend
	timeout time.Duration
}

func (c *Client) Profile(userID string) (string, error) {
	result := make(chan string)
	go func() {
		p := c.backend.Lookup(userID)
		result <- p // BUG
	}()
	select {
	case p := <-result:
		return p, nil
	case <-time.After(c.timeout):
		return "", errTimeout
	}
}

func main() {
	log.SetFlags(0)
	backend := &Backend{gate: make(chan struct{})}
	client := &Client{backend: backend, timeout: 20 * time.Millisecond}

	var handled sync.WaitGroup
	handled.Add(1)
	go func() {
		defer handled.Done()
		if _, err := client.Profile("u-1042"); err != nil {
			log.Printf("GET /profile/u-1042: %v", err)
		}
	}()

	// The backend answers only after the handler has given up.
	handled.Wait()
	close(backend.gate)

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
