package leaky

import (
	"testing"
	"time"
)

func TestSendLeak(t *testing.T) { SendNoReceiver() }

func TestRecvLeak(t *testing.T) {
	RecvNoSender()
}

func TestNilChanLeak(t *testing.T) {
	NilChan()
}

func TestMutexLeak(t *testing.T) {
	LockedForever()
}

func TestWaitGroupLeak(t *testing.T) {
	WaitNeverDone()
}

func TestSelectLeak(t *testing.T) {
	SelectNoCase()
}

func TestRangeLeak(t *testing.T) {
	RangeUnclosed()
}

func TestClean(t *testing.T) {
	if Clean() != 42 {
		t.Fatal("wrong value")
	}
}

// Stopped by a cleanup the test registers: not a leak.
func TestStoppedInCleanup(t *testing.T) {
	done := make(chan struct{})
	SlowExit(done)
	t.Cleanup(func() { close(done) })
}

// Ends on its own shortly after the test: the settle time covers it.
func TestSettles(t *testing.T) {
	done := make(chan struct{})
	SlowExit(done)
	time.AfterFunc(20*time.Millisecond, func() { close(done) })
}


func TestGlobalLeak(t *testing.T) {
	RecvGlobal()
}
