// Memory a long-running process gives back. glibc keeps freed memory in
// its heaps for reuse: after a watcher has fetched thousands of profiles
// and dumps on its poller and server threads, most of its RSS is free
// chunks parked in per-thread arenas (measured in bench/soak.sh: 286 MB,
// 148 MB after one malloc_trim). These helpers are no-ops elsewhere.
#ifndef LEAKHOUND_BASE_MEMORY_H_
#define LEAKHOUND_BASE_MEMORY_H_

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace leakhound {

// For a process that runs for days: large buffers (answers, dump text)
// are mapped on their own and unmapped when freed, at a fixed 1 MiB
// threshold instead of glibc's, which rises to the largest block freed
// so far and then parks such blocks in the heap; and fewer arenas.
inline void TuneAllocatorForLongRuns() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_ARENA_MAX, 4);
#endif
}

// Hands free heap pages back to the system (every arena's).
inline void ReturnFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_MEMORY_H_
