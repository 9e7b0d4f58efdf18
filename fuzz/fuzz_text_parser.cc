// libFuzzer target: arbitrary bytes as goroutine dump text (inside logs or
// not), through the reader, the verdicts and both renderers — everything
// an untrusted dump reaches in `leakhound analyze`.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "analyze/verdict.h"
#include "dump/dump.h"
#include "report/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leakhound;
  DumpSet set;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (ReadDumpBytes(bytes, "fuzz", &set)) return 0;
  std::vector<const Snapshot*> series;
  for (const Snapshot& s : set.snapshots) series.push_back(&s);
  if (series.empty()) return 0;
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
  WriteText(view, TextOptions{}, out);
  return 0;
}
