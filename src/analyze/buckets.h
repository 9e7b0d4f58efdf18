// Buckets: goroutines grouped by state and stack.
//
// The question a person asks of a dump is "where are they all stuck?";
// a bucket answers it for one place with a count. Grouping is by hash of
// stacks already interned in the Snapshot, so it is linear in goroutines.
#ifndef LEAKHOUND_ANALYZE_BUCKETS_H_
#define LEAKHOUND_ANALYZE_BUCKETS_H_

#include <cstdint>
#include <vector>

#include "model/snapshot.h"

namespace leakhound {

enum class Grouping {
  kExact,  // same state, same function+file+line in every frame
  kLoose,  // same, but line numbers of frames below the top are ignored
};

struct Bucket {
  Sym state = 0;
  bool leaked = false;
  uint32_t stack = 0;     // index into Snapshot::stacks(): the first member's
  uint64_t count = 0;
  int32_t min_wait = -1;  // minutes; -1 when no member said
  int32_t max_wait = -1;
  uint64_t locked_to_thread = 0;
  uint64_t http_deadline = 0;  // members whose HTTP client call has a deadline
  std::vector<uint64_t> ids;          // ascending
  std::vector<uint64_t> creator_ids;  // distinct, ascending
  // Members whose creator is a member too: goroutines that started one
  // another (a recursive chain) are one structure, not count leaks.
  uint64_t started_by_member = 0;
  // synctest (Go 1.24+): members inside a bubble, and of those the ones
  // whose wait counts as idle there (" (durable)", Go 1.25+).
  uint64_t in_bubble = 0;
  uint64_t durable = 0;
  std::vector<int64_t> bubbles;       // distinct bubble ids, ascending
  // pprof label sets of the members (Go 1.26 tracebacklabels, 1.27): index
  // into Snapshot::label_sets() and how many carry it, most first; the
  // empty set is not listed. Per-request labels could make every member
  // distinct, so at most kMaxBucketLabelSets are kept and the rest counted.
  std::vector<std::pair<uint32_t, uint64_t>> labels;
  uint64_t labels_other = 0;
};

constexpr size_t kMaxBucketLabelSets = 16;

// Groups a snapshot's goroutines. Result: count descending, then state
// and stack index (so output is stable).
std::vector<Bucket> MakeBuckets(const Snapshot& snapshot, Grouping grouping);

// Identity of a bucket that holds across snapshots of one program (Syms
// do not: each snapshot has its own pool), so it hashes the strings:
// state, (leaked), every frame's function+file+line and the creator; under
// kLoose, lines of frames below the top are left out.
uint64_t BucketSignature(const Snapshot& snapshot, const Bucket& bucket, Grouping grouping);

// Index of the frame a person should look at first: the first frame
// outside the runtime and standard library; else the first frame that is
// not runtime; else 0. -1 if the stack has no frames.
int TopUserFrame(const Snapshot& snapshot, const Stack& stack);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_BUCKETS_H_
