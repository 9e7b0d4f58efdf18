// The wait-for graph of one snapshot: which goroutine waits for a lock that
// which goroutine holds.
//
// The dump says where each goroutine stands and the argument words of its
// frames (receivers and pointer parameters, model/snapshot.h FrameArgs);
// the source says which locks each of those frames took before its line
// and still holds (lock_source.h). A lock is named by the object it hangs
// off and the field path to it: `from.mu` in a frame whose `from` is
// 0xc000012020 is (0xc000012020, ".mu"), whichever goroutine names it and
// whatever it calls the variable. Addresses are per snapshot and never
// compared across dumps.
//
// A cycle of goroutines, each waiting for a lock the next one holds, can
// never move again: the graph's cycles are proofs. What is not a cycle
// (a waiter whose holder is itself blocked on a channel) is evidence, and
// each waiter keeps its holders for the reasons a report prints.
#ifndef LEAKHOUND_WAITFOR_WAIT_FOR_H_
#define LEAKHOUND_WAITFOR_WAIT_FOR_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "analyze/source_view.h"
#include "model/snapshot.h"
#include "waitfor/local_wait.h"
#include "waitfor/lock_source.h"
#include "waitfor/wait_edge.h"

namespace leakhound {

// One goroutine's locks, as far as dump and source tell.
struct GoroutineLocks {
  uint64_t id = 0;
  size_t index = 0;             // into Snapshot::goroutines()
  std::optional<LockUse> wants;  // set when parked in Lock/RLock
  std::vector<LockUse> holds;
};

struct WaitForGraph {
  std::vector<GoroutineLocks> goroutines;  // those with a known lock
  std::vector<WaitEdge> edges;
  std::vector<WaitCycle> cycles;
  // Goroutine id -> index into `cycles`.
  std::unordered_map<uint64_t, size_t> cycle_of;
  // Goroutine id -> the edge (index into `edges`) by which it waits for a
  // goroutine that can never move: one in a cycle, or itself behind one.
  std::unordered_map<uint64_t, size_t> behind;
  // Goroutine id -> index into `goroutines`.
  std::unordered_map<uint64_t, size_t> by_id;

  const GoroutineLocks* Find(uint64_t id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : &goroutines[it->second];
  }
};

// Go source files as the dump names them, parsed once each.
class GoSources {
 public:
  explicit GoSources(SourceView* view) : view_(view) {}
  // The parsed file, or nullptr when it cannot be read.
  const GoFile* File(std::string_view path);
  // LocksAt(File(path), line), cached.
  const LineLocks* Locks(std::string_view path, uint32_t line);
  // LocalWaitAt(File(path), line), cached; nullptr when the line holds no
  // channel or WaitGroup wait (or the file cannot be read).
  const LocalWait* Local(std::string_view path, uint32_t line);
  // LocalThroughGo(File(path), line, *wait), cached; nullptr when the
  // line starts no such goroutine.
  const LocalWait* Through(std::string_view path, uint32_t line, const LocalWait* wait);

 private:
  void CheckPackage(std::string_view path, LocalWait* lw);

  SourceView* view_;
  std::map<std::string, std::unique_ptr<GoFile>, std::less<>> files_;
  std::map<std::pair<std::string, uint32_t>, LineLocks> locks_;
  std::map<std::pair<std::string, uint32_t>, LocalWait> local_;
  std::map<std::tuple<std::string, uint32_t, const LocalWait*>, LocalWait> through_;
};

// The graph of `snapshot`. Empty when no goroutine waits for a lock, or
// the source cannot be read.
WaitForGraph BuildWaitFor(const Snapshot& snapshot, GoSources& sources);

// "from.mu of 0xc000012020" / "pkg.mu": a lock in words.
std::string DescribeLock(const LockUse& use);

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_WAIT_FOR_H_
