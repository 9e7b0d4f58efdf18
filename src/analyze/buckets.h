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
  std::vector<uint64_t> ids;          // ascending
  std::vector<uint64_t> creator_ids;  // distinct, ascending
};

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
