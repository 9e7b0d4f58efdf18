// Writing the leaks `leakhound test` found: go vet style text, JSON, or
// JUnit XML with one testcase per test.
#ifndef LEAKHOUND_GOTEST_REPORT_H_
#define LEAKHOUND_GOTEST_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "gotest/go_command.h"
#include "gotest/leaks.h"

namespace leakhound {

struct TestRunSummary {
  int go_test_status = 0;
  GoTestOutcome outcome;
  std::vector<std::string> checked;  // "import/path.TestX" (func@LINE: subtest literals)
  std::string settle;
  std::string cwd;  // paths under it are printed relative
  int runs = 1;     // --runs
};

// FILE:LINE:COL: message (pattern), then indented detail lines.
void WriteTestLeaksText(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                        std::ostream& out);
void WriteTestLeaksJson(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                        std::ostream& out);
// Every checked test a testcase; a leaking one fails with each leak.
void WriteTestLeaksJUnit(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                         std::ostream& out);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_REPORT_H_
