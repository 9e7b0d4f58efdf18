// libFuzzer target: arbitrary bytes as Go source never crash the linter.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lint/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t suppressed = 0;
  leakhound::LintSource("fuzz.go", text, &suppressed);
  return 0;
}
