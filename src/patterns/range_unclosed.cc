// range-unclosed: `for v := range ch` over a channel nobody closes.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (!b.state.starts_with("chan receive") || b.state.starts_with("chan receive (nil"))
    return false;
  // range compiles to runtime.chanrecv2 (value, ok); so does `v, ok := <-ch`,
  // so the source line decides when it can be read. runtime.Stack and
  // debug=2 hide runtime frames: then only the source line can tell.
  std::string_view callee = b.CalleeOfTopUser();
  bool says_range = b.source_line.find("range") != std::string_view::npos;
  if (callee == "runtime.chanrecv2") {
    if (!b.source_line.empty() && !says_range) return false;
  } else if (callee.empty() || !callee.starts_with("runtime.")) {
    if (!says_range) return false;
  } else {
    return false;  // runtime.chanrecv1: a plain receive
  }
  m->base = 0.35;
  m->why = b.source_line.empty()
               ? "receiving through runtime.chanrecv2, the shape of `for range ch` "
                 "(or `v, ok := <-ch`): the channel is never closed"
               : "ranging over a channel that is never closed";
  return true;
}

}  // namespace

extern const Pattern kRangeUnclosed = {
    .id = "range-unclosed",
    .title = "range over a channel nobody closes",
    .explanation =
        "`for v := range ch` ends only when ch is closed. If the producer returns without "
        "closing (or there are several producers and nobody owns the close), every consumer "
        "waits forever after the last value.",
    .fix = "Have the single owner of the channel close it when done sending (defer close(ch) "
           "in the producer); with several producers, close after a WaitGroup of them "
           "finishes.",
    .fix_snippet = "go func() {\n\tdefer close(out)\n\tfor _, x := range items {\n"
                   "\t\tout <- x\n\t}\n}()\nfor v := range out { use(v) }",
    .detection = "Wait reason \"chan receive\" entered through runtime.chanrecv2, or from a "
                 "source line with `range` when the dump hides runtime frames (debug=2, "
                 "runtime.Stack); in source, a range over a channel with no close in its "
                 "scope.",
    .runtime = Detect,
};

}  // namespace leakhound
