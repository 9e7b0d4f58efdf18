// Goroutines that wait forever by design: the runtime's own, signal
// delivery, accept loops, idle keep-alive connections, connection-pool
// openers. They are recognised from the table in benign.cc (data, one row
// per kind) and never reported as leaks.
#ifndef LEAKHOUND_PATTERNS_BENIGN_H_
#define LEAKHOUND_PATTERNS_BENIGN_H_

#include <memory>
#include <vector>

#include "patterns/pattern.h"

namespace re2 {
class RE2;
}

namespace leakhound {

struct BenignRule {
  enum Kind {
    kAnyFunction,   // some frame's function matches `function_re`
    kAllFunctions,  // every frame (and the creator) matches
    kMainGoroutine, // the main goroutine, parked for the program's life
    kParkedIn,      // the innermost frame outside the runtime and sync
                    // (where the goroutine itself parked) matches
  };
  const char* id;
  Kind kind;
  const char* function_re;  // RE2, anchored by the matcher
  const char* state_re;     // nullptr: any state
  const char* reason;
};

const std::vector<BenignRule>& BenignRules();

class BenignMatcher;
// The table compiled once per process.
const BenignMatcher& DefaultBenignMatcher();

// Compiles the table once; Match is then cheap enough to run per bucket.
class BenignMatcher {
 public:
  BenignMatcher();
  ~BenignMatcher();
  // The first rule the bucket satisfies, or nullptr. `is_main` says the
  // bucket is the main goroutine alone (id 1 running main.main).
  const BenignRule* Match(const BucketFacts& facts, bool is_main) const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> rules_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_PATTERNS_BENIGN_H_
