// rwmutex-recursive-read: a goroutine read-locks an RWMutex it already
// read-locked while a writer waits for it.
#include "patterns/pattern.h"

namespace leakhound {

// No single bucket shows it: the wait-for graph (src/waitfor) finds the
// reader, the queued writer and the cycle between them.
extern const Pattern kRWMutexRecursiveRead = {
    .id = "rwmutex-recursive-read",
    .title = "RLock taken again while a writer waits",
    .explanation =
        "sync.RWMutex lets no new reader in once a writer is waiting for the lock, so that "
        "writers cannot starve. A goroutine that already holds a read lock and calls RLock "
        "again (often through a helper method that read-locks for itself) waits behind the "
        "queued writer, and the writer waits for that goroutine's first read lock: both stop "
        "for good. It works in tests and fails under load, when a writer arrives in between.",
    .fix = "Never take a read lock recursively: split the method into a locked wrapper and an "
           "unexported variant that expects the lock held (lenLocked), and call the variant "
           "from code that already holds it.",
    .fix_snippet = "func (c *Cache) Len() int {\n\tc.mu.RLock()\n\tdefer c.mu.RUnlock()\n"
                   "\treturn c.lenLocked()\n}\n\n// lenLocked: c.mu must be held.\n"
                   "func (c *Cache) lenLocked() int { return len(c.m) }",
    .detection = "From a dump with the source: a goroutine blocked in RWMutex.RLock whose own "
                 "stack holds a read lock on the same RWMutex (a caller frame read-locked it "
                 "before its line), while another goroutine is blocked in Lock on it: a cycle in "
                 "the wait-for graph, which is proof.",
    .runtime = nullptr,
};

}  // namespace leakhound
