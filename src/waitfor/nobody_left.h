// Goroutines nobody is left to wake: the runtime's "all goroutines are
// asleep" check, applied to the part of a process one function's local
// objects can reach.
//
// A goroutine blocked on a channel or WaitGroup that is local to function
// D (local_wait.h: made in D, never leaving D's code) can be woken only
// by a goroutine running D's code, which the dump shows as a frame in D's
// lines. When every goroutine with such a frame is itself parked on D's
// local objects (not running, runnable, sleeping, in a syscall or the
// network poller, not in a select with a timer or a foreign channel),
// none of them can ever move. Instances of D do not matter: each one's
// objects are reached only by its own goroutines, all of which are among
// the parked ones.
//
// The rule needs every goroutine of the process in the dump (a goroutine
// profile, or a traceback of all goroutines) and stacks shown whole; any
// doubt (stale source, a cut or elided stack, an unreadable frame) leaves
// the function's goroutines unproven.
#ifndef LEAKHOUND_WAITFOR_NOBODY_LEFT_H_
#define LEAKHOUND_WAITFOR_NOBODY_LEFT_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "waitfor/wait_edge.h"
#include "waitfor/wait_for.h"

namespace leakhound {

struct StuckComponent {
  std::string scope;  // "(*Client).Profile"
  std::string file;
  uint32_t first = 0, last = 0;
  std::vector<StuckWait> members;  // at most 64 listed
  uint64_t goroutines = 0;         // all of them
  // Other functions' code reaches the objects too: a function a go
  // statement hands them to, or a caller a channel is returned to.
  bool shared = false;
  std::string text;                // the proof, in words
};

struct NobodyLeft {
  std::vector<StuckComponent> components;
  std::unordered_map<uint64_t, size_t> of;  // goroutine id -> component
  // Goroutines without ids (aggregated forms): stack index -> component.
  std::unordered_map<uint32_t, size_t> of_stack;

  const StuckComponent* For(const std::vector<uint64_t>& ids, uint32_t stack) const;
};

NobodyLeft FindNobodyLeft(const Snapshot& snapshot, GoSources& sources);

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_NOBODY_LEFT_H_
