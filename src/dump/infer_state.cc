#include "dump/infer_state.h"

#include <utility>

namespace leakhound {

std::string_view InferState(const std::vector<std::string_view>& functions) {
  // Checked innermost-out; the first frame that names an operation wins.
  static const std::pair<std::string_view, std::string_view> kByFunction[] = {
      {"runtime.block", "select (no cases)"},
      {"runtime.selectgo", "select"},
      {"runtime.chansend", "chan send"},
      {"runtime.chansend1", "chan send"},
      {"runtime.chanrecv", "chan receive"},
      {"runtime.chanrecv1", "chan receive"},
      {"runtime.chanrecv2", "chan receive"},
      {"sync.runtime_notifyListWait", "sync.Cond.Wait"},
      {"sync.(*Cond).Wait", "sync.Cond.Wait"},
      {"sync.(*Mutex).Lock", "sync.Mutex.Lock"},
      {"sync.(*Mutex).lockSlow", "sync.Mutex.Lock"},
      {"sync.(*RWMutex).RLock", "sync.RWMutex.RLock"},
      {"sync.(*RWMutex).Lock", "sync.RWMutex.Lock"},
      {"sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"},
      {"internal/poll.runtime_pollWait", "IO wait"},
      {"time.Sleep", "sleep"},
      {"runtime.timeSleep", "sleep"},
  };
  for (std::string_view fn : functions) {
    for (const auto& [name, state] : kByFunction)
      if (fn == name) return state;
    // Past the runtime and sync internals the operation is not visible.
    if (!fn.starts_with("runtime.") && !fn.starts_with("sync.") &&
        !fn.starts_with("internal/") && !fn.starts_with("runtime/"))
      break;
  }
  return {};
}

}  // namespace leakhound
