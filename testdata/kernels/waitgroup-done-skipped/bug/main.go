// Kernel: an image service makes thumbnails for a batch of uploads, one
// worker per image, and waits for the batch with a WaitGroup. A worker
// that cannot decode its image logs and returns early, skipping its
// wg.Done, so the batch job waits in wg.Wait forever although every
// worker has exited.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type Upload struct {
	Name string
	Data []byte
}

// thumbnail stands in for decode+resize: an empty upload fails to decode.
func thumbnail(u Upload) ([]byte, error) {
	if len(u.Data) == 0 {
		return nil, fmt.Errorf("decode %s: unexpected EOF", u.Name)
	}
	return u.Data[:(len(u.Data)+1)/2], nil
}

type Thumbnailer struct {
	mu     sync.Mutex
	thumbs map[string][]byte
	failed int
}

func (t *Thumbnailer) ProcessBatch(batch []Upload) {
	var wg sync.WaitGroup
	for _, u := range batch {
		wg.Add(1)
		go func(u Upload) {
			thumb, err := thumbnail(u)
			if err != nil {
				log.Printf("thumbnail: %v", err)
				t.mu.Lock()
				t.failed++
				t.mu.Unlock()
				return
			}
			t.mu.Lock()
			t.thumbs[u.Name] = thumb
			t.mu.Unlock()
			wg.Done()
		}(u)
	}
	wg.Wait() // BUG
	log.Printf("batch done: %d thumbnails, %d failed", len(t.thumbs), t.failed)
}

func main() {
	log.SetFlags(0)
	t := &Thumbnailer{thumbs: make(map[string][]byte)}
	batch := []Upload{
		{Name: "cat.jpg", Data: []byte("\xff\xd8\xff\xe0cat")},
		{Name: "empty.png", Data: nil},
		{Name: "dog.jpg", Data: []byte("\xff\xd8\xff\xe0dog")},
	}

	// The batch job runs in the background, as a queue consumer would.
	go t.ProcessBatch(batch)

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
