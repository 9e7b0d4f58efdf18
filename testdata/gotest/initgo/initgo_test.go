package initgo

import "testing"

// Leaks nothing: the goroutine init() started is not this test's.
func TestNothing(t *testing.T) {}

func TestWorkLeaks(t *testing.T) { Work() }

func TestPollLeaks(t *testing.T) { Poll() }
