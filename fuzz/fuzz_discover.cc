// libFuzzer target: arbitrary bytes as the answers discovery reads, a
// Prometheus /api/v1/targets body and a file_sd file (JSON and YAML).
// Every target that comes out must be one the watcher can poll.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "discover/discover.h"

namespace {

void CheckTargets(const std::vector<leakhound::TargetConfig>& targets) {
  for (const leakhound::TargetConfig& t : targets) {
    if (t.name.empty()) __builtin_trap();
    if (t.url.rfind("http://", 0) != 0 && t.url.rfind("https://", 0) != 0) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leakhound;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  SourceConfig source;
  source.kind = "prometheus";
  source.where = "http://fuzz:9090";
  source.name = "prometheus://fuzz:9090";
  std::vector<TargetConfig> out;
  std::string error;
  if (ParsePrometheusTargets(text, source, &out, &error)) CheckTargets(out);
  source.pprof_port = "6060";
  if (ParseFileSd(text, "fuzz.json", source, &out, &error)) CheckTargets(out);
  if (ParseFileSd(text, "fuzz.yml", source, &out, &error)) CheckTargets(out);
  return 0;
}
