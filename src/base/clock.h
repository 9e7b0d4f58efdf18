// Milliseconds on the monotonic clock: for deadlines, intervals and
// timeouts, which must not jump when the wall clock is set.
#ifndef LEAKHOUND_BASE_CLOCK_H_
#define LEAKHOUND_BASE_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace leakhound {

inline int64_t SteadyMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_CLOCK_H_
