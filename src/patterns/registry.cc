// The one place patterns are listed. Order is detector precedence: a
// bucket is named by the first pattern whose detector accepts it, so
// specific shapes (a nil channel, an HTTP round trip) come before the
// general ones (any channel receive, any select).
#include <cstring>

#include "patterns/pattern.h"

namespace leakhound {

extern const Pattern kBubbleDeadlock;
extern const Pattern kNilChan;
extern const Pattern kMutexHeld;
extern const Pattern kWaitGroupWait;
extern const Pattern kCondWait;
extern const Pattern kHttpNoTimeout;
extern const Pattern kContextNeverDone;
extern const Pattern kRangeUnclosed;
extern const Pattern kChanSendBlocked;
extern const Pattern kChanRecvBlocked;
extern const Pattern kSelectForever;
extern const Pattern kBusyLoop;
extern const Pattern kRuntimeLeaked;
extern const Pattern kTimerInLoop;
extern const Pattern kOutlivedTest;
extern const Pattern kLockOrderInversion;
extern const Pattern kRWMutexRecursiveRead;

const std::vector<const Pattern*>& AllPatterns() {
  static const std::vector<const Pattern*> all = {
      // The runtime's own proof names the finding whatever the shape.
      &kBubbleDeadlock,
      &kNilChan,         &kMutexHeld,      &kWaitGroupWait,     &kCondWait,
      &kHttpNoTimeout,   &kContextNeverDone, &kRangeUnclosed,  &kChanSendBlocked,
      &kChanRecvBlocked, &kSelectForever,  &kBusyLoop,         &kRuntimeLeaked,
      &kTimerInLoop,  // source only
      &kOutlivedTest,  // leakhound test only
      // Across goroutines: the wait-for graph of a dump and its source.
      &kLockOrderInversion, &kRWMutexRecursiveRead,
  };
  return all;
}

const Pattern* FindPattern(std::string_view id) {
  for (const Pattern* p : AllPatterns())
    if (id == p->id) return p;
  return nullptr;
}

bool BucketFacts::HasFunction(std::string_view fn) const {
  for (const Frame& f : stack->frames)
    if (snapshot->str(f.function) == fn) return true;
  return false;
}

bool BucketFacts::HasFunctionPrefix(std::string_view prefix) const {
  for (const Frame& f : stack->frames)
    if (snapshot->str(f.function).starts_with(prefix)) return true;
  return false;
}

std::string_view BucketFacts::CalleeOfTopUser() const {
  if (top_user <= 0) return {};
  return Function(static_cast<size_t>(top_user) - 1);
}

}  // namespace leakhound
