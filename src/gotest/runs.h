// --runs N: many leaks show only under some schedules, so the suite is
// run N times under varied ones (GOMAXPROCS 1, 2, 4 in turn; test order
// shuffled), and each leak says in how many runs it showed.
#ifndef LEAKHOUND_GOTEST_RUNS_H_
#define LEAKHOUND_GOTEST_RUNS_H_

#include <string>
#include <vector>

#include "gotest/leaks.h"

namespace leakhound {

struct Schedule {
  std::vector<std::string> flags;  // go test flags to add
  std::vector<std::string> env;    // NAME=VALUE to add
  std::string label;               // "GOMAXPROCS=2, -shuffle=on"
};

// The schedule of run `index` (0-based) of `runs`. A single run changes
// nothing; the user's own -shuffle / GOMAXPROCS are never overridden.
Schedule ScheduleFor(int index, int runs, const std::vector<std::string>& go_flags,
                     bool gomaxprocs_set);

// Adds one run's leaks: the same leak (package, test, pattern, place) seen
// again counts another run.
void MergeRun(std::vector<TestLeak> run, std::vector<TestLeak>* merged);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_RUNS_H_
