// RankFindings: a goroutine waiting for the goroutines it started, while
// they are blocked in another finding, is listed after them.
#include "analyze/ranking.h"

#include <gtest/gtest.h>

#include "patterns/pattern.h"

namespace leakhound {
namespace {

Bucket MakeBucket(std::vector<uint64_t> ids, std::vector<uint64_t> creators) {
  Bucket b;
  b.count = ids.size();
  b.ids = std::move(ids);
  b.creator_ids = std::move(creators);
  return b;
}

Finding MakeFinding(const char* pattern, size_t bucket, double confidence, Severity severity) {
  Finding f;
  f.pattern = FindPattern(pattern);
  f.bucket = bucket;
  f.confidence = confidence;
  f.severity = severity;
  return f;
}

TEST(Ranking, WaiterGoesAfterTheGoroutinesItStarted) {
  Verdict v;
  v.buckets = {MakeBucket({7}, {1}),            // coordinator, started by main
               MakeBucket({8, 9, 10}, {7}),     // its workers
               MakeBucket({30}, {1})};          // unrelated
  // The coordinator's Wait outranks its workers on confidence alone.
  v.findings = {MakeFinding("chan-send-blocked", 1, 0.50, Severity::kSuspect),
                MakeFinding("waitgroup-wait", 0, 0.70, Severity::kLeak),
                MakeFinding("chan-recv-blocked", 2, 0.60, Severity::kSuspect)};
  RankFindings(&v);
  ASSERT_EQ(v.findings.size(), 3u);
  EXPECT_EQ(v.findings[0].bucket, 1u);  // the workers: the cause
  EXPECT_EQ(v.findings[1].bucket, 0u);  // then the coordinator, their consequence
  EXPECT_EQ(v.findings[1].waits_for, std::vector<size_t>({1}));
  EXPECT_EQ(v.findings[2].bucket, 2u);
  EXPECT_TRUE(v.findings[0].waits_for.empty());
}

TEST(Ranking, ExpectedOrInfoChildrenDoNotDemoteTheirParent) {
  Verdict v;
  v.buckets = {MakeBucket({7}, {1}), MakeBucket({8}, {7})};
  v.findings = {MakeFinding("chan-recv-blocked", 1, 0.10, Severity::kInfo),
                MakeFinding("waitgroup-wait", 0, 0.70, Severity::kLeak)};
  RankFindings(&v);
  EXPECT_EQ(v.findings[0].bucket, 0u);
  EXPECT_TRUE(v.findings[0].waits_for.empty());
}

TEST(Ranking, SendersAreNotWaitersAndAChainKeepsItsOrder) {
  Verdict v;
  // A sender that started a blocked goroutine is not waiting for it.
  v.buckets = {MakeBucket({7}, {1}), MakeBucket({8}, {7})};
  v.findings = {MakeFinding("chan-send-blocked", 0, 0.70, Severity::kLeak),
                MakeFinding("chan-recv-blocked", 1, 0.60, Severity::kSuspect)};
  RankFindings(&v);
  EXPECT_EQ(v.findings[0].bucket, 0u);
  // A chain of receivers, each started by the one before, all in one
  // bucket: it does not wait for itself.
  Verdict c;
  c.buckets = {MakeBucket({7, 8, 9}, {1, 7, 8})};
  c.findings = {MakeFinding("chan-recv-blocked", 0, 0.6, Severity::kSuspect)};
  RankFindings(&c);
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_TRUE(c.findings[0].waits_for.empty());
}

TEST(Ranking, PipelineStagesTiedListTheLastStartedFirst) {
  Verdict v;
  // One goroutine (18, gone) started three stages, each blocked sending;
  // an unrelated sender of another creator is tied with them too.
  v.buckets = {MakeBucket({19}, {18}), MakeBucket({21}, {18}), MakeBucket({40}, {1}),
               MakeBucket({20}, {18})};
  v.findings = {MakeFinding("chan-send-blocked", 0, 0.45, Severity::kSuspect),
                MakeFinding("chan-send-blocked", 1, 0.45, Severity::kSuspect),
                MakeFinding("chan-send-blocked", 2, 0.45, Severity::kSuspect),
                MakeFinding("chan-send-blocked", 3, 0.45, Severity::kSuspect)};
  RankFindings(&v);
  ASSERT_EQ(v.findings.size(), 4u);
  // The stages trade places among their own slots (0, 1, 3); the other
  // creator's sender keeps slot 2.
  EXPECT_EQ(v.findings[0].bucket, 1u);  // goroutine 21
  EXPECT_EQ(v.findings[1].bucket, 3u);  // 20
  EXPECT_EQ(v.findings[2].bucket, 2u);
  EXPECT_EQ(v.findings[3].bucket, 0u);  // 19
  // Not tied: confidence still decides.
  Verdict w;
  w.buckets = {MakeBucket({19}, {18}), MakeBucket({20}, {18})};
  w.findings = {MakeFinding("chan-send-blocked", 0, 0.60, Severity::kSuspect),
                MakeFinding("chan-send-blocked", 1, 0.45, Severity::kSuspect)};
  RankFindings(&w);
  EXPECT_EQ(w.findings[0].bucket, 0u);
  // Receivers are not stages.
  Verdict r;
  r.buckets = {MakeBucket({19}, {18}), MakeBucket({20}, {18})};
  r.findings = {MakeFinding("chan-recv-blocked", 0, 0.45, Severity::kSuspect),
                MakeFinding("chan-recv-blocked", 1, 0.45, Severity::kSuspect)};
  RankFindings(&r);
  EXPECT_EQ(r.findings[0].bucket, 0u);
}

}  // namespace
}  // namespace leakhound
