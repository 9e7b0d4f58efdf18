// What the Go source says about locks at one line of one function.
//
// A goroutine dump shows where each goroutine stands (function, file,
// line) and the values of its frames' arguments, but not which locks it
// holds. The source tells: a frame parked at line L of a function holds
// the locks its body took before L on the path to L and did not release
// on the way. LocksAt reads that for one (file, line), from the syntax
// alone: the function around the line, its parameter names in the order
// the traceback prints their values (receiver first), the locks held and
// released before the line, the lock the line itself takes, and the calls
// on the line with the expressions they pass (so a caller's receiver can
// be followed into its callee).
//
// It is conservative where it must be for a proof: a lock counts as held
// only when it was taken in a block that encloses the line and no
// Unlock of the same expression (in any block, deferred ones excepted)
// lies between the two.
#ifndef LEAKHOUND_WAITFOR_LOCK_SOURCE_H_
#define LEAKHOUND_WAITFOR_LOCK_SOURCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lint/go_file.h"

namespace leakhound {

// A lock expression split at its leftmost identifier:
// `s.mu.Lock()` -> base "s", path ".mu"; `s.Lock()` (embedded mutex) ->
// base "s", path ""; `mu.RLock()` -> base "mu", path "", read.
struct LockExpr {
  std::string base;
  std::string path;
  bool read = false;  // RLock / RUnlock
  uint32_t line = 0;  // where it was taken (held, acquires) or released
};

// One call on the line: `s.Get(k)` -> callee "Get", receiver "s",
// args {"k"}; `transfer(a, b, 1)` -> callee "transfer", args {"a","b",""}.
// An argument (or receiver) that is not a plain identifier is "".
struct CallAt {
  std::string callee;
  std::string receiver;
  std::vector<std::string> args;
};

struct LineLocks {
  bool found = false;  // the line lies in a function body of the file
  std::string function;  // "(*Store).Bump", "transfer", "" for a func literal
  // Receiver first (when a method), then each parameter, one name per
  // printed value: `func (s *S) f(a, b int, _ string)` ->
  // {"s","a","b","_"}; an unnamed one is "".
  std::vector<std::string> params;
  std::vector<LockExpr> held;      // taken before the line, still held at it
  std::vector<LockExpr> released;  // Unlock/RUnlock reached before the line
  std::optional<LockExpr> acquires;  // the line's own X.Lock()/X.RLock()
  std::vector<CallAt> calls;       // calls that start on the line
};

LineLocks LocksAt(const GoFile& file, uint32_t line);

// True when `name` is a package-level `var` of the file.
bool IsPackageVar(const GoFile& file, std::string_view name);

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_LOCK_SOURCE_H_
