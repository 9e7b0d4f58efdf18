// Which dumps are one process seen over time, and which are different
// processes that happen to share an input.
//
// AnalyzeSeries treats its snapshots as a time series of one process:
// counts that rise across them are growth, ids that survive are stuck
// goroutines. Fed three dumps of three test binaries from one CI log, it
// would "see" growth that is only three programs side by side. So dumps
// form a series only on evidence that they are one process, and a dump
// that ends its process (a panic, a fatal error, a fatal signal) always
// ends its series: whatever follows is another process.
#ifndef LEAKHOUND_ANALYZE_SERIES_H_
#define LEAKHOUND_ANALYZE_SERIES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace leakhound {

// --series: auto decides from the dumps; same and separate are the user
// saying so.
enum class SeriesMode { kAuto, kSame, kSeparate };
bool ParseSeriesMode(std::string_view text, SeriesMode* out);
const char* SeriesModeName(SeriesMode mode);

struct SeriesDump {
  const Snapshot* snapshot = nullptr;
  size_t input = 0;   // which input (file, URL) it was read from
  double time = 0;    // capture time in seconds; 0 unknown
};

struct SeriesPlan {
  SeriesMode asked = SeriesMode::kAuto;
  // Each group is one process: indexes into the dumps, oldest first.
  std::vector<std::vector<size_t>> groups;
  // Why: one sentence per boundary between neighbouring dumps (split or
  // joined), in input order; empty for a single dump.
  std::vector<std::string> reasons;

  bool separate() const { return groups.size() > 1; }
  // One line: what was chosen and why, for the reports.
  std::string Summary() const;
};

SeriesPlan PlanSeries(const std::vector<SeriesDump>& dumps, SeriesMode mode);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_SERIES_H_
