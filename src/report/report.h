// Renderers for `leakhound analyze`. Each takes the same view of the
// analysis and writes one format; none of them computes anything.
#ifndef LEAKHOUND_REPORT_REPORT_H_
#define LEAKHOUND_REPORT_REPORT_H_

#include <cstddef>
#include <ostream>
#include <vector>

#include "analyze/buckets.h"
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
};

struct TextOptions {
  bool color = false;
  size_t max_frames = 12;  // per bucket; the rest is summarised
  size_t max_ids = 10;
};

void WriteText(const AnalyzeView& view, const TextOptions& options, std::ostream& out);
void WriteJson(const AnalyzeView& view, std::ostream& out);

// `leakhound patterns` and `leakhound explain ID`.
void WritePatternList(std::ostream& out);
void WritePatternExplanation(const Pattern& pattern, std::ostream& out);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_REPORT_H_
