// A test binary that hung: go test's -timeout makes it panic with
// "panic: test timed out after D", the tests still running, and every
// goroutine's traceback. That dump is read like any other, and each
// goroutine blocked in the user's code is reported against its test.
#ifndef LEAKHOUND_GOTEST_HANG_H_
#define LEAKHOUND_GOTEST_HANG_H_

#include <string>
#include <vector>

#include "gotest/leaks.h"

namespace leakhound {

// Every timeout dump in go test's output (one per hung package), as leaks
// with hung set. The test is the Test function on the goroutine's stack or
// its creator chain's, else the "running tests:" list (Go 1.20+).
std::vector<TestLeak> HungTests(const std::string& go_test_output, const LeakReadOptions& options,
                                std::vector<std::string>* warnings);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_HANG_H_
