package leaky_test

import (
	tt "testing"

	"example.com/gotest/leaky"
)

// An external test package, importing testing under another name.
func TestExternalLeak(x *tt.T) {
	leaky.SendNoReceiver()
}
