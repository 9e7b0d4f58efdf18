// What a dump's format tells about the Go version that wrote it.
//
// The traceback has no version line, but its features do: "in goroutine N"
// appeared in 1.21, " gp=" in 1.22, "sync.Mutex.Lock" as a wait reason in
// 1.20. Later analysis needs this (a "semacquire" under sync.(*Mutex).Lock
// means a mutex wait before 1.20), so the reader keeps the narrowest range
// the evidence allows.
#ifndef LEAKHOUND_MODEL_GO_VERSION_H_
#define LEAKHOUND_MODEL_GO_VERSION_H_

#include <string>

namespace leakhound {

// Go minor versions (1.N); 0 means unbounded on that side.
struct GoVersionRange {
  int min_minor = 0;
  int max_minor = 0;

  // Evidence that the writer was at least / at most 1.minor.
  void AtLeast(int minor) {
    if (minor > min_minor) min_minor = minor;
  }
  void AtMost(int minor) {
    if (max_minor == 0 || minor < max_minor) max_minor = minor;
  }
  bool known() const { return min_minor != 0 || max_minor != 0; }
  // Contradictory evidence (mixed dumps); the range says nothing then.
  bool empty() const { return max_minor != 0 && min_minor > max_minor; }
  // True if the dump may come from a version before 1.minor.
  bool MaybeBefore(int minor) const { return min_minor < minor; }

  // ">=1.21", "<=1.19", "1.21-1.23", "1.22", "" when unknown.
  std::string ToString() const;
};

}  // namespace leakhound

#endif  // LEAKHOUND_MODEL_GO_VERSION_H_
