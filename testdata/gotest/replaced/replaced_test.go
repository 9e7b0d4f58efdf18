// Module replaced uses example.com/gotest through a replace directive:
// its leak, in the replaced module's code, is still found and placed.
package replaced

import (
	"testing"

	"example.com/gotest/leaky"
)

func TestLeaksThroughReplace(t *testing.T) {
	leaky.SendNoReceiver()
}
