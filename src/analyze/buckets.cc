#include "analyze/buckets.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "base/hash.h"
#include "model/func_name.h"

namespace leakhound {

namespace {

// The loose identity of a stack: frames below the top compared without
// line numbers. Stack::loose_hash is only a hash, so equal hashes are
// confirmed frame by frame.
bool LooselyEqual(const Stack& a, const Stack& b) {
  if (a.frames.size() != b.frames.size() || a.has_creator != b.has_creator ||
      a.unavailable != b.unavailable)
    return false;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    const Frame& x = a.frames[i];
    const Frame& y = b.frames[i];
    if (x.function != y.function || x.file != y.file) return false;
    if (i == 0 && x.line != y.line) return false;
  }
  return !a.has_creator ||
         (a.creator.function == b.creator.function && a.creator.file == b.creator.file);
}

}  // namespace

std::vector<Bucket> MakeBuckets(const Snapshot& snapshot, Grouping grouping) {
  const std::vector<Stack>& stacks = snapshot.stacks();
  // Map each stack to a canonical stack: itself (exact) or the first
  // loosely equal one.
  std::vector<uint32_t> canon(stacks.size());
  if (grouping == Grouping::kExact) {
    for (uint32_t i = 0; i < stacks.size(); ++i) canon[i] = i;
  } else {
    std::unordered_multimap<uint64_t, uint32_t> by_hash;
    for (uint32_t i = 0; i < stacks.size(); ++i) {
      canon[i] = i;
      auto range = by_hash.equal_range(stacks[i].loose_hash);
      for (auto it = range.first; it != range.second; ++it) {
        if (LooselyEqual(stacks[it->second], stacks[i])) {
          canon[i] = it->second;
          break;
        }
      }
      if (canon[i] == i) by_hash.emplace(stacks[i].loose_hash, i);
    }
  }

  std::vector<Bucket> buckets;
  // Buckets of each canonical stack, chained (a stack rarely has more
  // than one: one per state seen with it).
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> first(stacks.size(), kNone), next;
  auto find = [&](const Goroutine& g) -> Bucket* {
    bool leaked = g.has(kLeaked);
    for (uint32_t c = first[canon[g.stack]]; c != kNone; c = next[c]) {
      Bucket& cand = buckets[c];
      if (cand.state == g.state && cand.leaked == leaked) return &cand;
    }
    return nullptr;
  };
  for (const Goroutine& g : snapshot.goroutines()) {
    uint32_t stack = canon[g.stack];
    bool leaked = g.has(kLeaked);
    Bucket* b = find(g);
    if (b == nullptr) {
      next.push_back(first[stack]);
      first[stack] = static_cast<uint32_t>(buckets.size());
      buckets.emplace_back();
      b = &buckets.back();
      b->state = g.state;
      b->leaked = leaked;
      b->stack = stack;
    }
    b->count += g.count;
    if (snapshot.has_ids && g.count == 1) {
      b->ids.push_back(g.id);
    } else if (snapshot.has_ids) {
      // A folded run (Snapshot::TryExtendLast): room for it at once.
      if (b->ids.capacity() - b->ids.size() < g.count) b->ids.reserve(b->ids.size() + g.count);
      Snapshot::ForEachId(g, [&](uint64_t id) { b->ids.push_back(id); });
    }
    if (g.wait_minutes >= 0) {
      if (b->min_wait < 0 || g.wait_minutes < b->min_wait) b->min_wait = g.wait_minutes;
      if (g.wait_minutes > b->max_wait) b->max_wait = g.wait_minutes;
    }
    if (g.has(kLockedToThread)) b->locked_to_thread += g.count;
    if (g.has(kHttpDeadline)) b->http_deadline += g.count;
    // Runs of one creator (all created by main, say) are kept once.
    if (g.creator_id != 0 && (b->creator_ids.empty() || b->creator_ids.back() != g.creator_id))
      b->creator_ids.push_back(g.creator_id);
    if (g.has(kDurable)) b->durable += g.count;
    if (g.bubble >= 0) {
      b->in_bubble += g.count;
      if (b->bubbles.empty() || b->bubbles.back() != g.bubble) b->bubbles.push_back(g.bubble);
    }
    if (g.labels != 0) {
      auto it = std::find_if(b->labels.begin(), b->labels.end(),
                             [&](const auto& e) { return e.first == g.labels; });
      if (it != b->labels.end()) it->second += g.count;
      else if (b->labels.size() < kMaxBucketLabelSets) b->labels.emplace_back(g.labels, g.count);
      else b->labels_other += g.count;
    }
  }
  for (Bucket& b : buckets) {
    // Dumps list goroutines mostly in id order already.
    if (!std::is_sorted(b.ids.begin(), b.ids.end())) std::sort(b.ids.begin(), b.ids.end());
    std::sort(b.creator_ids.begin(), b.creator_ids.end());
    b.creator_ids.erase(std::unique(b.creator_ids.begin(), b.creator_ids.end()),
                        b.creator_ids.end());
    std::sort(b.bubbles.begin(), b.bubbles.end());
    b.bubbles.erase(std::unique(b.bubbles.begin(), b.bubbles.end()), b.bubbles.end());
    std::stable_sort(b.labels.begin(), b.labels.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
  }
  // Members started by another member (a recursive chain): only buckets
  // where some creator is also a member need the second pass.
  std::vector<uint8_t> chained(buckets.size(), 0);
  bool any_chained = false;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    const std::vector<uint64_t>& small = b.creator_ids.size() <= b.ids.size() ? b.creator_ids : b.ids;
    const std::vector<uint64_t>& large = b.creator_ids.size() <= b.ids.size() ? b.ids : b.creator_ids;
    for (uint64_t x : small)
      if (std::binary_search(large.begin(), large.end(), x)) {
        chained[i] = 1;
        any_chained = true;
        break;
      }
  }
  if (any_chained)
    for (const Goroutine& g : snapshot.goroutines()) {
      if (g.creator_id == 0) continue;
      Bucket* b = find(g);
      if (chained[static_cast<size_t>(b - buckets.data())] &&
          std::binary_search(b->ids.begin(), b->ids.end(), g.creator_id))
        b->started_by_member += g.count;
    }
  std::sort(buckets.begin(), buckets.end(), [&](const Bucket& a, const Bucket& b) {
    if (a.count != b.count) return a.count > b.count;
    std::string_view sa = snapshot.str(a.state), sb = snapshot.str(b.state);
    if (sa != sb) return sa < sb;
    if (a.leaked != b.leaked) return a.leaked;
    return a.stack < b.stack;
  });
  return buckets;
}

