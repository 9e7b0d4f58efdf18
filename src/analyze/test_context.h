// What a dump written by a Go test binary says about the tests.
//
// Two moments make a dump from a test binary evidence in itself:
// - `go test -timeout` fired ("panic: test timed out after D", then from
//   Go 1.20 "running tests:" and one "TestX (D)" line per test): the
//   tests listed ran to the timeout without finishing, so a goroutine of
//   theirs blocked in user code is what hung them.
// - the dump was written after m.Run() returned in TestMain (goroutine 1
//   is in TestMain and no longer in testing.(*M).Run): every test had
//   finished, so any goroutine still blocked in user code outlived the
//   test that started it, which is goleak's definition of a leak.
// Read from the snapshot alone; names no test the dump does not name.
#ifndef LEAKHOUND_ANALYZE_TEST_CONTEXT_H_
#define LEAKHOUND_ANALYZE_TEST_CONTEXT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/verdict.h"  // Reason
#include "model/snapshot.h"

namespace leakhound {

// How go test's -timeout panic begins; the duration follows.
inline constexpr std::string_view kTestTimeoutPanic = "panic: test timed out after ";

struct TestContext {
  bool timed_out = false;
  std::string timeout;               // "2s", as go test printed it
  std::vector<std::string> running;  // "TestHangA": tests still running at the timeout
  bool after_m_run = false;          // written in TestMain after m.Run() returned
  std::string test_main;             // "example.com/p.TestMain" when after_m_run

  bool any() const { return timed_out || after_m_run; }
};

TestContext ReadTestContext(const Snapshot& s);

// Whether a goroutine is go test's own rather than the package's: its top
// user frame (TopUserFrame, >= 0) is in the standard library or the
// generated _testmain.go, or it runs testing.(*M).Run (main waiting for
// the tests). The alarm and the test runner are such goroutines.
bool IsGoTestOwn(const Snapshot& s, const Stack& st, int top_user);

// The test function a frame belongs to: "example.com/p.TestX.func1" ->
// "TestX"; "" when the function is not in a Test function.
std::string TestOfFunction(std::string_view function);

// The first test function named on the stack, innermost first, else by
// its creator frame; "" none.
std::string TestOnStack(const Snapshot& s, const Stack& st);

// The reason the context gives for a bucket blocked (not running) with a
// user frame on top, or nullopt when none applies: package testing's and
// the generated test main's goroutines are go test's own (IsGoTestOwn),
// and one that init or TestMain started before the tests lives with the
// process. `test_of` says which test the bucket belongs to
// (TestOfGoroutine), asked only if needed.
std::optional<Reason> TestContextReason(const TestContext& tests, const Snapshot& s,
                                        const Bucket& b, const BucketFacts& facts,
                                        const std::function<std::string()>& test_of);

using GoroutinesById = std::unordered_map<uint64_t, const Goroutine*>;

// The test goroutine `g` of `s` belongs to: named on its stack or on a
// creator's, following "created by ... in goroutine N" upward through
// `by_id` (the goroutines of `s`); "" when none names one.
std::string TestOfGoroutine(const Snapshot& s, const GoroutinesById& by_id, const Goroutine& g);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_TEST_CONTEXT_H_
