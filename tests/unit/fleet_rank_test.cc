// LeakProf's view: services ranked by their worst open finding.
#include <gtest/gtest.h>

#include "report/fleet_rank.h"

namespace leakhound {
namespace {

FindingRecord Finding(const char* severity, double confidence, uint64_t count, double growth,
                      const char* pattern = "chan-send-blocked") {
  FindingRecord r;
  r.severity = severity;
  r.confidence = confidence;
  r.count = count;
  r.growth_per_hour = growth;
  r.pattern = pattern;
  r.file = "/src/main.go";
  r.line = 42;
  return r;
}

TEST(FleetRank, ScoreWeighsCertaintyCountAndGrowth) {
  EXPECT_DOUBLE_EQ(LeakScore(Finding("leak", 0.9, 100, 0)), 90);
  // Growing by its own size per hour counts double.
  EXPECT_DOUBLE_EQ(LeakScore(Finding("leak", 0.9, 100, 100)), 180);
  // A small bucket growing fast ranks above a big still one.
  EXPECT_GT(LeakScore(Finding("leak", 0.9, 10, 1000)), LeakScore(Finding("leak", 0.9, 500, 0)));
  EXPECT_DOUBLE_EQ(LeakScore(Finding("leak", 1, 0, 0)), 0);
}

TEST(FleetRank, WorstFirstLeaksBeforeSuspects) {
  FindingRecord a1 = Finding("leak", 0.95, 20, 0), a2 = Finding("suspect", 0.5, 5000, 0, "mutex-held");
  FindingRecord b1 = Finding("leak", 0.9, 400, 50, "range-unclosed");
  FindingRecord c1 = Finding("suspect", 0.6, 10000, 0), d1 = Finding("info", 1, 99999, 0);
  std::vector<FleetRow> rows = RankFleet({{"api", &a1}, {"api", &a2}, {"web", &b1}, {"pool", &c1}, {"quiet", &d1}});
  ASSERT_EQ(rows.size(), 3u);  // info findings do not rank a service
  EXPECT_EQ(rows[0].target, "web");
  EXPECT_EQ(rows[0].worst.pattern, "range-unclosed");
  EXPECT_EQ(rows[1].target, "api");
  // api's worst is its leak, though its suspect scores higher.
  EXPECT_EQ(rows[1].worst.severity, "leak");
  EXPECT_EQ(rows[1].leaks, 1u);
  EXPECT_EQ(rows[1].suspects, 1u);
  EXPECT_EQ(rows[1].goroutines, 5020u);
  // A service with only suspects comes after every service with a leak.
  EXPECT_EQ(rows[2].target, "pool");
  nlohmann::json j = FleetJson(rows);
  EXPECT_EQ(j[0]["rank"], 1);
  EXPECT_EQ(j[0]["worst"]["line"], 42);
  EXPECT_EQ(j[2]["worst"]["severity"], "suspect");
}

}  // namespace
}  // namespace leakhound
