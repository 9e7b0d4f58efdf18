#include "analyze/ranking.h"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "patterns/pattern.h"

namespace leakhound {

namespace {

// Patterns of a goroutine that waits for others' results: the shape of a
// parent waiting for the children it started.
bool WaitsForOthers(const Pattern& p) {
  std::string_view id = p.id;
  return id == "waitgroup-wait" || id == "chan-recv-blocked" || id == "select-forever" ||
         id == "cond-wait" || id == "range-unclosed";
}

bool IsSend(const Finding& f) {
  return f.pattern && std::string_view(f.pattern->id) == "chan-send-blocked";
}

// A finding that can be the cause of another's wait: raised, not expected.
bool CanCause(const Finding& f) {
  return !f.benign && (f.severity != Severity::kInfo || f.proof);
}

// Pipeline stages one goroutine started, each blocked sending, tied in
// the order above: a stage reads from the one started before it, so the
// later stage's stuck send is what blocks the earlier one. Go numbers
// goroutines as it creates them; within each run of ties, those stages
// trade places so the last started comes first. Nothing else moves.
// Before Go 1.21 the dump names no creator goroutine, only the function
// that ran `go`: stages whose creating functions have all returned (on
// no stack of the dump) count as one caller's, the usual shape of
// `for x := range stage2(stage1(in))`.
void PipelineStagesLastFirst(Verdict* v) {
  std::vector<Finding>& fs = v->findings;
  auto tied = [&](const Finding& a, const Finding& b) {
    return a.severity == b.severity && a.confidence == b.confidence &&
           v->buckets[a.bucket].count == v->buckets[b.bucket].count;
  };
  const Snapshot* snap = v->current;
  std::unordered_set<Sym> on_stack;  // filled on first need
  bool on_stack_known = false;
  auto creator_gone = [&](const Bucket& b) {
    if (!snap || !snap->has_creators || b.stack >= snap->stacks().size()) return false;
    const Stack& st = snap->stacks()[b.stack];
    if (!st.has_creator) return false;
    if (!on_stack_known) {
      for (const Stack& other : snap->stacks())
        for (const Frame& f : other.frames) on_stack.insert(f.function);
      on_stack_known = true;
    }
    return on_stack.count(st.creator.function) == 0;
  };
  // The creator a stage is grouped by: its id, or 0 for "returned, id
  // not printed"; nullopt when the finding is no stage.
  auto creator_of = [&](const Finding& f) -> std::optional<uint64_t> {
    const Bucket& b = v->buckets[f.bucket];
    if (!IsSend(f) || b.ids.empty()) return std::nullopt;
    if (b.creator_ids.size() == 1 && b.creator_ids[0] != 0) return b.creator_ids[0];
    if (b.creator_ids.empty() && creator_gone(b)) return uint64_t{0};
    return std::nullopt;
  };
  for (size_t run = 0; run < fs.size();) {
    size_t end = run + 1;
    while (end < fs.size() && tied(fs[run], fs[end])) ++end;
    if (end - run < 2) {
      run = end;
      continue;
    }
    std::vector<std::pair<uint64_t, size_t>> slots;  // (creator, position) of stages
    for (size_t i = run; i < end; ++i)
      if (std::optional<uint64_t> c = creator_of(fs[i])) slots.push_back({*c, i});
    std::stable_sort(slots.begin(), slots.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t g = 0; g < slots.size();) {
      size_t h = g + 1;
      while (h < slots.size() && slots[h].first == slots[g].first) ++h;
      std::vector<size_t> pos;
      for (size_t k = g; k < h; ++k) pos.push_back(slots[k].second);
      std::sort(pos.begin(), pos.end());
      std::vector<Finding> group;
      for (size_t p : pos) group.push_back(std::move(fs[p]));
      std::sort(group.begin(), group.end(), [&](const Finding& a, const Finding& b) {
        return v->buckets[a.bucket].ids.front() > v->buckets[b.bucket].ids.front();
      });
      for (size_t k = 0; k < pos.size(); ++k) fs[pos[k]] = std::move(group[k]);
      g = h;
    }
    run = end;
  }
}

// Calls fn(x) for each x in both sorted vectors. Walks the shorter and
// bisects the longer (or merges the two when they are alike in size), so
// many waiting buckets checked against many creator ids cost about the
// smaller sides, not both sides each time.
template <typename Fn>
void ForEachCommon(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, Fn fn) {
  const std::vector<uint64_t>& small = a.size() <= b.size() ? a : b;
  const std::vector<uint64_t>& large = a.size() <= b.size() ? b : a;
  if (large.size() / 16 <= small.size()) {  // alike in size: one merge walk
    auto i = small.begin(), j = large.begin();
    while (i != small.end() && j != large.end()) {
      if (*i < *j) {
        ++i;
      } else if (*j < *i) {
        ++j;
      } else {
        fn(*i);
        ++i;
        ++j;
      }
    }
    return;
  }
  auto from = large.begin();
  for (uint64_t x : small) {
    from = std::lower_bound(from, large.end(), x);
    if (from == large.end()) return;
    if (*from == x) fn(x);
  }
}

}  // namespace

void RankFindings(Verdict* v) {
  std::vector<Finding>& fs = v->findings;
  std::stable_sort(fs.begin(), fs.end(), [&](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return v->buckets[a.bucket].count > v->buckets[b.bucket].count;
  });
  PipelineStagesLastFirst(v);

  // The waiting findings, found by the ids of their goroutines and, for
  // Go before 1.21 (no creator id: "created by F", not "... in goroutine
  // N"), by the functions on their stack: then the waiter is the one
  // parked inside F itself.
  // Only the ids some finding names as its creator are looked up: a
  // bucket of ten million waiters then costs a scan, not a map of them.
  std::vector<uint64_t> needed;
  for (const Finding& f : fs)
    if (CanCause(f))
      for (uint64_t c : v->buckets[f.bucket].creator_ids) needed.push_back(c);
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  std::unordered_map<uint64_t, size_t> finding_of_id;
  std::unordered_map<Sym, std::vector<size_t>> waiters_in;
  const Snapshot* s = v->current;
  for (size_t i = 0; i < fs.size(); ++i) {
    if (!fs[i].pattern || !WaitsForOthers(*fs[i].pattern) || fs[i].benign) continue;
    const Bucket& b = v->buckets[fs[i].bucket];
    ForEachCommon(needed, b.ids, [&](uint64_t id) { finding_of_id.emplace(id, i); });
    if (!s) continue;
    for (const Frame& f : s->stacks()[b.stack].frames) {
      std::vector<size_t>& w = waiters_in[f.function];
      if (w.empty() || w.back() != i) w.push_back(i);
    }
  }
  if (finding_of_id.empty() && waiters_in.empty()) return;

  // Finding j's goroutines were started by goroutines of waiting finding i:
  // i waits for j.
  std::vector<std::vector<size_t>> causes(fs.size());
  for (size_t j = 0; j < fs.size(); ++j) {
    if (!CanCause(fs[j])) continue;
    auto add = [&](size_t waiter) {
      std::vector<size_t>& c = causes[waiter];
      if (waiter != j && std::find(c.begin(), c.end(), j) == c.end()) c.push_back(j);
    };
    const Bucket& b = v->buckets[fs[j].bucket];
    for (uint64_t creator : b.creator_ids)
      if (auto it = finding_of_id.find(creator); it != finding_of_id.end()) add(it->second);
    if (b.creator_ids.empty() && s && s->stacks()[b.stack].has_creator)
      if (auto it = waiters_in.find(s->stacks()[b.stack].creator.function); it != waiters_in.end())
        for (size_t waiter : it->second) add(waiter);
  }

  // In sorted order, each finding is preceded by its causes (pulled
  // forward, depth first): the root takes the place of the first finding
  // that waits on it. `state` 1 marks a finding being placed, so a cycle
  // (goroutines started by each other) stops instead of looping.
  std::vector<size_t> order;
  order.reserve(fs.size());
  std::vector<uint8_t> state(fs.size(), 0);
  std::vector<std::pair<size_t, size_t>> stack;  // finding, next cause to visit
  for (size_t root = 0; root < fs.size(); ++root) {
    if (state[root]) continue;
    state[root] = 1;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [i, next] = stack.back();
      if (next < causes[i].size()) {
        size_t c = causes[i][next++];
        if (!state[c]) {
          state[c] = 1;
          stack.push_back({c, 0});
        }
        continue;
      }
      state[i] = 2;
      order.push_back(i);
      stack.pop_back();
    }
  }
  for (size_t i = 0; i < fs.size(); ++i)
    for (size_t c : causes[i]) fs[i].waits_for.push_back(fs[c].bucket);
  std::vector<Finding> ranked;
  ranked.reserve(fs.size());
  for (size_t i : order) ranked.push_back(std::move(fs[i]));
  fs = std::move(ranked);
}

}  // namespace leakhound
