// What the Go source says about a channel or WaitGroup wait at one line:
// is every object the line waits on local to one function, so that only
// goroutines running that function's code can ever wake it?
//
// A goroutine blocked on `result <- v`, where `result := make(chan T)`
// was made in the function around it and never leaves it (not passed to
// a call, stored, returned, or captured by a closure that is not run on
// the spot or as a goroutine), can be woken only by code of that
// function: its own frames and the func literals it started. When every
// goroutine the dump shows running that code is itself blocked this way,
// nobody is left to wake any of them (nobody_left.h). LocalWaitAt reads
// the line's side of that from the syntax alone, and says why not
// whenever it cannot vouch for the objects.
#ifndef LEAKHOUND_WAITFOR_LOCAL_WAIT_H_
#define LEAKHOUND_WAITFOR_LOCAL_WAIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lint/go_file.h"

namespace leakhound {

struct LocalObject {
  std::string name;     // as the source names it: "result"
  std::string kind;     // "channel", "nil channel", "WaitGroup", "Cond"
  uint32_t declared = 0;  // line of its declaration
  // A parameter of the scope (index among its parameters, receiver not
  // counted): local only if the goroutine was started with a local
  // object in that place (LocalThroughGo), else -1.
  int param = -1;
  // Lines of the function (declaration or func literal) that declares
  // it: only code in these lines can name it.
  uint32_t home_first = 0, home_last = 0;
};

// Lines of a function whose code can touch the objects too: one that a
// `go f(x)` statement of the scope starts with a local object, and that
// keeps the parameter to itself; or a caller that takes the channel the
// scope returns straight into a range or a receive.
struct ScopeRange {
  std::string name;  // "(*Importer).writeRows"
  uint32_t first = 0, last = 0;
  std::string why;   // "started with it at line 40", "ranges over its result at line 61"
};

struct LocalWait {
  // The line holds a send, a receive, a range over a channel, a select or
  // X.Wait() of the function that owns it.
  bool found = false;
  std::string op;  // "send", "receive", "range", "select", "WaitGroup.Wait", "Cond.Wait"
  // The outermost function around the line: its name as the runtime
  // prints it (minus package) and its first and last line. Every frame
  // that runs its code (closures included) lies in these lines.
  std::string scope;
  uint32_t scope_first = 0, scope_last = 0;
  // The lines above are those of a func literal inside `scope` that
  // declares every object (a goroutine's own channel or WaitGroup), not
  // all of `scope`.
  bool literal = false;
  std::vector<LocalObject> objects;  // what the line waits on
  std::vector<ScopeRange> also;      // other code that can reach them
  // The answer holds only if this unexported function of the scope's
  // package is called from this file alone (its result is followed to
  // its callers here): GoSources checks the package's other files.
  std::string package_only;
  // Why the wait is not on objects local to `scope` alone, in words:
  // "time.After(d) is not a local channel", "result is passed to send
  // (line 40)". Empty when it is.
  std::string blocker;
};

LocalWait LocalWaitAt(const GoFile& file, uint32_t line);

// For a goroutine parked on a parameter of the function it was started
// with (`wait`, an answer of LocalWaitAt whose objects are parameters):
// the `go` statement at `line` of `file` that created it, read as the
// starting function's wait. Its objects are the arguments passed there,
// its scope the function around the `go` statement, `also` holds the
// started function. found is false when the line holds no such `go`.
LocalWait LocalThroughGo(const GoFile& file, uint32_t line, const LocalWait& wait);

}  // namespace leakhound

#endif  // LEAKHOUND_WAITFOR_LOCAL_WAIT_H_
