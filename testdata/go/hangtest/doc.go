// Package hangtest holds three packages whose tests hang, for the CI-log
// case of leakhound's paste tests: `go test -timeout 2s ./...` makes each
// test binary panic with "test timed out" and print its goroutines, one
// dump per process, all in one log. Package a leaves 1 goroutine blocked
// on a send, b leaves 2, c leaves 3, so the three processes differ.
package hangtest
