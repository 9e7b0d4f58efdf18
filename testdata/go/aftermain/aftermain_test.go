// Package aftermain writes a goroutine dump from TestMain after m.Run()
// returned, the moment goleak's VerifyTestMain checks: every test has
// finished, so a goroutine still blocked in the package's code outlived
// the test that started it. AFTERMAIN_DUMP names the file for the dump
// (debug=2). A worker TestMain starts before m.Run() lives with the
// process and is no leak. TestLeaves leaves one goroutine waiting on a channel it
// alone holds; TestCleansUp starts the same goroutine and stops it.
package aftermain

import (
	"os"
	"runtime/pprof"
	"sync"
	"testing"
)

// jobs feeds a worker that lives as long as the test binary: started
// before the tests, it outlives none of them.
var jobs = make(chan func())

func worker(ready chan<- struct{}) {
	close(ready)
	for job := range jobs { // BENIGN:process-worker
		job()
	}
}

func TestMain(m *testing.M) {
	ready := make(chan struct{})
	go worker(ready)
	<-ready
	code := m.Run()
	if path := os.Getenv("AFTERMAIN_DUMP"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
			panic(err)
		}
		f.Close()
	}
	os.Exit(code)
}

// waitForStop blocks until stop is closed.
func waitForStop(stop chan struct{}, started *sync.WaitGroup) {
	started.Done()
	<-stop // LEAK:left-behind
}

func TestLeaves(t *testing.T) {
	var started sync.WaitGroup
	started.Add(1)
	stop := make(chan struct{})
	go waitForStop(stop, &started) // LEAK:left-behind-go
	started.Wait()
}

func TestCleansUp(t *testing.T) {
	var started, done sync.WaitGroup
	started.Add(1)
	done.Add(1)
	stop := make(chan struct{})
	go func() {
		defer done.Done()
		waitForStop(stop, &started)
	}()
	started.Wait()
	close(stop)
	done.Wait()
}
