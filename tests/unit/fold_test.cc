// Past Snapshot::fold_after() entries, the text parser folds a goroutine
// into the entry before it when the two differ only in an id that runs
// on: ten million identical goroutines cost a few entries, and every id
// is still known (buckets list them, a repeated id still starts the next
// dump). The threshold is lowered here so a few goroutines show it.
#include <gtest/gtest.h>

#include <string>

#include "analyze/buckets.h"
#include "dump/dump.h"
#include "dump/text_parser.h"

namespace leakhound {
namespace {

std::string G(uint64_t id, const char* state = "chan receive",
              const char* frame = "main.f()\n\t/app/main.go:10 +0x1d") {
  return "goroutine " + std::to_string(id) + " [" + state + "]:\n" + frame + "\n\n";
}

DumpSet Parse(const std::string& text, size_t fold_after) {
  DumpSet set;
  TextParser p(&set);
  p.set_fold_after(fold_after);
  p.Lines(text.data(), text.size());
  p.Finish(true);
  return set;
}

TEST(Fold, RunsOfIdenticalGoroutinesBecomeOneEntry) {
  std::string text;
  for (uint64_t id = 1; id <= 6; ++id) text += G(id);
  DumpSet set = Parse(text, 2);
  ASSERT_EQ(set.snapshots.size(), 1u);
  const Snapshot& s = set.snapshots[0];
  EXPECT_EQ(s.total_goroutines(), 6u);
  // Ids 1 and 2 are kept as printed; 3..6 join 2's entry.
  ASSERT_EQ(s.goroutines().size(), 2u);
  EXPECT_EQ(s.goroutines()[1].id, 2u);
  EXPECT_EQ(s.goroutines()[1].count, 5u);
  EXPECT_EQ(s.folded(), 4u);
  EXPECT_NE(std::find(s.notes.begin(), s.notes.end(), std::string(kFoldedNote)), s.notes.end());
  std::vector<Bucket> b = MakeBuckets(s, Grouping::kExact);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].count, 6u);
  EXPECT_EQ(b[0].ids, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  // The default keeps a million entries one by one: nothing folds here.
  DumpSet plain = Parse(text, kFoldAfter);
  EXPECT_EQ(plain.snapshots[0].goroutines().size(), 6u);
  EXPECT_EQ(plain.snapshots[0].folded(), 0u);
}

TEST(Fold, OnlyWhatDiffersInTheRunningIdAlone) {
  std::string text = G(1) + G(2) + G(3) +
                     G(5) +                           // a gap in the ids
                     G(6, "chan send") +              // another state
                     G(7, "chan send", "main.g(0xc000012345)\n\t/app/main.go:20 +0x1d") +
                     G(8, "chan send", "main.g(0xc000012345)\n\t/app/main.go:20 +0x1d") +
                     G(9, "chan send") + G(10, "chan send");
  DumpSet set = Parse(text, 1);
  const Snapshot& s = set.snapshots[0];
  EXPECT_EQ(s.total_goroutines(), 9u);
  // 1+2+3 | 5 | 6 | 7 (arguments kept) | 8 (arguments kept) | 9+10
  ASSERT_EQ(s.goroutines().size(), 6u);
  EXPECT_EQ(s.goroutines()[0].count, 3u);
  EXPECT_EQ(s.goroutines()[1].id, 5u);
  EXPECT_EQ(s.goroutines()[3].id, 7u);
  EXPECT_EQ(s.goroutines()[4].id, 8u);
  EXPECT_FALSE(s.ArgsOf(3, 0).empty());
  EXPECT_FALSE(s.ArgsOf(4, 0).empty());
  EXPECT_EQ(s.goroutines()[5].id, 9u);
  EXPECT_EQ(s.goroutines()[5].count, 2u);
}

TEST(Fold, AnIdInsideARunPrintedAgainStartsTheNextDump) {
  std::string one;
  for (uint64_t id = 1; id <= 5; ++id) one += G(id);
  // The second dump begins with an id that only a folded run holds.
  DumpSet set = Parse(one + G(4) + G(9), 1);
  ASSERT_EQ(set.snapshots.size(), 2u);
  EXPECT_EQ(set.snapshots[0].total_goroutines(), 5u);
  EXPECT_EQ(set.snapshots[1].total_goroutines(), 2u);
  // Ids out of order never begin a run below an earlier one.
  DumpSet back = Parse(G(10) + G(11) + G(12) + G(3) + G(4) + G(5), 1);
  ASSERT_EQ(back.snapshots.size(), 1u);
  EXPECT_EQ(back.snapshots[0].total_goroutines(), 6u);
  std::vector<Bucket> b = MakeBuckets(back.snapshots[0], Grouping::kExact);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].ids, (std::vector<uint64_t>{3, 4, 5, 10, 11, 12}));
}

}  // namespace
}  // namespace leakhound
