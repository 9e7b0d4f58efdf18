// syscallexit records a goroutine dump in which a second goroutine is
// "[running]" with its stack: one caught leaving a syscall. Since Go 1.26
// runtime.Stack(buf, true) prints such a goroutine's stack from the frame
// that entered the syscall instead of "goroutine running on other thread;
// stack unavailable" (runtime/traceback.go, tracebackothers). Go 1.19
// never prints it, so this program is for 1.26 and later.
//
//	syscallexit [-tries N]
//	    Spins goroutines that make syscalls and takes dumps until one
//	    shows such a goroutine; writes that dump to stdout and exits 0.
//	    Exits 3 when N dumps (default 2,000,000) showed none.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// caller makes the cheapest real syscall there is, forever.
func caller() {
	for {
		syscall.Syscall(syscall.SYS_GETPPID, 0, 0, 0)
	}
}

// runningWithStack counts "[running]:" headers followed by a frame rather
// than the "stack unavailable" line.
func runningWithStack(dump []byte) int {
	n := 0
	for _, block := range bytes.Split(dump, []byte("\n\n")) {
		head, rest, ok := bytes.Cut(block, []byte("\n"))
		if ok && bytes.HasSuffix(head, []byte("[running]:")) &&
			!bytes.HasPrefix(rest, []byte("\tgoroutine running on other thread")) {
			n++
		}
	}
	return n
}

func main() {
	tries := flag.Int("tries", 2_000_000, "dumps to take before giving up")
	flag.Parse()
	for i := 0; i < runtime.GOMAXPROCS(0)+2; i++ {
		go caller()
	}
	buf := make([]byte, 1<<20)
	for try := 0; try < *tries; try++ {
		n := runtime.Stack(buf, true)
		if runningWithStack(buf[:n]) >= 2 {
			os.Stdout.Write(buf[:n])
			fmt.Fprintf(os.Stderr, "caught after %d dumps\n", try+1)
			return
		}
	}
	fmt.Fprintf(os.Stderr, "no goroutine caught leaving a syscall in %d dumps\n", *tries)
	os.Exit(3)
}
