// .leakhound.yaml: thresholds, ignore rules and source roots.
//
//   thresholds: {leak: 0.7, suspect: 0.4, count: 100, wait_minutes: 10,
//                small_pool: 8, growth_r2: 0.8, min_growth: 3}
//   ignore:
//     - top_function: github.com/acme/pool.(*Pool).worker
//     - pattern: chan-recv-blocked
//       creator: main.startWorkers
//       reason: workers wait for jobs by design
//     - regex: '^go\.etcd\.io/'
//   source: [., ../vendor-src]
//
// Unknown keys are errors: a typo must not silently disable a rule.
#ifndef LEAKHOUND_CONFIG_CONFIG_H_
#define LEAKHOUND_CONFIG_CONFIG_H_

#include <string>
#include <vector>

#include "analyze/verdict.h"

namespace leakhound {

struct Config {
  std::string path;  // empty when no file was found
  Thresholds thresholds;
  std::vector<IgnoreRule> ignore;
  std::vector<std::string> source_roots;  // relative to the file's folder
};

// Looks for .leakhound.yaml in `dir` and its parents; empty if none.
std::string FindConfigFile(const std::string& dir);

// Reads `path` into `out`. On failure returns false and sets `error` to
// one line "PATH:LINE: message".
bool LoadConfig(const std::string& path, Config* out, std::string* error);

}  // namespace leakhound

#endif  // LEAKHOUND_CONFIG_CONFIG_H_
