// libFuzzer target: arbitrary bytes as a protobuf goroutine profile, raw
// or gzipped (the fuzzer finds the gzip magic from the seed corpus).
#include <cstddef>
#include <cstdint>

#include "dump/aggregated.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leakhound;
  DumpSet set;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (ReadProfileProto(bytes, "fuzz", &set)) return 0;
  AnalyzeAndRender(set, /*text=*/false);
  return 0;
}
