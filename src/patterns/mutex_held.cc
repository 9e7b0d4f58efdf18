// mutex-held: waiting for a Lock that its holder never releases.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  // Go 1.20 and later name the wait; before that it is a bare
  // "semacquire" and only the frames tell a mutex from a WaitGroup.
  if (b.state == "sync.Mutex.Lock" || b.state == "sync.RWMutex.Lock" ||
      b.state == "sync.RWMutex.RLock") {
    m->why = "waiting in " + std::string(b.state) + " for a lock that is not released";
  } else if (b.state.starts_with("semacquire") &&
             (b.HasFunction("sync.(*Mutex).Lock") || b.HasFunction("sync.(*RWMutex).Lock") ||
              b.HasFunction("sync.(*RWMutex).RLock"))) {
    m->why = "semacquire under sync.(*Mutex).Lock/RWMutex: waiting for a lock that is not "
             "released";
  } else {
    return false;
  }
  m->base = 0.4;
  return true;
}

}  // namespace

extern const Pattern kMutexHeld = {
    .id = "mutex-held",
    .title = "Lock never released",
    .explanation =
        "Goroutines queue on a sync.Mutex or sync.RWMutex whose holder never unlocks it: an "
        "Unlock skipped by an early return or a panic, a lock taken twice by the same "
        "goroutine, or a holder that is itself blocked forever. Every new caller joins the "
        "queue, so the count grows with traffic.",
    .fix = "Pair every Lock with a deferred Unlock right after it, and never call a "
           "function that takes the same lock while holding it. If the holder blocks on a "
           "channel, fix that leak first.",
    .fix_snippet = "mu.Lock()\ndefer mu.Unlock()\nif err != nil {\n\treturn err // unlocks\n}",
    .detection = "Wait reason \"sync.Mutex.Lock\", \"sync.RWMutex.Lock\" or "
                 "\"sync.RWMutex.RLock\" (Go 1.20+), or \"semacquire\" under "
                 "sync.(*Mutex).Lock before 1.20; in source, a Lock with a return before its "
                 "Unlock and no defer. With the source, the wait-for graph (src/waitfor) names "
                 "the holder: a frame on some goroutine's stack that locked the same object "
                 "before its line and did not unlock it. A goroutine waiting for a lock it holds "
                 "itself (taken again through a call chain) is proof.",
    .runtime = Detect,
};

}  // namespace leakhound
