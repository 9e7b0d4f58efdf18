// A goroutine profile and a goroutineleak profile of the same moment,
// read as one snapshot with the runtime's marks.
//
// The goroutineleak profile's debug=0 and debug=1 forms hold only the
// goroutines the runtime marked "(leaked)". On their own they cannot say
// which leaks the runtime missed; next to a goroutine profile taken at
// the same time (any form) they can: the marks are carried over to the
// goroutines of the full profile with the same stack, and the result is
// compared like a goroutineleak debug=2 dump (analyze/agreement.h).
#ifndef LEAKHOUND_ANALYZE_LEAK_MARKS_H_
#define LEAKHOUND_ANALYZE_LEAK_MARKS_H_

#include <cstdint>

#include "model/snapshot.h"

namespace leakhound {

struct MarkTransfer {
  uint64_t marked = 0;     // goroutines of `full` now marked
  uint64_t unmatched = 0;  // marked goroutines of the leak profile with no match in `full`
};

// A copy of `full` in which as many goroutines as `leak_subset` lists per
// stack carry kLeaked. Stacks are compared by function and line from the
// first frame outside package runtime (debug=1 leaves the runtime frames
// out), creators ignored (the profile forms have none).
Snapshot WithLeakMarks(const Snapshot& full, const Snapshot& leak_subset, MarkTransfer* stats);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_LEAK_MARKS_H_
