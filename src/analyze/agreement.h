// leakhound and the Go runtime's own leak detector, side by side.
//
// Go 1.26 (GOEXPERIMENT=goroutineleakprofile) and 1.27 run a special GC
// for the goroutineleak profile that marks "(leaked)" every goroutine
// blocked on a channel or sync object no runnable goroutine can reach.
// That is a proof, but a narrow one: a goroutine stuck on an object
// reachable from a global, a running goroutine or the network poller is
// never marked, however dead it is. leakhound infers leaks from shapes
// and evidence instead, and can be wrong either way.
//
// The comparison is between the runtime's marks and leakhound's own
// inference, that is the verdict computed with the marks ignored
// (AnalyzeOptions::ignore_runtime_marks), bucket by bucket (buckets are
// split by the mark, so every bucket is wholly marked or unmarked):
//   agree          marked, and a leak or suspect on leakhound's own evidence
//   runtime_only   marked, but not a leak or suspect on leakhound's own
//                  evidence (no pattern, info, or expected)
//   leakhound_only not marked, but a leak or suspect finding
// leakhound_only needs the unmarked goroutines: debug=2 of goroutineleak
// prints every goroutine, the debug=0 and debug=1 forms only the marked
// ones, so there it is unknown (lists_unmarked false).
#ifndef LEAKHOUND_ANALYZE_AGREEMENT_H_
#define LEAKHOUND_ANALYZE_AGREEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/verdict.h"

namespace leakhound {

struct AgreementEntry {
  size_t bucket = 0;             // index into Verdict::buckets (same in both verdicts)
  const Finding* own = nullptr;  // leakhound's finding with marks ignored; nullptr: none
};

struct RuntimeAgreement {
  // The input carries the runtime's verdict: a goroutineleak profile, or
  // goroutines marked "(leaked)". When false the lists are empty.
  bool available = false;
  // The input shows the goroutines the runtime did not mark (debug=2),
  // so leakhound_only means something.
  bool lists_unmarked = false;
  uint64_t marked_goroutines = 0;
  std::vector<AgreementEntry> agree;
  std::vector<AgreementEntry> runtime_only;
  std::vector<AgreementEntry> leakhound_only;
};

// True if `snapshot` is one of the aggregated goroutineleak forms, which
// hold only the goroutines the runtime marked.
bool IsLeakProfileSubset(const Snapshot& snapshot);

// `with_marks`: the verdict shown to the user; `own`: the same series
// analysed with ignore_runtime_marks. `leak_checked`: the caller knows
// the runtime's leak detector ran for this input (it asked a service for
// its goroutineleak profile), so no marks at all is an answer too.
RuntimeAgreement CompareWithRuntime(const Verdict& with_marks, const Verdict& own,
                                    bool leak_checked);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_AGREEMENT_H_
