// libFuzzer target: arbitrary bytes as pprof debug=1 text. Forces the
// debug=1 reader by prefixing the header, then runs the analysis over what
// it read. (The renderers are fuzzed through fuzz_text_parser; repeating
// them here made each run ~50x slower under ASan.)
#include <cstddef>
#include <cstdint>
#include <string>

#include "analyze/verdict.h"
#include "dump/aggregated.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leakhound;
  std::string text = "goroutine profile: total 3\n";
  text.append(reinterpret_cast<const char*>(data), size);
  DumpSet set;
  if (ReadDebug1(text, "fuzz", &set)) return 0;
  if (set.snapshots.empty()) return 0;
  std::vector<const Snapshot*> series;
  for (const Snapshot& s : set.snapshots) series.push_back(&s);
  Verdict v = AnalyzeSeries(series, {}, {});
  if (v.current->total_goroutines() == 0 && !v.buckets.empty()) __builtin_trap();
  return 0;
}
