// waitchain is the common shape of a blocking bug seen from its dump: a
// coordinator starts workers, then waits for all of them (WaitGroup.Wait)
// before it reads their results, so every worker blocks sending its result
// and the coordinator blocks waiting for workers that can never finish.
// The cause is the workers' send; the coordinator's Wait is its
// consequence. After both are stuck it prints runtime.Stack(all) to
// stdout and exits.
//
//	waitchain   print the dump (exit 0)
package main

import (
	"os"
	"runtime"
	"sync"
	"time"
)

const workers = 3

func coordinate(done chan<- []int) {
	results := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- i * i // LEAK:worker-send
		}(i)
	}
	wg.Wait() // LEAK:coordinator-wait
	close(results)
	var out []int
	for r := range results {
		out = append(out, r)
	}
	done <- out
}

func main() {
	done := make(chan []int, 1)
	go coordinate(done)
	time.Sleep(200 * time.Millisecond)
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	os.Stdout.Write(buf[:n])
}
