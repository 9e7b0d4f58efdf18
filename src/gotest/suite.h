// One `leakhound test` session after the overlay is written: go test run
// once or --runs times, each run's survivor records and timeout dumps
// read back, the runs' leaks merged. The CLI only parses flags, prints
// and maps the result to an exit code.
#ifndef LEAKHOUND_GOTEST_SUITE_H_
#define LEAKHOUND_GOTEST_SUITE_H_

#include <functional>
#include <string>
#include <vector>

#include "gotest/go_command.h"
#include "gotest/leaks.h"

namespace leakhound {

struct SuiteOptions {
  std::string go = "go";
  std::vector<std::string> patterns, go_flags;
  long settle_ms = 1000;
  int runs = 1;
  bool until_leak = false;
  // One more run after the --runs ones, with go test -race (unless the
  // user's flags already have it).
  bool race = false;
  bool leak_profile = true;  // on Go 1.26, build with GOEXPERIMENT=goroutineleakprofile
  std::string overlay_json;  // go test -overlay
  Renames renames;           // overlay copies -> the user's paths, in go's output
  std::string work_dir;      // records go below it, one folder per run
  int out_fd = -1, err_fd = -1;  // where go test's output goes (-1: nowhere)
  bool progress = false;     // a progress line per package on stderr
  LeakReadOptions read;
  std::function<void(const std::string&)> note;  // "run 2 of 3 ...", warnings
};

struct SuiteResult {
  bool started = false;  // false: go could not be run
  std::vector<TestLeak> leaks;
  GoTestOutcome outcome;  // over all runs
  int status = 0;         // the first non-zero go test exit status
  int runs_done = 0;
};

SuiteResult RunSuite(const SuiteOptions& options);

// go names files relative to the working directory when it can: the
// renames for both forms, the relative ones first.
Renames ForGoOutput(const Renames& renames, const std::string& cwd);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_SUITE_H_