int TopUserFrame(const Snapshot& snapshot, const Stack& stack) {
  if (stack.frames.empty()) return -1;
  int first_non_runtime = -1;
  for (size_t i = 0; i < stack.frames.size(); ++i) {
    std::string_view fn = snapshot.str(stack.frames[i].function);
    std::string_view pkg = PackageOf(fn);
    if (!IsStdlibPackage(pkg)) return static_cast<int>(i);
    if (first_non_runtime < 0 && pkg != "runtime" && pkg.rfind("runtime/", 0) != 0 &&
        pkg.rfind("internal/runtime", 0) != 0)
      first_non_runtime = static_cast<int>(i);
  }
  return first_non_runtime >= 0 ? first_non_runtime : 0;
}

uint64_t BucketSignature(const Snapshot& s, const Bucket& b, Grouping grouping) {
  const Stack& st = s.stacks()[b.stack];
  uint64_t h = HashString(s.str(b.state));
  h = HashMix(h, b.leaked ? 1 : 0);
  for (size_t i = 0; i < st.frames.size(); ++i) {
    const Frame& f = st.frames[i];
    h = HashMix(h, HashString(s.str(f.function)));
    h = HashMix(h, HashString(s.str(f.file)));
    if (grouping == Grouping::kExact || i == 0) h = HashMix(h, f.line);
  }
  if (st.has_creator) {
    h = HashMix(h, HashString(s.str(st.creator.function)));
    h = HashMix(h, HashString(s.str(st.creator.file)));
    if (grouping == Grouping::kExact) h = HashMix(h, st.creator.line);
  }
  return h;
}

}  // namespace leakhound
