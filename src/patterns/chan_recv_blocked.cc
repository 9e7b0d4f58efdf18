// chan-recv-blocked: a receive nobody will ever send to.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (!b.state.starts_with("chan receive") || b.state.starts_with("chan receive (nil"))
    return false;
  m->base = 0.3;
  m->why = "blocked receiving from a channel no goroutine sends on or closes";
  return true;
}

}  // namespace

extern const Pattern kChanRecvBlocked = {
    .id = "chan-recv-blocked",
    .title = "Receive with no sender",
    .explanation =
        "A goroutine waits for a value that never comes: the sender returned on an error "
        "path without sending, or the channel was meant to be closed as a signal and never "
        "was. Unlike a worker pool waiting for work, these accumulate and never drain.",
    .fix = "Make every path of the sender either send or close the channel (defer close), or "
           "let the receiver also select on ctx.Done().",
    .fix_snippet = "go func() {\n\tdefer close(done)\n\tif err := work(); err != nil {\n"
                   "\t\treturn // the receiver still wakes\n\t}\n}()\n<-done",
    .detection = "Wait reason \"chan receive\" not explained by a more specific pattern; "
                 "small groups that look like worker pools score low.",
    .runtime = Detect,
};

}  // namespace leakhound
