// context-never-done: waiting on ctx.Done() of a context nobody cancels.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  // context's own goroutine, started by WithCancel under a parent that is
  // not a context package type: it lives until the child is cancelled.
  if (b.HasFunctionPrefix("context.propagateCancel.func")) {
    m->base = 0.4;
    m->why = "context.propagateCancel goroutine: the derived context's cancel is never called";
    return true;
  }
  bool waits = b.state.starts_with("chan receive") || b.state.starts_with("select");
  if (!waits || b.source_line.find(".Done()") == std::string_view::npos) return false;
  m->base = 0.35;
  m->why = "waiting on ctx.Done() (source line: \"" +
           std::string(b.source_line.substr(0, 80)) + "\") of a context that is never cancelled";
  return true;
}

}  // namespace

extern const Pattern kContextNeverDone = {
    .id = "context-never-done",
    .title = "Waiting on a context nobody cancels",
    .explanation =
        "ctx.Done() of context.Background(), context.TODO() or a WithCancel/WithTimeout "
        "context whose cancel function was dropped never closes (or closes only at the "
        "timeout). A goroutine that waits for it as its only exit lives as long as the "
        "process.",
    .fix = "Derive the context from the caller's, keep the cancel function and `defer "
           "cancel()` where the work's owner returns.",
    .fix_snippet = "ctx, cancel := context.WithCancel(parent)\ndefer cancel()\n"
                   "go worker(ctx) // returns when ctx.Done() closes",
    .detection = "A goroutine in chan receive or select whose blocking source line reads "
                 "ctx.Done() (needs the source files), or context.propagateCancel's own "
                 "goroutine; in source, a context.With* whose cancel is not called on every "
                 "path.",
    .runtime = Detect,
};

}  // namespace leakhound
