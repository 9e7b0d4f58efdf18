// The survivor dumps the check wrote, read back with the same text parser
// and verdict engine as `leakhound analyze`, as one leak per test and
// place.
#ifndef LEAKHOUND_GOTEST_LEAKS_H_
#define LEAKHOUND_GOTEST_LEAKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/verdict.h"

namespace leakhound {

struct TestLeak {
  std::string test;     // "TestX", "TestX/sub", or kAfterAllTests
  std::string package;  // import path
  std::string pattern;  // a pattern id, or kOutlivedPattern
  std::string title, fix;
  std::string state;    // "chan send", ...
  // The blocking line: the first frame of the user's code.
  std::string function, file;
  uint32_t line = 0, column = 1;
  // The `go` statement that started it.
  bool has_creator = false;
  std::string creator_function, creator_file;
  uint32_t creator_line = 0;
  uint64_t count = 0;
  std::vector<uint64_t> ids;
  double confidence = 0;  // that it is the pattern named; a leak it is by definition
  // kLeak by the settle rule; kInfo when the verdict engine's table of
  // expected goroutines (patterns/benign.h) names it. --fail-on compares.
  Severity severity = Severity::kLeak;
  std::vector<Reason> reasons;
  // Not a survivor but a goroutine blocked when go test's -timeout fired
  // (gotest/hang.h): the test hung.
  bool hung = false;
  // The Go runtime's goroutineleak profile ran (checked) and marked this
  // goroutine (leaked): proof, not inference.
  bool leak_profile_checked = false;
  bool runtime_proof = false;
  int seen_in_runs = 1;  // with --runs N: in how many of them
  bool baselined = false;  // listed in --baseline: known, does not fail the run
};

struct LeakReadOptions {
  std::string settle = "1s";          // for the reason text
  std::vector<std::string> source_roots;  // to read blocking lines
  const std::vector<IgnoreRule>* ignore = nullptr;
  // goleak's IgnoreTopFunction / IgnoreAnyFunction: survivors whose first
  // frame, or any frame, is one of these functions are not leaks.
  std::vector<std::string> ignore_top_functions, ignore_any_functions;
};

// The verdict engine's look at one snapshot of survivors or of a hung
// test, as `analyze` would take it (source lines, ignore rules), with each
// bucket's finding (nullptr where no pattern explains the bucket).
struct SurvivorVerdict {
  Verdict verdict;
  std::vector<const Finding*> by_bucket;
};
SurvivorVerdict AnalyzeSurvivors(const Snapshot& snap, SourceView& source,
                                 const LeakReadOptions& options);

// The leak of one bucket of a snapshot the verdict engine looked at: the
// finding's pattern and reasons when there is one, else kOutlivedPattern.
TestLeak LeakOfBucket(const Snapshot& snap, const Verdict& verdict, size_t bucket,
                      const Finding* finding, SourceView& source);

// The pattern id of a survivor whose stack no pattern explains (running,
// sleeping, in a syscall): still a leak, since it outlived its test. A
// registered pattern (src/patterns/outlived_test.cc) without a runtime
// detector: only the test check can tell.
inline constexpr const char* kOutlivedPattern = "outlived-test";


// Reads every record in `dir` (written by the check). Leaks come sorted by
// package, test, file and line. Unreadable records become warnings.
std::vector<TestLeak> ReadLeakRecords(const std::string& dir, const LeakReadOptions& options,
                                      std::vector<std::string>* warnings);

// One record: "# leakhound-test: NAME\n# leakhound-package: PATH\n\n"
// then the survivors' goroutines as runtime.Stack prints them.
std::vector<TestLeak> LeaksOfRecord(const std::string& text, const std::string& source,
                                    const LeakReadOptions& options,
                                    std::vector<std::string>* warnings);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_LEAKS_H_
