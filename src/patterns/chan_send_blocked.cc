// chan-send-blocked: a send with no receiver left.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (!b.state.starts_with("chan send") || b.state.starts_with("chan send (nil")) return false;
  m->base = 0.45;
  m->why = "blocked sending on a channel whose receiver has gone";
  return true;
}

}  // namespace

extern const Pattern kChanSendBlocked = {
    .id = "chan-send-blocked",
    .title = "Send with no receiver left",
    .explanation =
        "A goroutine sends its result on an unbuffered (or full) channel, but the receiver "
        "stopped listening: it returned early on an error, gave up in a select with a "
        "timeout or ctx.Done(), or only received the first of N results. The sender blocks "
        "forever; one leaks per call.",
    .fix = "Give the channel room for every send (make(chan T, n) for n senders), or make the "
           "sender select on ctx.Done() too so it can give up when the receiver does.",
    .fix_snippet = "ch := make(chan result, 1) // the sender never blocks\n"
                   "go func() { ch <- fetch() }()\nselect {\ncase r := <-ch:\n\treturn r\n"
                   "case <-time.After(time.Second):\n\treturn timeout\n}",
    .detection = "Wait reason \"chan send\"; in source, an unbuffered channel whose sender "
                 "goroutine can outlive the receive (early return, select with a timeout, "
                 "fewer receives than senders).",
    .runtime = Detect,
};

}  // namespace leakhound
