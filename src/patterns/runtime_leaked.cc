// runtime-leaked: the Go 1.26 garbage collector proved the goroutine can
// never be woken (goroutineleak profile, "(leaked)" in the header).
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (!b.leaked) return false;
  m->base = 0.95;
  m->why = "marked (leaked) by the Go runtime: it is blocked on objects no other goroutine "
           "can reach";
  return true;
}

}  // namespace

extern const Pattern kRuntimeLeaked = {
    .id = "runtime-leaked",
    .title = "Leak proven by the Go runtime",
    .explanation =
        "Go 1.26's goroutine leak detector (the goroutineleak profile) marks a goroutine "
        "(leaked) when it is blocked on a channel or sync primitive that no runnable "
        "goroutine can reach: nothing can ever wake it. leakhound names such a goroutine "
        "by its specific pattern when it recognises one and uses this id otherwise.",
    .fix = "Follow the blocking frame: the operation there can never complete. Apply the fix "
           "of the matching pattern (leakhound explain <id>).",
    .fix_snippet = "// go test / service: enable GOEXPERIMENT=goroutineleakprofile (Go 1.26)\n"
                   "// and fetch /debug/pprof/goroutineleak?debug=2",
    .detection = "The \"(leaked)\" marker in a goroutine header.",
    .runtime = Detect,
};

}  // namespace leakhound
