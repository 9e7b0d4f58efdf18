// leakhound test --runs and --baseline: the schedules, how leaks of
// several runs merge, and what keeps a known leak known.
#include <gtest/gtest.h>

#include <cstdio>

#include "gotest/baseline.h"
#include "gotest/runs.h"

namespace leakhound {
namespace {

TestLeak Leak(const std::string& test, uint32_t line) {
  TestLeak l;
  l.package = "example.com/p";
  l.test = test;
  l.pattern = "chan-send-blocked";
  l.function = "example.com/p.f.func1";
  l.file = "/src/p/p.go";
  l.line = line;
  return l;
}

TEST(GotestRuns, OneRunChangesNothing) {
  Schedule s = ScheduleFor(0, 1, {}, false);
  EXPECT_TRUE(s.flags.empty());
  EXPECT_TRUE(s.env.empty());
}

TEST(GotestRuns, SchedulesCycleProcsAndShuffleAfterTheFirst) {
  EXPECT_EQ(ScheduleFor(0, 3, {}, false).env, (std::vector<std::string>{"GOMAXPROCS=1"}));
  EXPECT_TRUE(ScheduleFor(0, 3, {}, false).flags.empty());
  Schedule second = ScheduleFor(1, 3, {}, false);
  EXPECT_EQ(second.env, (std::vector<std::string>{"GOMAXPROCS=2"}));
  EXPECT_EQ(second.flags, (std::vector<std::string>{"-shuffle=on"}));
  EXPECT_EQ(second.label, "GOMAXPROCS=2, -shuffle=on");
  EXPECT_EQ(ScheduleFor(5, 6, {}, false).env, (std::vector<std::string>{"GOMAXPROCS=4"}));
  // The user's own choices stand.
  EXPECT_TRUE(ScheduleFor(1, 3, {"-shuffle=42"}, true).flags.empty());
  EXPECT_TRUE(ScheduleFor(1, 3, {"-shuffle=42"}, true).env.empty());
}

TEST(GotestRuns, SameLeakInSeveralRunsIsCountedOnce) {
  std::vector<TestLeak> merged;
  MergeRun({Leak("TestA", 12), Leak("TestB", 12)}, &merged);
  MergeRun({Leak("TestA", 12)}, &merged);
  MergeRun({Leak("TestA", 13)}, &merged);  // another place: another leak
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].seen_in_runs, 2);
  EXPECT_EQ(merged[1].seen_in_runs, 1);
  EXPECT_EQ(merged[2].seen_in_runs, 1);
}

TEST(GotestBaseline, KnownByFunctionNotLine) {
  EXPECT_EQ(TestBaselineKey(Leak("TestA", 12)), TestBaselineKey(Leak("TestA", 40)));
  EXPECT_NE(TestBaselineKey(Leak("TestA", 12)), TestBaselineKey(Leak("TestB", 12)));
  TestLeak hung = Leak("TestA", 12);
  hung.hung = true;
  EXPECT_NE(TestBaselineKey(hung), TestBaselineKey(Leak("TestA", 12)));
}

TEST(GotestBaseline, RoundTripsAndRefusesToOverwrite) {
  std::string path = testing::TempDir() + "/gotest-baseline-unit.json";
  std::remove(path.c_str());
  std::string error;
  ASSERT_TRUE(WriteTestBaseline(path, {Leak("TestA", 12), Leak("TestA", 14)}, false, &error))
      << error;
  EXPECT_FALSE(WriteTestBaseline(path, {}, false, &error));
  EXPECT_NE(error.find("--force"), std::string::npos);
  std::set<std::string> keys;
  ASSERT_TRUE(LoadTestBaseline(path, &keys, &error)) << error;
  EXPECT_EQ(keys.size(), 1u);  // the two differ by line only
  EXPECT_TRUE(keys.count(TestBaselineKey(Leak("TestA", 99))));
  std::remove(path.c_str());
  EXPECT_FALSE(LoadTestBaseline(path, &keys, &error));
}

}  // namespace
}  // namespace leakhound
