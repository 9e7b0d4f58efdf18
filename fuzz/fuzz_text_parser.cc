// libFuzzer target: arbitrary bytes as goroutine dump text (inside logs or
// not), through the reader, the verdicts and both renderers — everything
// an untrusted dump reaches in `leakhound analyze`.
#include <cstddef>
#include <cstdint>

#include "dump/dump.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leakhound;
  DumpSet set;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (ReadDumpBytes(bytes, "fuzz", &set)) return 0;
  AnalyzeAndRender(set, /*text=*/true);
  return 0;
}
