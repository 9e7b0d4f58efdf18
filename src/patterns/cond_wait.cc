// cond-wait: sync.Cond.Wait with nobody left to Signal or Broadcast.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (b.state != "sync.Cond.Wait" && !b.HasFunction("sync.(*Cond).Wait")) return false;
  m->base = 0.3;
  m->why = "waiting in sync.Cond.Wait; nothing signals or broadcasts the condition";
  return true;
}

}  // namespace

extern const Pattern kCondWait = {
    .id = "cond-wait",
    .title = "sync.Cond waiter nobody signals",
    .explanation =
        "A goroutine in cond.Wait sleeps until another calls Signal or Broadcast. When the "
        "producer exits, or shutdown forgets to Broadcast, the waiters sleep forever. "
        "sync.Cond has no cancellation, so it cannot be combined with a context.",
    .fix = "Broadcast on shutdown after setting a closed flag the waiters check, or replace "
           "the Cond with a channel that can be closed and selected on with ctx.Done().",
    .fix_snippet = "mu.Lock()\nclosed = true\nmu.Unlock()\ncond.Broadcast() // wake every waiter",
    .detection = "Wait reason \"sync.Cond.Wait\" or a sync.(*Cond).Wait frame.",
    .runtime = Detect,
};

}  // namespace leakhound
