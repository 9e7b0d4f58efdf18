// What the fuzz targets share: run the analysis over what a reader
// produced and render it, as `leakhound analyze` does.
#ifndef LEAKHOUND_FUZZ_FUZZ_UTIL_H_
#define LEAKHOUND_FUZZ_FUZZ_UTIL_H_

#include <sstream>

#include "analyze/verdict.h"
#include "report/report.h"

namespace leakhound {

inline void AnalyzeAndRender(const DumpSet& set, bool text) {
  std::vector<const Snapshot*> series;
  for (const Snapshot& s : set.snapshots) series.push_back(&s);
  if (series.empty()) return;
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
  if (text) WriteText(view, TextOptions{}, out);
}

}  // namespace leakhound

#endif  // LEAKHOUND_FUZZ_FUZZ_UTIL_H_
