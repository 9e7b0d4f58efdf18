// Known leaks, for adopting `leakhound test` in a suite that already has
// some: --write-baseline records them, --baseline accepts them, so only
// new leaks fail the run. A leak is known by its package, test, pattern
// and blocking function, not its line, so edits around it keep it known.
#ifndef LEAKHOUND_GOTEST_BASELINE_H_
#define LEAKHOUND_GOTEST_BASELINE_H_

#include <set>
#include <string>
#include <vector>

#include "gotest/leaks.h"

namespace leakhound {

std::string TestBaselineKey(const TestLeak& leak);

// False with a one-line *error when the file cannot be read or is not a
// leakhound test baseline.
bool LoadTestBaseline(const std::string& path, std::set<std::string>* keys, std::string* error);

// Refuses to replace an existing file unless `force`.
bool WriteTestBaseline(const std::string& path, const std::vector<TestLeak>& leaks, bool force,
                       std::string* error);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_BASELINE_H_
