// Package cidemo is the module docs/ci's examples run on in leakhound's
// tests (tests/e2e/ci_examples_test.cc): one function with a leak the
// linter sees in the source, and a test that leaks its goroutines when
// it runs.
package cidemo

// FirstResult starts n workers and takes the first answer only: the other
// n-1 block forever on the unbuffered send.
func FirstResult(n int) int {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func(i int) {
			ch <- i // LEAK:lint
		}(i)
	}
	return <-ch
}
