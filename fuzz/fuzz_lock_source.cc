// libFuzzer target: arbitrary bytes as Go source never crash the lock
// reading of the wait-for graph (waitfor/lock_source.h) or the local-object
// reading of the nobody-left rule (waitfor/local_wait.h), asked about every
// line of the file, nor make it loop: the source is the user's, but which
// file and line get asked about comes from an untrusted dump.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "waitfor/local_wait.h"
#include "waitfor/lock_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  leakhound::GoFile file("fuzz.go", text);
  uint32_t lines = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n')) + 2;
  for (uint32_t line = 0; line <= std::min<uint32_t>(lines, 64); ++line) {
    leakhound::LineLocks ll = leakhound::LocksAt(file, line);
    for (const leakhound::LockExpr& e : ll.held) leakhound::IsPackageVar(file, e.base);
    leakhound::LocalWait w = leakhound::LocalWaitAt(file, line);
    // As if a goroutine parked there had been started by each line's go.
    if (w.found && !w.objects.empty() && w.objects.front().param >= 0)
      for (uint32_t from = 1; from <= std::min<uint32_t>(lines, 16); ++from)
        leakhound::LocalThroughGo(file, from, w);
  }
  return 0;
}
