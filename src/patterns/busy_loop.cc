// busy-loop: a goroutine that never blocks, seen running in the same place
// in every snapshot. Only a series of snapshots shows it.
#include "patterns/pattern.h"

namespace leakhound {

extern const Pattern kBusyLoop = {
    .id = "busy-loop",
    .title = "Goroutine spinning without an exit",
    .explanation =
        "A `for {}` loop (or a loop polling a flag with no sleep or blocking receive) never "
        "parks: it burns a CPU and never exits. One snapshot cannot tell it from ordinary "
        "work; the same goroutine running at the same place in every snapshot can.",
    .fix = "Block instead of polling: wait on a channel or ctx.Done(), or use a time.Ticker; "
           "give the loop a condition that ends it.",
    .fix_snippet = "for {\n\tselect {\n\tcase <-ctx.Done():\n\t\treturn\n"
                   "\tcase <-ticker.C:\n\t\tpoll()\n\t}\n}",
    .detection = "Series only: a goroutine id in state running/runnable at the same top user "
                 "frame in every snapshot; in source, a `for {}` in a goroutine with no "
                 "return, break or blocking operation.",
    .runtime = nullptr,
};

}  // namespace leakhound
