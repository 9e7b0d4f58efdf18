package withmain

import (
	"os"
	"testing"
)

var setUp bool

func TestMain(m *testing.M) {
	setUp = true
	os.Exit(m.Run())
}

func TestUsesMain(t *testing.T) {
	if !setUp {
		t.Fatal("TestMain did not run")
	}
	Leak()
}
