// The steps of a wait-for graph (wait_for.h) as plain values: a lock, a
// goroutine's use of it, one goroutine waiting for another, a cycle of
// such waits. Kept apart from the graph's builder so a verdict can carry
// a cycle as its proof without pulling in the source parser.
#ifndef LEAKHOUND_WAITFOR_WAIT_EDGE_H_
#define LEAKHOUND_WAITFOR_WAIT_EDGE_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leakhound {

// The object a lock hangs off and the field path to it. `base` 0 with
// `path` "pkg.name..." is a package-level variable.
struct LockId {
  uint64_t base = 0;
  std::string path;
  auto operator<=>(const LockId&) const = default;
};

// A lock one goroutine holds or is blocked taking.
struct LockUse {
  LockId lock;
  std::string expr;   // as the source writes it there: "from.mu"
  bool read = false;  // RLock
  size_t frame = 0;   // the stack frame whose function took (or takes) it
  std::string file;   // that frame's file, as the dump names it
  uint32_t line = 0;  // where
  // "main.Clock.mu" when the lock hangs off a method's receiver: the same
  // field of the same type, whichever object. Used only when the dump
  // lost the receiver's value ("0x0?") and `lock` is unknown.
  std::string type_key;
  bool known = true;  // `lock` names the object; false: only type_key
};

// `waiter` cannot take `wanted` while `holder` holds `held` (the same
// lock), or -- for an RLock -- while writer `holder` is queued for it.
struct WaitEdge {
  uint64_t waiter = 0, holder = 0;  // goroutine ids
  LockUse wanted;
  std::optional<LockUse> held;  // empty: the holder is a queued writer
  // The waiter's object is unknown and the holder is the only goroutine
  // holding that field of that type: evidence, never part of a proof.
  bool probable = false;
};

// Goroutines each waiting for the next (the last for the first).
struct WaitCycle {
  std::vector<WaitEdge> edges;
  // "mutex-held" (one goroutine re-taking its own lock), "rwmutex-
  // recursive-read" (an RLock held while taking it again behind a queued
  // writer), "lock-order-inversion" (two or more goroutines, each holding
  // what the next wants).
  std::string pattern;
  std::string text;  // the proof, one sentence per goroutine
};

// One goroutine (or, in aggregated dumps, `count` of them on one stack)
// of a component nobody is left to wake (nobody_left.h): where it is
// blocked and on which of the function's local objects.
struct StuckWait {
  uint64_t goroutine = 0;  // 0 in forms without ids
  uint64_t count = 1;
  std::string state;  // "chan send"
  std::string file;
  uint32_t line = 0;
  std::string op;  // "send", "receive", "range", "select", "WaitGroup.Wait"
  std::vector<std::string> objects;  // "result (channel, made at line 34)"
};

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_WAIT_EDGE_H_
