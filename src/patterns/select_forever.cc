// select-forever: `select {}` or a select none of whose cases can proceed.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  if (b.state.starts_with("select (no cases)")) {
    m->base = 0.75;
    m->never_wakes = true;
    m->why = "select {} blocks forever by definition";
    return true;
  }
  if (b.state == "select" || b.state.starts_with("select (")) {
    m->base = 0.3;
    m->why = "blocked in a select; if none of its cases can become ready (no timeout, no "
             "ctx.Done(), no closed channel), it waits forever";
    return true;
  }
  return false;
}

}  // namespace

extern const Pattern kSelectForever = {
    .id = "select-forever",
    .title = "select with no way out",
    .explanation =
        "A goroutine parked in a select waits until one of its cases is ready. `select {}` "
        "has no cases and never returns; a select over channels that nobody sends on, "
        "receives from or closes, with no timeout or cancellation case, is the same thing "
        "in disguise. Each such goroutine holds its stack and everything it references.",
    .fix = "Give every long-lived select an exit: a ctx.Done() case, a closed quit channel or "
           "a timer. Use `select {}` only in main, where blocking forever is intended.",
    .fix_snippet = "select {\n"
                   "case v := <-in:\n\thandle(v)\n"
                   "case <-ctx.Done():\n\treturn ctx.Err()\n}",
    .detection = "Wait reason \"select (no cases)\" (never wakes) or \"select\" with no more "
                 "specific pattern; in source, `select {}` or a select in a goroutine with no "
                 "Done/timeout/return path.",
    .runtime = Detect,
};

}  // namespace leakhound
