// The runtime's "(leaked)" marks against leakhound's own inference
// (analyze/agreement.h), and marks carried from a goroutineleak profile
// to a goroutine profile of the same moment (analyze/leak_marks.h).
#include <gtest/gtest.h>

#include <string>

#include "analyze/agreement.h"
#include "analyze/leak_marks.h"
#include "analyze/verdict.h"
#include "dump/dump.h"

namespace leakhound {
namespace {

std::string G(uint64_t id, const std::string& state,
              const std::vector<std::pair<std::string, std::string>>& frames) {
  std::string s = "goroutine " + std::to_string(id) + " [" + state + "]:\n";
  for (const auto& [fn, at] : frames) s += fn + "(...)\n\t" + at + " +0x1d\n";
  return s + "created by main.main\n\t/app/main.go:10 +0x85\n\n";
}

std::string Repeat(uint64_t first, int n, const std::string& state,
                   const std::vector<std::pair<std::string, std::string>>& frames) {
  std::string s;
  for (int i = 0; i < n; ++i) s += G(first + static_cast<uint64_t>(i), state, frames);
  return s;
}

const std::vector<std::pair<std::string, std::string>> kSend = {
    {"runtime.gopark", "/go/src/runtime/proc.go:363"},
    {"runtime.chansend", "/go/src/runtime/chan.go:259"},
    {"runtime.chansend1", "/go/src/runtime/chan.go:145"},
    {"main.publish", "/app/events.go:9"}};
const std::vector<std::pair<std::string, std::string>> kRecv = {
    {"runtime.gopark", "/go/src/runtime/proc.go:363"},
    {"runtime.chanrecv", "/go/src/runtime/chan.go:583"},
    {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
    {"main.worker", "/app/pool.go:12"}};
// An HTTP client connection's write loop: expected, in leakhound's table.
const std::vector<std::pair<std::string, std::string>> kWriteLoop = {
    {"runtime.gopark", "/go/src/runtime/proc.go:363"},
    {"runtime.selectgo", "/go/src/runtime/select.go:328"},
    {"net/http.(*persistConn).writeLoop", "/go/src/net/http/transport.go:2410"}};

struct Both {
  DumpSet set;
  Verdict marked, own;
  RuntimeAgreement agreement;
};

std::unique_ptr<Both> Compare(const std::string& text, bool leak_checked = false) {
  auto b = std::make_unique<Both>();
  EXPECT_FALSE(ReadDumpBytes(text, "test", &b->set));
  std::vector<const Snapshot*> series = {&b->set.snapshots.back()};
  AnalyzeOptions o;
  b->marked = AnalyzeSeries(series, {}, o);
  o.ignore_runtime_marks = true;
  b->own = AnalyzeSeries(series, {}, o);
  b->agreement = CompareWithRuntime(b->marked, b->own, leak_checked);
  return b;
}

std::string TopFunction(const Verdict& v, const AgreementEntry& e) {
  const Snapshot& s = *v.current;
  return std::string(s.str(s.stacks()[v.buckets[e.bucket].stack].frames.back().function));
}

TEST(Agreement, EachDirection) {
  // 200 senders on a channel nobody reads, unmarked (it is reachable
  // from a global); 3 marked idle-looking receivers; 150 marked senders.
  auto b = Compare(Repeat(1000, 200, "chan send", kSend) + Repeat(100, 3, "chan receive (leaked)", kRecv) +
                   Repeat(2000, 150, "chan send (leaked)",
                          {kSend[0], kSend[1], kSend[2], {"main.fanout.func1", "/app/fan.go:20"}}));
  const RuntimeAgreement& a = b->agreement;
  ASSERT_TRUE(a.available);
  EXPECT_TRUE(a.lists_unmarked);
  EXPECT_EQ(a.marked_goroutines, 153u);
  ASSERT_EQ(a.agree.size(), 1u);
  EXPECT_EQ(TopFunction(b->marked, a.agree[0]), "main.fanout.func1");
  ASSERT_EQ(a.leakhound_only.size(), 1u);
  EXPECT_EQ(TopFunction(b->marked, a.leakhound_only[0]), "main.publish");
  ASSERT_NE(a.leakhound_only[0].own, nullptr);
  EXPECT_EQ(a.leakhound_only[0].own->severity, Severity::kLeak);
  // 3 receivers look like a pool to leakhound alone: the runtime's only.
  ASSERT_EQ(a.runtime_only.size(), 1u);
  EXPECT_EQ(TopFunction(b->marked, a.runtime_only[0]), "main.worker");
  ASSERT_NE(a.runtime_only[0].own, nullptr);
  EXPECT_EQ(a.runtime_only[0].own->severity, Severity::kInfo);
  // With the marks, all 153 are leaks.
  for (const Finding& f : b->marked.findings) {
    if (b->marked.buckets[f.bucket].leaked) {
      EXPECT_EQ(f.severity, Severity::kLeak);
    }
  }
}

TEST(Agreement, MarkOutranksTheBenignTable) {
  auto b = Compare(Repeat(10, 50, "select (leaked)", kWriteLoop));
  ASSERT_EQ(b->marked.findings.size(), 1u);
  EXPECT_EQ(b->marked.findings[0].severity, Severity::kLeak);
  EXPECT_EQ(b->marked.findings[0].benign, nullptr);
  ASSERT_EQ(b->agreement.runtime_only.size(), 1u);
  ASSERT_NE(b->agreement.runtime_only[0].own, nullptr);
  EXPECT_NE(b->agreement.runtime_only[0].own->benign, nullptr) << "leakhound alone expects it";
}

TEST(Agreement, NoMarksNoComparisonUnlessTheDetectorRan) {
  std::string text = Repeat(10, 200, "chan send", kSend);
  EXPECT_FALSE(Compare(text)->agreement.available);
  auto checked = Compare(text, /*leak_checked=*/true);
  EXPECT_TRUE(checked->agreement.available);
  EXPECT_EQ(checked->agreement.marked_goroutines, 0u);
  EXPECT_EQ(checked->agreement.leakhound_only.size(), 1u);
}

TEST(Agreement, LeakProfileSubsetListsNoUnmarked) {
  DumpSet set;
  ASSERT_FALSE(ReadDumpBytes("goroutineleak profile: total 3\n"
                             "3 @ 0x1 0x2 0x3\n"
                             "#\t0x3\tmain.worker+0x24\t/app/pool.go:12\n\n",
                             "leak.txt", &set));
  const Snapshot& s = set.snapshots.back();
  ASSERT_TRUE(IsLeakProfileSubset(s));
  std::vector<const Snapshot*> series = {&s};
  AnalyzeOptions o;
  Verdict marked = AnalyzeSeries(series, {}, o);
  o.ignore_runtime_marks = true;
  Verdict own = AnalyzeSeries(series, {}, o);
  RuntimeAgreement a = CompareWithRuntime(marked, own, false);
  EXPECT_TRUE(a.available);
  EXPECT_FALSE(a.lists_unmarked);
  EXPECT_EQ(a.marked_goroutines, 3u);
  ASSERT_EQ(a.runtime_only.size(), 1u);  // debug=1 shows no state to infer from
  EXPECT_EQ(a.runtime_only[0].own, nullptr);
  ASSERT_EQ(marked.findings.size(), 1u);
  EXPECT_EQ(std::string(marked.findings[0].pattern->id), "runtime-leaked");
  EXPECT_EQ(marked.findings[0].severity, Severity::kLeak);
}

TEST(LeakMarks, CarriedToTheSameStacksAndSplitsRecords) {
  DumpSet full, leak;
  ASSERT_FALSE(ReadDumpBytes("goroutine profile: total 9\n"
                             "5 @ 0x1 0x2 0x3\n"
                             "#\t0x3\tmain.worker+0x24\t/app/pool.go:12\n\n"
                             "4 @ 0x1 0x2 0x4\n"
                             "#\t0x4\tmain.publish+0x24\t/app/events.go:9\n\n",
                             "full.txt", &full));
  ASSERT_FALSE(ReadDumpBytes("goroutineleak profile: total 4\n"
                             "3 @ 0x1 0x2 0x3\n"
                             "#\t0x3\tmain.worker+0x24\t/app/pool.go:12\n\n"
                             "1 @ 0x1 0x2 0x9\n"
                             "#\t0x9\tmain.gone+0x24\t/app/gone.go:1\n\n",
                             "leak.txt", &leak));
  MarkTransfer t;
  Snapshot m = WithLeakMarks(full.snapshots.back(), leak.snapshots.back(), &t);
  EXPECT_EQ(t.marked, 3u);
  EXPECT_EQ(t.unmatched, 1u);
  EXPECT_EQ(m.total_goroutines(), 9u);
  EXPECT_EQ(m.form, "pprof-debug1");
  uint64_t marked = 0, worker_unmarked = 0;
  for (const Goroutine& g : m.goroutines()) {
    std::string fn(m.str(m.stack_of(g).frames.back().function));
    if (g.has(kLeaked)) {
      EXPECT_EQ(fn, "main.worker");
      marked += g.count;
    } else if (fn == "main.worker") {
      worker_unmarked += g.count;
    }
  }
  EXPECT_EQ(marked, 3u);
  EXPECT_EQ(worker_unmarked, 2u);
  ASSERT_FALSE(m.notes.empty());
  EXPECT_NE(m.notes.back().find("1 marked goroutine(s) not found here"), std::string::npos)
      << m.notes.back();
}

TEST(LeakMarks, MarksAlreadyThereAreNotUnmatched) {
  // A goroutine dump taken after a goroutineleak fetch carries the marks
  // itself; the leak profile's marks for them are not "missing".
  DumpSet full, leak;
  ASSERT_FALSE(ReadDumpBytes(Repeat(10, 3, "chan receive (leaked)", kRecv) +
                                 Repeat(20, 2, "chan send", kSend),
                             "full.txt", &full));
  ASSERT_FALSE(ReadDumpBytes("goroutineleak profile: total 3\n"
                             "3 @ 0x1 0x2 0x3\n"
                             "#\t0x3\tmain.worker+0x24\t/app/pool.go:12\n\n",
                             "leak.txt", &leak));
  MarkTransfer t;
  Snapshot m = WithLeakMarks(full.snapshots.back(), leak.snapshots.back(), &t);
  EXPECT_EQ(t.marked, 3u);
  EXPECT_EQ(t.unmatched, 0u);
  uint64_t marked = 0;
  for (const Goroutine& g : m.goroutines()) marked += g.has(kLeaked) ? g.count : 0;
  EXPECT_EQ(marked, 3u);
}

}  // namespace
}  // namespace leakhound
