#include "gotest/hang.h"

#include <algorithm>

#include <fmt/format.h>

#include "analyze/buckets.h"
#include "analyze/source_view.h"
#include "analyze/test_context.h"
#include "dump/dump.h"
#include "model/func_name.h"

namespace leakhound {

std::vector<TestLeak> HungTests(const std::string& out, const LeakReadOptions& options,
                                std::vector<std::string>* warnings) {
  std::vector<TestLeak> leaks;
  for (size_t at = out.find(kTestTimeoutPanic); at != std::string::npos;
       at = out.find(kTestTimeoutPanic, at + 1)) {
    // The dump runs to go test's "FAIL\tpkg" line for the package.
    size_t fail = out.find("\nFAIL\t", at);
    std::string chunk = out.substr(at, fail == std::string::npos ? std::string::npos : fail - at + 1);
    std::string package;
    if (fail != std::string::npos) {
      size_t b = fail + 6, e = out.find_first_of("\t \n", b);
      package = out.substr(b, e == std::string::npos ? std::string::npos : e - b);
    }
    DumpSet set;
    ReadError err = ReadDumpBytes(chunk, "go test output", &set);
    if (err || set.snapshots.empty()) {
      warnings->push_back("a test timed out, but its dump could not be read" +
                          (err ? ": " + err.message : std::string()));
      continue;
    }
    const Snapshot& snap = set.snapshots.front();
    // "panic: test timed out after D" and, Go 1.20+, "running tests:".
    const TestContext context = ReadTestContext(snap);
    const std::string& after = context.timeout;
    const std::vector<std::string>& running = context.running;
    SourceView view(options.source_roots, /*use_absolute=*/true);
    SurvivorVerdict sv = AnalyzeSurvivors(snap, view, options);
    const Verdict& v = sv.verdict;
    const std::vector<const Finding*>& by_bucket = sv.by_bucket;

    // Which test each goroutine is part of, following creators upward.
    GoroutinesById by_id;
    for (const Goroutine& g : snap.goroutines())
      Snapshot::ForEachId(g, [&](uint64_t id) { by_id.emplace(id, &g); });
    auto test_of = [&](const Goroutine& g) { return TestOfGoroutine(snap, by_id, g); };
    std::string fallback = running.empty() ? "(hung test binary)" : running.front();
    for (size_t k = 1; k < running.size(); ++k) fallback += ", " + running[k];

    for (size_t bi = 0; bi < v.buckets.size(); ++bi) {
      const Bucket& b = v.buckets[bi];
      const Stack& st = snap.stacks()[b.stack];
      int top = TopUserFrame(snap, st);
      if (top < 0) continue;
      // A goroutine of the user's code is what hung, not go test's own.
      if (IsGoTestOwn(snap, st, top)) continue;
      const Goroutine* first = by_id.count(b.ids.empty() ? 0 : b.ids.front())
                                   ? by_id[b.ids.front()]
                                   : nullptr;
      TestLeak l = LeakOfBucket(snap, v, bi, by_bucket[bi], view);
      std::string t = first ? test_of(*first) : "";
      l.test = t.empty() ? fallback : t;
      l.package = package;
      l.hung = true;
      // A test's own goroutine was started by package testing: no go
      // statement of the user's to point at.
      if (l.has_creator && ParseFuncName(l.creator_function).stdlib) l.has_creator = false;
      if (l.pattern == kOutlivedPattern) {
        l.title = "Blocked when the test timed out";
        l.fix = "Find what this goroutine waits for and why it never comes; give the wait a "
                "timeout or a context.";
        if (!l.reasons.empty()) l.reasons.front().text = fmt::format("{} ({})", l.state, l.function);
      }
      // The verdict names the timeout for goroutines a pattern explains
      // (analyze/test_context.h); the rest still need it said.
      bool said = std::any_of(l.reasons.begin(), l.reasons.end(), [](const auto& r) {
        return r.text.find("-timeout fired") != std::string::npos;
      });
      if (!said) {
        l.reasons.push_back({fmt::format("still blocked when go test's -timeout fired after {} "
                                         "(running: {}): the test hung",
                                         after, running.empty() ? "not listed" : fallback),
                             0.9});
        l.confidence = 1 - (1 - l.confidence) * 0.1;
      }
      leaks.push_back(std::move(l));
    }
  }
  return leaks;
}

}  // namespace leakhound
