// Baselines: findings a team has accepted, by fingerprint, so CI fails
// only on new ones. The file is JSON:
//   {"schema": "leakhound/baseline/v1",
//    "findings": [{"fingerprint": "...", "pattern": "...", "function": "..."}]}
// An `analyze --format json` report is accepted as a baseline too.
#ifndef LEAKHOUND_ANALYZE_BASELINE_H_
#define LEAKHOUND_ANALYZE_BASELINE_H_

#include <set>
#include <string>
#include <vector>

#include "analyze/verdict.h"

namespace leakhound {

bool LoadBaseline(const std::string& path, std::set<std::string>* fingerprints,
                  std::string* error);

// Marks findings whose fingerprint is in the baseline.
void ApplyBaseline(const std::set<std::string>& fingerprints, Verdict* verdict);

// Writes the leak and suspect findings of `verdict` to `path` through a
// temporary file and rename, so a failed write never leaves half a file.
// Refuses to replace an existing file unless `overwrite`.
bool WriteBaseline(const std::string& path, const Verdict& verdict, bool overwrite,
                   std::string* error);
// The same for several processes analysed separately (analyze/series.h):
// one file with every process's findings, each fingerprint once.
bool WriteBaseline(const std::string& path, const std::vector<const Verdict*>& verdicts,
                   bool overwrite, std::string* error);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_BASELINE_H_
