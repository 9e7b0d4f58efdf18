#include "analyze/ranking.h"

#include <algorithm>
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

// A finding that can be the cause of another's wait: raised, not expected.
bool CanCause(const Finding& f) {
  return !f.benign && (f.severity != Severity::kInfo || f.proof);
}

}  // namespace

void RankFindings(Verdict* v) {
  std::vector<Finding>& fs = v->findings;
  std::stable_sort(fs.begin(), fs.end(), [&](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return v->buckets[a.bucket].count > v->buckets[b.bucket].count;
  });

  // The waiting findings, found by the ids of their goroutines and, for
  // Go before 1.21 (no creator id: "created by F", not "... in goroutine
  // N"), by the functions on their stack: then the waiter is the one
  // parked inside F itself.
  std::unordered_map<uint64_t, size_t> finding_of_id;
  std::unordered_map<Sym, std::vector<size_t>> waiters_in;
  const Snapshot* s = v->current;
  for (size_t i = 0; i < fs.size(); ++i) {
    if (!fs[i].pattern || !WaitsForOthers(*fs[i].pattern) || fs[i].benign) continue;
    const Bucket& b = v->buckets[fs[i].bucket];
    for (uint64_t id : b.ids) finding_of_id.emplace(id, i);
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
