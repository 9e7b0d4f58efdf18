// Which bubble a synctest deadlock panic is about (analyze/bubbles.cc),
// and the bubble-deadlock finding that follows. Headers as Go 1.26 prints
// them; real recordings are in tests/e2e/forms_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "analyze/bubbles.h"
#include "analyze/verdict.h"
#include "dump/dump.h"
#include "read_util.h"

namespace leakhound {
namespace {

Snapshot ReadOne(const std::string& text) {
  DumpSet set = Read(text);
  EXPECT_EQ(set.snapshots.size(), 1u);
  return std::move(set.snapshots[0]);
}

std::string Goroutine(int id, const std::string& state, const std::string& fn) {
  return "goroutine " + std::to_string(id) + " [" + state + "]:\n" + fn + "()\n\t/w/x.go:" +
         std::to_string(id) + " +0x1\ncreated by w.Start in goroutine 2\n\t/w/x.go:1 +0x2\n\n";
}

const char kExited[] =
    "panic: deadlock: main bubble goroutine has exited but blocked goroutines remain "
    "[recovered, repanicked]\n\n";

TEST(BubbleDeadlock, TheOneAllDurableBubble) {
  Snapshot s = ReadOne(std::string(kExited) + Goroutine(7, "running", "w.TestX") +
                       Goroutine(10, "select (no cases) (durable), synctest bubble 4", "w.a") +
                       Goroutine(11, "chan receive (durable), synctest bubble 4", "w.b") +
                       // another bubble, not idle (GOTRACEBACK=all shows it)
                       Goroutine(12, "chan receive, synctest bubble 5", "w.c") +
                       Goroutine(13, "sleep (durable), synctest bubble 5", "w.d"));
  std::optional<BubbleDeadlock> d = FindBubbleDeadlock(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message,
            "deadlock: main bubble goroutine has exited but blocked goroutines remain");
  EXPECT_EQ(d->bubble, 4);

  Verdict v = AnalyzeSeries({&s}, {}, AnalyzeOptions());
  int deadlocked = 0;
  for (const Finding& f : v.findings) {
    if (f.pattern->id != std::string_view("bubble-deadlock")) continue;
    ++deadlocked;
    EXPECT_EQ(f.severity, Severity::kLeak);
    EXPECT_GE(f.confidence, 0.95);
    EXPECT_NE(f.reasons[0].text.find("bubble 4"), std::string::npos);
    EXPECT_NE(f.reasons[0].text.find("\"deadlock: main bubble goroutine has exited"),
              std::string::npos);
  }
  EXPECT_EQ(deadlocked, 2);  // w.a and w.b; bubble 5 is not the one
}

TEST(BubbleDeadlock, AmbiguousOrAbsent) {
  // Two bubbles idle at once: the panic does not say which one it means.
  Snapshot two = ReadOne("panic: deadlock: all goroutines in bubble are blocked\n\n" +
                         Goroutine(10, "sleep (durable), synctest bubble 1", "w.a") +
                         Goroutine(11, "sleep (durable), synctest bubble 2", "w.b"));
  std::optional<BubbleDeadlock> d = FindBubbleDeadlock(two);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->bubble, -1);
  Verdict v = AnalyzeSeries({&two}, {}, AnalyzeOptions());
  for (const Finding& f : v.findings) EXPECT_NE(f.pattern->id, std::string_view("bubble-deadlock"));

  // Another panic, or the message quoted on a later line, is no deadlock.
  Snapshot other = ReadOne("panic: boom\n\tdeadlock: all goroutines in bubble are blocked\n\n" +
                           Goroutine(10, "sleep (durable), synctest bubble 1", "w.a"));
  EXPECT_FALSE(FindBubbleDeadlock(other));
  Snapshot fatal = ReadOne("fatal error: all goroutines are asleep - deadlock!\n\n" +
                           Goroutine(1, "chan receive", "main.main"));
  EXPECT_FALSE(FindBubbleDeadlock(fatal));
}

}  // namespace
}  // namespace leakhound
