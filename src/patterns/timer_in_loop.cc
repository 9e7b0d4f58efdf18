// timer-in-loop: a Timer or Ticker made on every iteration of a loop.
// Source only: a dump shows no goroutine for a timer (timers live in the
// runtime's heap, not on a goroutine), so there is no runtime detector.
#include "patterns/pattern.h"

namespace leakhound {

extern const Pattern kTimerInLoop = {
    .id = "timer-in-loop",
    .title = "New timer or ticker on every loop iteration",
    .explanation =
        "time.Tick(d) starts a Ticker that can never be stopped, and time.After(d) starts a "
        "Timer that lives until it fires. Called once per iteration of a loop (time.After as a "
        "select case, so a new one each time round), they pile up: before Go 1.23 the runtime "
        "kept every unstopped Ticker forever and every Timer until it fired, so a loop that "
        "turns quickly with a long timeout holds thousands of timers, their channels and their "
        "memory. Go 1.23 collects unreferenced timers, but only for modules that declare go "
        "1.23 or later, and each iteration still allocates a new timer.",
    .fix = "Create one time.NewTicker before the loop and defer its Stop(); for a per-iteration "
           "timeout, create one time.NewTimer and Reset it each time round (or use a "
           "context.WithTimeout around the whole operation).",
    .fix_snippet = "t := time.NewTicker(time.Second)\ndefer t.Stop()\nfor {\n\tselect {\n"
                   "\tcase <-ctx.Done():\n\t\treturn\n\tcase <-t.C:\n\t\tpoll()\n\t}\n}",
    .detection = "Source only (lint): time.Tick inside a for loop body, or time.After as a "
                 "select case inside a for loop. No runtime detector: timers do not appear in "
                 "goroutine dumps.",
    .runtime = nullptr,
};

}  // namespace leakhound
