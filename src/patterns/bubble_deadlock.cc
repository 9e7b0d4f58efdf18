// bubble-deadlock: the Go runtime ended a testing/synctest bubble because
// all its goroutines were durably blocked (analyze/bubbles.h).
#include <fmt/format.h>

#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (b.bubble_deadlock.empty()) return false;
  m->base = 0.95;
  m->why = fmt::format("in synctest bubble {}, which the Go runtime declared deadlocked: \"{}\"",
                       b.deadlocked_bubble, b.bubble_deadlock);
  // The bubble is over: no goroutine of it will ever run again.
  m->never_wakes = true;
  return true;
}

}  // namespace

extern const Pattern kBubbleDeadlock = {
    .id = "bubble-deadlock",
    .title = "Goroutines left blocked in a deadlocked synctest bubble",
    .explanation =
        "testing/synctest runs a test in a bubble and knows when every goroutine in it is "
        "durably blocked (on bubble channels, timers, sync.Cond, select {}...). If that "
        "happens while goroutines remain, nothing inside the bubble can ever wake them and "
        "time cannot move them on, so the runtime panics \"deadlock: main bubble goroutine "
        "has exited but blocked goroutines remain\" (the test returned and left goroutines "
        "behind: a leak the test caught) or \"deadlock: all goroutines in bubble are "
        "blocked\" (the test itself waits for something that will never come) and prints "
        "the bubble's goroutines.",
    .fix = "Look at where each listed goroutine waits: make the code under test stop its "
           "goroutines (close the channel they receive on, cancel their context, call Close "
           "or Stop) before the test function returns, and have the test wait for them.",
    .fix_snippet = "synctest.Test(t, func(t *testing.T) {\n"
                   "    s := NewServer()\n"
                   "    defer s.Close() // stops the goroutines New started\n"
                   "    ...\n"
                   "    synctest.Wait()\n"
                   "})",
    .detection = "A panic with the runtime's bubble deadlock message (Go 1.25+); the "
                 "goroutines of the bubble whose members are all \"(durable)\" are findings.",
    .runtime = Detect,
};

}  // namespace leakhound
