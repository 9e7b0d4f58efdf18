// synctest bubbles the Go runtime declared deadlocked.
//
// When every goroutine of a testing/synctest bubble is durably blocked,
// the runtime ends the bubble with a panic (synctestRun, src/runtime/
// synctest.go, Go 1.25+):
//   "deadlock: main bubble goroutine has exited but blocked goroutines remain"
//   "deadlock: all goroutines in bubble are blocked"
// and, at the default GOTRACEBACK, prints only that bubble's goroutines
// after the panicking one (dopanic_m -> tracebacksomeothers, panic.go).
// Nothing can ever wake them: the runtime has proved it, as it does with
// "(leaked)".
#ifndef LEAKHOUND_ANALYZE_BUBBLES_H_
#define LEAKHOUND_ANALYZE_BUBBLES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "model/snapshot.h"

namespace leakhound {

struct BubbleDeadlock {
  std::string message;  // the runtime's words, "deadlock: ..."
  int64_t bubble = -1;  // the bubble's id; -1 when the dump does not say which
};

// The deadlock the dump's panic reports, if it is a bubble deadlock. The
// panic does not name the bubble; it is the one bubble whose goroutines
// are all durably blocked (there is one unless GOTRACEBACK=all printed
// other bubbles that happened to be idle too: then bubble stays -1).
std::optional<BubbleDeadlock> FindBubbleDeadlock(const Snapshot& snapshot);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_BUBBLES_H_
