// Which dumps are one process (src/analyze/series.h): a dump that ends its
// process ends its series; otherwise only evidence joins two dumps.
#include <gtest/gtest.h>

#include <string>

#include "analyze/series.h"
#include "dump/dump.h"
#include "read_util.h"

namespace leakhound {
namespace {

// A runtime.Stack-style dump (the process goes on) holding goroutine 1
// and goroutine `id` blocked in `fn`.
std::string Live(int id, const std::string& fn) {
  return "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n\n"
         "goroutine " + std::to_string(id) + " [chan send]:\n" + fn +
         "()\n\t/app/w.go:9 +0x2\ncreated by main.main in goroutine 1\n\t/app/main.go:4 +0x3\n\n";
}

std::vector<SeriesDump> All(const DumpSet& set) {
  std::vector<SeriesDump> out;
  for (const Snapshot& s : set.snapshots) out.push_back({&s, 0, 0});
  return out;
}

TEST(Series, PanicEndsItsProcess) {
  DumpSet set = Read("panic: boom\n\n" + Live(7, "main.worker") + "panic: boom\n\n" +
                     Live(7, "main.worker"));
  ASSERT_EQ(set.snapshots.size(), 2u);
  SeriesPlan plan = PlanSeries(All(set), SeriesMode::kAuto);
  ASSERT_EQ(plan.groups.size(), 2u) << "same ids, but the first process panicked";
  ASSERT_EQ(plan.reasons.size(), 1u);
  EXPECT_NE(plan.reasons[0].find("dump 1 ends its process (\"panic: boom\")"), std::string::npos)
      << plan.reasons[0];
  EXPECT_NE(plan.Summary().find("2 processes"), std::string::npos) << plan.Summary();
}

TEST(Series, PersistingGoroutinesJoinLiveDumps) {
  DumpSet set = Read(Live(7, "main.worker") + Live(7, "main.worker"));
  ASSERT_EQ(set.snapshots.size(), 2u);
  SeriesPlan plan = PlanSeries(All(set), SeriesMode::kAuto);
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].size(), 2u);
  EXPECT_NE(plan.reasons[0].find("1 goroutine of dump 1 persists"), std::string::npos)
      << plan.reasons[0];
}

TEST(Series, NoEvidenceKeepsThemApart) {
  DumpSet set = Read(Live(7, "main.worker") + Live(8, "main.other"));
  SeriesPlan plan = PlanSeries(All(set), SeriesMode::kAuto);
  EXPECT_EQ(plan.groups.size(), 2u);
  EXPECT_NE(plan.reasons[0].find("nothing shows"), std::string::npos) << plan.reasons[0];
  // Separate inputs keep their old meaning: a series in the order given.
  std::vector<SeriesDump> d = All(set);
  d[1].input = 1;
  EXPECT_EQ(PlanSeries(d, SeriesMode::kAuto).groups.size(), 1u);
}

TEST(Series, CaptureTimesDecide) {
  DumpSet set = Read(Live(7, "main.worker") + Live(8, "main.other"));
  std::vector<SeriesDump> d = All(set);
  d[0].time = 100;
  d[1].time = 160;
  SeriesPlan later = PlanSeries(d, SeriesMode::kAuto);
  EXPECT_EQ(later.groups.size(), 1u);
  EXPECT_NE(later.reasons[0].find("captured 60s after"), std::string::npos) << later.reasons[0];
  d[1].time = 50;
  EXPECT_EQ(PlanSeries(d, SeriesMode::kAuto).groups.size(), 2u);
}

TEST(Series, UserSaysSo) {
  DumpSet set = Read("panic: boom\n\n" + Live(7, "main.worker") + Live(8, "main.other"));
  EXPECT_EQ(PlanSeries(All(set), SeriesMode::kSame).groups.size(), 1u);
  SeriesPlan apart = PlanSeries(All(set), SeriesMode::kSeparate);
  EXPECT_EQ(apart.groups.size(), 2u);
  EXPECT_NE(apart.Summary().find("(--series separate)"), std::string::npos);
  SeriesMode m;
  EXPECT_TRUE(ParseSeriesMode("auto", &m));
  EXPECT_FALSE(ParseSeriesMode("sometimes", &m));
}

TEST(Series, DifferentProgramsAreApart) {
  std::string a = Live(7, "main.worker");
  std::string b = a;
  b.replace(b.find("/app/main.go:5"), 14, "/srv/main.go:5");
  DumpSet set = Read(a + b);
  SeriesPlan plan = PlanSeries(All(set), SeriesMode::kAuto);
  EXPECT_EQ(plan.groups.size(), 2u);
  EXPECT_NE(plan.reasons[0].find("different programs"), std::string::npos) << plan.reasons[0];
}

}  // namespace
}  // namespace leakhound
