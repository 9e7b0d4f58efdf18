// The leak pattern catalogue.
//
// Each pattern is one unit (one .cc file in this folder) with a stable id,
// the words a person needs (title, explanation, fix) and, where a dump can
// show it, a detector over one bucket of goroutines. The runtime analyzer
// and the linter both name findings by these ids, so the same leak reads
// the same way whether it was found in a dump or in source. Patterns are
// listed in one place, registry.cc, in the order detectors are tried.
#ifndef LEAKHOUND_PATTERNS_PATTERN_H_
#define LEAKHOUND_PATTERNS_PATTERN_H_

#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace leakhound {

// What a detector sees of one bucket.
struct BucketFacts {
  const Snapshot* snapshot = nullptr;
  const Stack* stack = nullptr;
  std::string_view state;      // "chan send", "semacquire", ...
  uint64_t count = 0;
  int32_t max_wait = -1;       // minutes, -1 unknown
  bool leaked = false;         // Go 1.26 "(leaked)"
  // Members whose net/http.send was given a deadline (kHttpDeadline):
  // the call ends by itself, Client.Timeout is set.
  uint64_t http_deadline = 0;
  // Set when members are in the synctest bubble the runtime declared
  // deadlocked (analyze/bubbles.h): its message, and the bubble's id.
  std::string_view bubble_deadlock;
  int64_t deadlocked_bubble = -1;
  int top_user = -1;           // TopUserFrame(), -1 when no frames
  // Source text of the top user frame's line when the file could be read
  // (see analyze/source_view.h); empty otherwise. Lets detectors tell
  // `for v := range ch` from `v, ok := <-ch`, which compile alike.
  std::string_view source_line;

  std::string_view Function(size_t i) const {
    return snapshot->str(stack->frames[i].function);
  }
  size_t FrameCount() const { return stack->frames.size(); }
  // True if any frame's function equals `fn`.
  bool HasFunction(std::string_view fn) const;
  // True if any frame's function starts with `prefix`.
  bool HasFunctionPrefix(std::string_view prefix) const;
  // The frame right below (called by) the top user frame's callee chain:
  // the innermost runtime/stdlib frame just above the top user frame.
  std::string_view CalleeOfTopUser() const;
};

// A detector's answer.
struct RuntimeMatch {
  double base = 0;          // prior confidence that this shape is a leak
  std::string why;          // the evidence, in words
  bool never_wakes = false; // nothing can ever wake it (nil chan, select {})
};

using RuntimeDetector = bool (*)(const BucketFacts&, RuntimeMatch*);

struct Pattern {
  const char* id;           // stable, kebab-case: "chan-send-blocked"
  const char* title;        // one line
  const char* explanation;  // one paragraph: what happens and why it leaks
  const char* fix;          // the typical fix, in words
  const char* fix_snippet;  // a short Go example of the fix
  const char* detection;    // how leakhound recognises it, in words
  RuntimeDetector runtime;  // nullptr: not visible in a single bucket
};

// Every pattern, in detector precedence order (specific before general).
const std::vector<const Pattern*>& AllPatterns();
// nullptr when unknown.
const Pattern* FindPattern(std::string_view id);

}  // namespace leakhound

#endif  // LEAKHOUND_PATTERNS_PATTERN_H_
