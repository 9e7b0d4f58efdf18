// libFuzzer target: arbitrary bytes as a protobuf goroutine profile, raw
// or gzipped (the fuzzer finds the gzip magic from the seed corpus).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "analyze/verdict.h"
#include "dump/aggregated.h"
#include "report/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leakhound;
  DumpSet set;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (ReadProfileProto(bytes, "fuzz", &set)) return 0;
  if (set.snapshots.empty()) return 0;
  std::vector<const Snapshot*> series = {&set.snapshots.back()};
  Verdict v = AnalyzeSeries(series, {}, {});
  AnalyzeView view;
  view.input = &set;
  view.snapshot = v.current;
  view.verdict = &v;
  for (const Bucket& b : v.buckets) view.buckets.push_back(&b);
  for (const Finding& f : v.findings) view.findings.push_back(&f);
  view.buckets_total = v.buckets.size();
  std::ostringstream out;
  WriteJson(view, out);
  return 0;
}
