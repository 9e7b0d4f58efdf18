// Writing the leaks `leakhound test` found: go vet style text, JSON, or
// SARIF, or JUnit XML with one testcase per test.
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
// A SARIF 2.1.0 log (the writer lint uses, rules from the pattern
// catalogue): one result per leak at its blocking line, the test named
// in the message and in properties.
void WriteTestLeaksSarif(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                         std::ostream& out);
// Every checked test a testcase; a leaking one fails with each leak.
void WriteTestLeaksJUnit(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                         std::ostream& out);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_REPORT_H_
