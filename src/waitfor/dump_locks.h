// What the dump alone says about lock waits, when no source is at hand.
//
// Go prints the mutex a goroutine is parked on in sync's lockSlow frame
// (`sync.(*Mutex).lockSlow(0xc00009a000)`), and the receivers and pointer
// parameters of user frames (`main.(*Ledger).Add(0xc00009a000, 0x5)`). A
// frame whose pointer lies a few bytes below a mutex's address works on
// the struct that holds that mutex. Two shapes follow, as evidence, never
// as proof (only the source says who took the lock):
//   - a caller on the waiter's own stack works on the struct of the mutex
//     it waits for, and no other goroutine works on that struct: the
//     holder is the waiter itself (a double lock through a call) or a
//     goroutine that returned without unlocking;
//   - two waiters, each waiting for a mutex in a struct the other's frames
//     work on: each may hold what the other wants (AB-BA);
//   - an RWMutex read lock waited for in a method whose caller on the same
//     stack works on the same receiver, while another goroutine waits to
//     write-lock in a method of that receiver: a read lock taken twice
//     with a writer queued in between (RWMutex recursion). sync inlines
//     RLock and prints Lock's receiver as "0x0?", so the receiver of the
//     top user frame stands for the lock here.
// Addresses are per snapshot; nothing here compares them across dumps.
#ifndef LEAKHOUND_WAITFOR_DUMP_LOCKS_H_
#define LEAKHOUND_WAITFOR_DUMP_LOCKS_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/snapshot.h"

namespace leakhound {

// A goroutine a dump-only shape pairs another with.
struct ShapePeer {
  uint64_t goroutine = 0;
  const char* kind = "";  // "ab-ba": the other half; "queued-writer": waits behind it
};

class DumpLockIndex {
 public:
  explicit DumpLockIndex(const Snapshot& snapshot);
  // Reasons (text, weight) for the goroutines `ids` of one bucket. When a
  // shape pairs them with another goroutine (the other half of an AB-BA,
  // the writer queued behind a recursive read lock), its id goes to
  // `with`, so reports can point at it.
  std::vector<std::pair<std::string, double>> For(const std::vector<uint64_t>& ids,
                                                  std::vector<ShapePeer>* with = nullptr) const;

 private:
  struct Waiter {
    uint64_t id = 0;
    size_t index = 0;    // into Snapshot::goroutines()
    uint64_t mutex = 0;  // the address it waits for
  };
  // A goroutine parked in sync.(*RWMutex).RLock or Lock, by the receiver
  // of its top user frame.
  struct RwWaiter {
    size_t index = 0;
    bool read = false;
    uint64_t receiver = 0;
    int top = -1;  // its top user frame
  };
  // The RWMutex recursion shape for goroutine `index`, or empty; the
  // queued writer's id to *writer.
  std::string RwRecursion(size_t index, uint64_t* writer) const;
  // "main.(*T).M (main.go:42)": frame k of goroutine `index`.
  std::string FrameName(size_t index, int k) const;

  // The user frame of goroutine `index` (at or below frame `from`) with a
  // word pointing into the struct holding `mutex`; -1 when none.
  int FrameOn(size_t index, uint64_t mutex, size_t from) const;

  // The nearest word of any user frame at or below `mutex` (within the
  // span of a struct): where its struct starts; 0 when none.
  uint64_t Nearest(uint64_t mutex) const;
  // Goroutines with a user frame's word equal to Nearest(mutex), at most
  // `limit` of them, from the sorted index of all such words.
  std::vector<size_t> WorkingOn(uint64_t mutex, size_t limit) const;

  const Snapshot& s_;
  std::vector<Waiter> waiters_;
  // Every known word of a user frame, with its goroutine: sorted by word.
  std::vector<std::pair<uint64_t, size_t>> words_;
  std::unordered_map<uint64_t, size_t> by_id_;  // -> waiters_
  std::vector<RwWaiter> rw_waiters_;
  std::unordered_map<uint64_t, size_t> rw_by_id_;  // -> rw_waiters_
};

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_DUMP_LOCKS_H_
