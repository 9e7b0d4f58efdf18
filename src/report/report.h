// Renderers for `leakhound analyze`. Each takes the same view of the
// analysis and writes one format; none of them computes anything.
#ifndef LEAKHOUND_REPORT_REPORT_H_
#define LEAKHOUND_REPORT_REPORT_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/agreement.h"
#include "analyze/buckets.h"
#include "analyze/diff.h"
#include "analyze/series.h"
#include "analyze/verdict.h"
#include "dump/dump.h"

namespace leakhound {

extern const char kLeakhoundVersion[];

struct AnalyzeView {
  const DumpSet* input = nullptr;       // holds `snapshot`
  std::vector<const DumpSet*> inputs;   // all of them; empty = {input}
  const Snapshot* snapshot = nullptr;   // the newest one analysed
  // Leak verdicts; nullptr renders buckets only.
  const Verdict* verdict = nullptr;
  std::vector<const Finding*> findings;  // after filters, in order
  bool show_info = false;                // text: also list info findings
  std::vector<const Bucket*> buckets;  // after filters and --top, in order
  size_t buckets_total = 0;            // before filters and --top
  Grouping grouping = Grouping::kExact;
  // The runtime's leak marks against leakhound's own inference
  // (analyze/agreement.h), its lists after filters; nullptr: not computed.
  const RuntimeAgreement* agreement = nullptr;
  // How the dumps were grouped into processes (analyze/series.h), and
  // which group this view is; nullptr: not said.
  const SeriesPlan* series_plan = nullptr;
  size_t process = 0;
  // JSON: every process's report, when there are several; else null.
  const nlohmann::ordered_json* processes = nullptr;
};

struct TextOptions {
  bool color = false;
  size_t max_frames = 12;  // per bucket; the rest is summarised
  size_t max_ids = 10;
};

void WriteText(const AnalyzeView& view, const TextOptions& options, std::ostream& out);
void WriteJson(const AnalyzeView& view, std::ostream& out);

struct DiffView {
  const SnapshotDiff* diff = nullptr;
  std::vector<const BucketDelta*> deltas;  // after filters and --top
  std::string base_source, new_source, base_form, new_form;
  uint64_t base_total = 0, new_total = 0;
  std::string note;  // e.g. the two sides are different forms
};
void WriteDiffText(const DiffView& view, bool color, std::ostream& out);
void WriteDiffJson(const DiffView& view, std::ostream& out);

// The FRAME object of docs/json-schema.md.
nlohmann::ordered_json FrameToJson(const Snapshot& snapshot, const Frame& frame);

// `leakhound patterns` and `leakhound explain ID`.
void WritePatternList(std::ostream& out);
void WritePatternExplanation(const Pattern& pattern, std::ostream& out);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_REPORT_H_
