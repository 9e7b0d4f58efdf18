// What the wait-for graph says about one bucket of goroutines, in the
// verdict's terms: the cycle one of them is in (a proof), and the lock
// holders and waiters around them (evidence, with a weight each).
#ifndef LEAKHOUND_WAITFOR_LOCK_EVIDENCE_H_
#define LEAKHOUND_WAITFOR_LOCK_EVIDENCE_H_

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/snapshot.h"
#include "waitfor/wait_for.h"

namespace leakhound {

struct LockEvidence {
  const WaitCycle* cycle = nullptr;  // a goroutine of the bucket is in it
  // Else: a goroutine of the bucket waits, directly or through others, for
  // one in this cycle: `chain` is the waits from its own to the cycle,
  // then the cycle's (at most 64 of each).
  const WaitCycle* behind = nullptr;
  std::vector<WaitEdge> chain;
  std::string behind_text;  // the proof, in words
  std::vector<std::pair<std::string, double>> reasons;  // text, weight
};

class LockEvidenceIndex {
 public:
  LockEvidenceIndex(const WaitForGraph& graph, const Snapshot& snapshot);
  // For the goroutines `ids` of one bucket.
  LockEvidence For(const std::vector<uint64_t>& ids) const;
  bool empty() const { return graph_.edges.empty(); }

 private:
  std::string Where(uint64_t id, const LockUse& use) const;
  std::string Blocked(uint64_t id) const;  // "blocked [chan send] at main.go:77"
  bool IsBlocked(uint64_t id) const;

  const WaitForGraph& graph_;
  const Snapshot& snapshot_;
  std::unordered_map<uint64_t, std::vector<size_t>> by_waiter_, by_holder_;  // edge indices
};

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_LOCK_EVIDENCE_H_
