package cidemo

import "testing"

func TestFirstResult(t *testing.T) {
	if got := FirstResult(3); got < 0 || got > 2 {
		t.Fatalf("FirstResult(3) = %d", got)
	}
}
