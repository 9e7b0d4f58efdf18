#include "waitfor/lock_evidence.h"

#include <fmt/format.h>

#include "base/strings.h"

#include <algorithm>
#include <set>

#include "analyze/buckets.h"

namespace leakhound {

LockEvidenceIndex::LockEvidenceIndex(const WaitForGraph& graph, const Snapshot& snapshot)
    : graph_(graph), snapshot_(snapshot) {
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    by_waiter_[graph.edges[e].waiter].push_back(e);
    by_holder_[graph.edges[e].holder].push_back(e);
  }
}

std::string LockEvidenceIndex::Where(uint64_t, const LockUse& use) const {
  return fmt::format("{}:{}", BaseName(use.file), use.line);
}

// Parked where only another goroutine can wake it: a channel operation
// (a select too, unless it may have a timer case, which the state does
// not show), a lock, a WaitGroup, a Cond. Not: running, runnable, a
// syscall or cgo call, the network poller ("IO wait"), a sleep or any
// other timer, which all go on by themselves.
bool LockEvidenceIndex::IsBlocked(uint64_t id) const {
  const GoroutineLocks* n = graph_.Find(id);
  if (!n) return false;
  std::string_view st = snapshot_.str(snapshot_.goroutines()[n->index].state);
  return st.starts_with("chan send") || st.starts_with("chan receive") || st == "select (no cases)" ||
         st.starts_with("sync.") || st == "semacquire" || st == "sync.Cond.Wait";
}

std::string LockEvidenceIndex::Blocked(uint64_t id) const {
  const GoroutineLocks* n = graph_.Find(id);
  if (!n) return "";
  const Goroutine& g = snapshot_.goroutines()[n->index];
  const Stack& st = snapshot_.stack_of(g);
  std::string out = fmt::format("[{}]", snapshot_.str(g.state));
  int top = TopUserFrame(snapshot_, st);
  if (top >= 0) {
    const Frame& f = st.frames[static_cast<size_t>(top)];
    out += fmt::format(" at {}:{}", BaseName(snapshot_.str(f.file)), f.line);
  }
  return out;
}

LockEvidence LockEvidenceIndex::For(const std::vector<uint64_t>& ids) const {
  LockEvidence ev;
  for (uint64_t id : ids)
    if (auto it = graph_.cycle_of.find(id); it != graph_.cycle_of.end()) {
      ev.cycle = &graph_.cycles[it->second];
      return ev;  // the proof says it all
    }
  for (uint64_t id : ids) {
    auto it = graph_.behind.find(id);
    if (it == graph_.behind.end()) continue;
    // Follow the waits to the cycle; each step's holder waits in turn.
    size_t e = it->second, steps = 0;
    for (size_t guard = 0; guard <= graph_.edges.size(); ++guard) {
      const WaitEdge& edge = graph_.edges[e];
      if (++steps <= 64) ev.chain.push_back(edge);  // a hostile chain of thousands keeps 64
      if (auto c = graph_.cycle_of.find(edge.holder); c != graph_.cycle_of.end()) {
        ev.behind = &graph_.cycles[c->second];
        break;
      }
      auto next = graph_.behind.find(edge.holder);
      if (next == graph_.behind.end()) break;
      e = next->second;
    }
    if (!ev.behind) {
      ev.chain.clear();
      continue;
    }
    std::string text;
    for (const WaitEdge& step : ev.chain) {
      if (steps > 12 && &step - ev.chain.data() == 12) {
        text += fmt::format("; and {} more the same way", steps - 12);
        break;
      }
      if (!text.empty()) text += "; ";
      text += fmt::format("goroutine {} waits at {} to {} {}, ", step.waiter, Where(step.waiter, step.wanted),
                          step.wanted.read ? "read-lock" : "lock", DescribeLock(step.wanted));
      if (!step.held)
        text += fmt::format("behind goroutine {}, a writer queued for it", step.holder);
      else if (step.held->expr != step.wanted.expr)
        text += fmt::format("which goroutine {} holds (as {}, taken at {})", step.holder, step.held->expr,
                            Where(step.holder, *step.held));
      else
        text += fmt::format("which goroutine {} holds since {}", step.holder, Where(step.holder, *step.held));
    }
    ev.behind_text = text + fmt::format(", and goroutine {} is in a wait-for cycle that can never move: ",
                                        graph_.edges[e].holder) +
                     ev.behind->text;
    // The whole picture: the path to the cycle, then the cycle.
    ev.chain.insert(ev.chain.end(), ev.behind->edges.begin(),
                    ev.behind->edges.begin() + static_cast<long>(std::min<size_t>(ev.behind->edges.size(), 64)));
    return ev;
  }
  // One goroutine of the bucket speaks for it: the first with edges (its
  // fellows share its stack and usually its lock).
  for (uint64_t id : ids) {
    auto w = by_waiter_.find(id);
    auto h = by_holder_.find(id);
    if (w == by_waiter_.end() && h == by_holder_.end()) continue;
    if (w != by_waiter_.end())
      for (size_t e : w->second) {
        const WaitEdge& edge = graph_.edges[e];
        bool stuck = IsBlocked(edge.holder);
        if (edge.probable) {
          ev.reasons.emplace_back(
              fmt::format("probably waits for goroutine {}, the only one holding a {} (as {}, "
                          "taken at {}), which is {}; the dump lost this frame's receiver, so "
                          "that is a guess by type",
                          edge.holder, edge.wanted.type_key, edge.held->expr,
                          Where(edge.holder, *edge.held),
                          stuck ? "blocked " + Blocked(edge.holder)
                                : Blocked(edge.holder) + " and goes on by itself"),
              stuck ? 0.15 : 0.0);
          continue;
        }
        std::string text =
            edge.held ? fmt::format("goroutine {} waits to {} {}, which goroutine {} holds since {}",
                                    id, edge.wanted.read ? "read-lock" : "lock",
                                    DescribeLock(edge.wanted), edge.holder, Where(edge.holder, *edge.held))
                      : fmt::format("goroutine {} waits to read-lock {} behind goroutine {}, a "
                                    "writer queued for it",
                                    id, DescribeLock(edge.wanted), edge.holder);
        text += stuck ? fmt::format(", and that goroutine is blocked {}", Blocked(edge.holder))
                      : fmt::format(", which is {} and goes on by itself: it may yet let go",
                                    Blocked(edge.holder));
        // A holder that goes on by itself (running, sleeping, in a
        // syscall) will most likely let go: evidence against a leak.
        // Less than its holder gets below: the holder is the root, read first.
        ev.reasons.emplace_back(std::move(text), stuck ? 0.2 : -0.2);
        if (ev.reasons.size() >= 3) break;
      }
    if (h != by_holder_.end() && IsBlocked(id)) {
      std::set<uint64_t> waiters;
      const WaitEdge* first = nullptr;
      for (size_t e : h->second)
        if (graph_.edges[e].held && graph_.edges[e].waiter != id && !graph_.edges[e].probable) {
          waiters.insert(graph_.edges[e].waiter);
          if (!first) first = &graph_.edges[e];
        }
      if (first)
        ev.reasons.emplace_back(
            fmt::format("holds {} (taken at {}) while blocked here, and {} other goroutine(s) wait "
                        "for it",
                        DescribeLock(*first->held), Where(id, *first->held), waiters.size()),
            0.3);
    }
    break;
  }
  return ev;
}

}  // namespace leakhound
