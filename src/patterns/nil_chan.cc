// nil-chan: a send or receive on a nil channel blocks forever.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (!b.state.starts_with("chan send (nil chan)") &&
      !b.state.starts_with("chan receive (nil chan)"))
    return false;
  m->base = 0.8;
  m->never_wakes = true;
  m->why = "blocked on a nil channel: no send, receive or close can ever wake it";
  return true;
}

}  // namespace

extern const Pattern kNilChan = {
    .id = "nil-chan",
    .title = "Send or receive on a nil channel",
    .explanation =
        "A channel variable that was declared but never made (var ch chan T), or was set to "
        "nil, blocks every send and receive forever. Nothing can wake such a goroutine, so "
        "each one is a permanent leak. It usually means an initialisation path was skipped "
        "or a struct field was copied before its channel was made.",
    .fix = "Make the channel before any goroutine uses it, or guard the operation in a select "
           "with a way out. Setting a channel to nil inside a select is a valid way to disable "
           "a case, but only inside a select.",
    .fix_snippet = "ch := make(chan Result, 1) // not: var ch chan Result\n"
                   "go func() { ch <- compute() }()",
    .detection = "Wait reason \"chan send (nil chan)\" or \"chan receive (nil chan)\"; in "
                 "source, a channel declared with var and never assigned make(...).",
    .runtime = Detect,
};

}  // namespace leakhound
