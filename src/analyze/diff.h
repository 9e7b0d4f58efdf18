// What changed between two snapshots of one program: buckets that
// appeared, grew, shrank or vanished. Buckets are matched by
// BucketSignature, so both sides should be the same form (a debug=1
// profile hides the runtime frames a debug=2 dump shows).
#ifndef LEAKHOUND_ANALYZE_DIFF_H_
#define LEAKHOUND_ANALYZE_DIFF_H_

#include <cstdint>
#include <vector>

#include "analyze/buckets.h"

namespace leakhound {

enum class Change { kAppeared, kGrew, kSame, kShrank, kVanished };
const char* ChangeName(Change c);

struct BucketDelta {
  Change change = Change::kSame;
  uint64_t base_count = 0;
  uint64_t new_count = 0;
  int64_t delta = 0;
  // The side that has the bucket (the new one when both do).
  const Snapshot* snapshot = nullptr;
  const Bucket* bucket = nullptr;
};

struct SnapshotDiff {
  std::vector<Bucket> base_buckets;
  std::vector<Bucket> new_buckets;
  std::vector<BucketDelta> deltas;  // delta descending: largest growth first
  int64_t total_delta = 0;
};

// `out` must outlive nothing but the two snapshots; deltas point into it.
void DiffSnapshots(const Snapshot& base, const Snapshot& next, Grouping grouping,
                   SnapshotDiff* out);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_DIFF_H_
