// waitgroup-wait: Wait on a WaitGroup whose counter never reaches zero.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (b.state == "sync.WaitGroup.Wait") {
    m->why = "waiting in sync.WaitGroup.Wait for Done calls that do not come";
  } else if (b.state.starts_with("semacquire") && b.HasFunction("sync.(*WaitGroup).Wait")) {
    m->why = "semacquire under sync.(*WaitGroup).Wait: the counter never reaches zero";
  } else {
    return false;
  }
  m->base = 0.45;
  return true;
}

}  // namespace

extern const Pattern kWaitGroupWait = {
    .id = "waitgroup-wait",
    .title = "WaitGroup whose Add and Done disagree",
    .explanation =
        "wg.Wait returns when the counter reaches zero. If Add counted more goroutines than "
        "call Done (a Done skipped by an early return, Add(n) with the wrong n, or a worker "
        "that is itself stuck), Wait blocks forever, and so does whoever waits for it.",
    .fix = "Call wg.Add(1) right before each `go` statement, and `defer wg.Done()` as the first "
           "line of the goroutine so every return path counts down.",
    .fix_snippet = "for _, j := range jobs {\n\twg.Add(1)\n\tgo func(j Job) {\n"
                   "\t\tdefer wg.Done()\n\t\tdo(j)\n\t}(j)\n}\nwg.Wait()",
    .detection = "Wait reason \"sync.WaitGroup.Wait\" (Go 1.24+), or \"semacquire\" under "
                 "sync.(*WaitGroup).Wait; in source, Add/Done counts that cannot match.",
    .runtime = Detect,
};

}  // namespace leakhound
