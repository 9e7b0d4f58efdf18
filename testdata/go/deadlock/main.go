// deadlock ends the way a program whose every goroutine is blocked ends:
// the runtime prints "fatal error: all goroutines are asleep - deadlock!"
// and a traceback of all goroutines. It imports nothing that starts the
// network poller or timers of its own, which would hide the deadlock.
//
//	deadlock          crash (exit 2, traceback on stderr)
//	deadlock -expect  print {"tag": count} as JSON
package main

import (
	"os"
	"strconv"
	"time"
)

const senders = 3

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-expect" {
		os.Stdout.WriteString(`{"deadlock-send": ` + strconv.Itoa(senders) + `, "deadlock-main": 1}` + "\n")
		return
	}
	results := make(chan int)
	for i := 0; i < senders; i++ {
		go func(i int) {
			results <- i // LEAK:deadlock-send
		}(i)
	}
	time.Sleep(50 * time.Millisecond)
	done := make(chan struct{})
	<-done // LEAK:deadlock-main
}
