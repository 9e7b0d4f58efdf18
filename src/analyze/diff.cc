#include "analyze/diff.h"

#include <algorithm>
#include <unordered_map>

namespace leakhound {

const char* ChangeName(Change c) {
  switch (c) {
    case Change::kAppeared: return "appeared";
    case Change::kGrew: return "grew";
    case Change::kSame: return "same";
    case Change::kShrank: return "shrank";
    case Change::kVanished: return "vanished";
  }
  return "same";
}

void DiffSnapshots(const Snapshot& base, const Snapshot& next, Grouping grouping,
                   SnapshotDiff* out) {
  out->base_buckets = MakeBuckets(base, grouping);
  out->new_buckets = MakeBuckets(next, grouping);
  out->deltas.clear();
  std::unordered_map<uint64_t, size_t> base_index;
  for (size_t i = 0; i < out->base_buckets.size(); ++i)
    base_index.emplace(BucketSignature(base, out->base_buckets[i], grouping), i);
  std::vector<bool> matched(out->base_buckets.size(), false);

  for (const Bucket& b : out->new_buckets) {
    BucketDelta d;
    d.snapshot = &next;
    d.bucket = &b;
    d.new_count = b.count;
    auto it = base_index.find(BucketSignature(next, b, grouping));
    if (it != base_index.end() && !matched[it->second]) {
      matched[it->second] = true;
      d.base_count = out->base_buckets[it->second].count;
    }
    d.delta = static_cast<int64_t>(d.new_count) - static_cast<int64_t>(d.base_count);
    d.change = d.base_count == 0 ? Change::kAppeared
               : d.delta > 0     ? Change::kGrew
               : d.delta < 0     ? Change::kShrank
                                 : Change::kSame;
    out->deltas.push_back(d);
  }
  for (size_t i = 0; i < out->base_buckets.size(); ++i) {
    if (matched[i]) continue;
    BucketDelta d;
    d.snapshot = &base;
    d.bucket = &out->base_buckets[i];
    d.base_count = d.bucket->count;
    d.delta = -static_cast<int64_t>(d.base_count);
    d.change = Change::kVanished;
    out->deltas.push_back(d);
  }
  std::stable_sort(out->deltas.begin(), out->deltas.end(),
                   [](const BucketDelta& a, const BucketDelta& b) {
                     if (a.delta != b.delta) return a.delta > b.delta;
                     return a.new_count > b.new_count;
                   });
  out->total_delta = static_cast<int64_t>(next.total_goroutines()) -
                     static_cast<int64_t>(base.total_goroutines());
}

}  // namespace leakhound
