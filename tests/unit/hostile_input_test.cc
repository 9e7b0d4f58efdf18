// Regression tests for what bench/hostile.sh found: inputs small on disk
// that used to cost time or memory far out of proportion, and config
// errors that quoted a whole 1 MB key. Hand-built on purpose: no Go
// program writes these.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include "config/config.h"
#include "dump/aggregated.h"
#include "dump/dump.h"
#include "src/dump/profile.pb.h"

namespace leakhound {
namespace {

// A goroutine profile with one function and one location of `lines`
// lines (all that function, as if inlined into itself).
pprof::Profile OneLocation(int lines) {
  pprof::Profile p;
  for (const char* s : {"", "goroutine", "count", "main.f", "/app/main.go"}) p.add_string_table(s);
  auto* t = p.add_sample_type();
  t->set_type(1);
  t->set_unit(2);
  auto* f = p.add_function();
  f->set_id(1);
  f->set_name(3);
  f->set_filename(4);
  auto* l = p.add_location();
  l->set_id(1);
  for (int i = 0; i < lines; ++i) {
    auto* ln = l->add_line();
    ln->set_function_id(1);
    ln->set_line(10);
  }
  return p;
}

// One sample naming a location of 2,000 lines 2,000 times: 4M frames if
// expanded as written. Used to take 92 s and 4 GB at 10k x 10k.
TEST(HostileInput, ProtoStackIsCutAtTheFrameCap) {
  pprof::Profile p = OneLocation(2000);
  auto* s = p.add_sample();
  for (int i = 0; i < 2000; ++i) s->add_location_id(1);
  s->add_value(3);
  std::string bytes = p.SerializeAsString();
  ASSERT_LT(bytes.size(), 20000u);
  DumpSet set;
  ReadError e = ReadProfileProto(bytes, "p.pb", &set);
  ASSERT_FALSE(e) << e.message;
  ASSERT_EQ(set.snapshots.size(), 1u);
  const Snapshot& snap = set.snapshots[0];
  ASSERT_EQ(snap.goroutines().size(), 1u);
  EXPECT_EQ(snap.goroutines()[0].count, 3u);
  EXPECT_EQ(snap.stacks()[snap.goroutines()[0].stack].frames.size(), kMaxStackFrames);
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_NE(set.warnings[0].find("1 sample with more than 100000 frames"), std::string::npos)
      << set.warnings[0];
}

// Many small samples, each under the per-stack cap, that still add up to
// far more frames than the bytes could honestly describe: a clear refusal.
TEST(HostileInput, ProtoFramesBeyondTheBudgetAreRefused) {
  pprof::Profile p = OneLocation(50000);
  for (int i = 0; i < 200; ++i) {
    auto* s = p.add_sample();
    s->add_location_id(1);
    s->add_value(1);
  }
  std::string bytes = p.SerializeAsString();
  DumpSet set;
  ReadError e = ReadProfileProto(bytes, "p.pb", &set);
  ASSERT_TRUE(e);
  EXPECT_EQ(e.kind, ReadErrorKind::kNoDump);
  EXPECT_EQ(e.message.rfind("p.pb: samples expand to more than ", 0), 0u) << e.message;
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
}

// Ids Go would never write (2^64-1, duplicates, dangling) still resolve
// the way the profile says: the last of duplicates wins, as a map did.
TEST(HostileInput, ProtoOddIdsResolve) {
  pprof::Profile p = OneLocation(1);
  p.mutable_location(0)->set_id(UINT64_MAX);
  auto* dup = p.add_location();
  dup->set_id(UINT64_MAX);
  dup->add_line()->set_function_id(1);
  dup->add_line()->set_function_id(1);
  auto* s = p.add_sample();
  s->add_location_id(UINT64_MAX);
  s->add_location_id(0);
  s->add_location_id(5);
  s->add_value(1);
  DumpSet set;
  ReadError e = ReadProfileProto(p.SerializeAsString(), "p.pb", &set);
  ASSERT_FALSE(e) << e.message;
  const Snapshot& snap = set.snapshots.at(0);
  EXPECT_EQ(snap.stacks()[snap.goroutines().at(0).stack].frames.size(), 2u);
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0], "p.pb: 2 sample references to missing locations or functions");
}

TEST(HostileInput, Debug1RecordIsCutAtTheFrameCap) {
  std::string text = "goroutine profile: total 2\n2 @ 0x1\n";
  for (size_t i = 0; i < kMaxStackFrames + 50; ++i) text += "#\t0x1\tmain.f+0x1\t\t/app/main.go:10\n";
  text += "\n1 @ 0x2\n#\t0x2\tmain.g+0x1\t\t/app/main.go:20\n";
  DumpSet set;
  ReadError e = ReadDebug1(text, "d.txt", &set);
  ASSERT_FALSE(e) << e.message;
  const Snapshot& snap = set.snapshots.at(0);
  ASSERT_EQ(snap.goroutines().size(), 2u);
  EXPECT_EQ(snap.stacks()[snap.goroutines()[0].stack].frames.size(), kMaxStackFrames);
  EXPECT_EQ(snap.stacks()[snap.goroutines()[1].stack].frames.size(), 1u);
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0], "d.txt:100003: record with more than 100000 frames; the rest are left out");
}

TEST(HostileInput, TextGoroutineIsCutAtTheFrameCapWithAWarning) {
  std::string text = "goroutine 1 [chan receive]:\n";
  for (size_t i = 0; i < kMaxStackFrames + 50; ++i) text += "main.f(...)\n\t/app/main.go:10 +0x1d\n";
  text += "\ngoroutine 2 [select]:\nmain.g()\n\t/app/main.go:20 +0x1d\n\n";
  DumpSet set;
  ReadError e = ReadDumpBytes(text, "t.txt", &set);
  ASSERT_FALSE(e) << e.message;
  const Snapshot& snap = set.snapshots.at(0);
  ASSERT_EQ(snap.goroutines().size(), 2u);
  EXPECT_EQ(snap.stacks()[snap.goroutines()[0].stack].frames.size(), kMaxStackFrames);
  EXPECT_EQ(snap.stacks()[snap.goroutines()[1].stack].frames.size(), 1u);
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0].rfind("t.txt:200002: goroutine with more than 100000 frames", 0), 0u)
      << set.warnings[0];
}

// Found by fuzz_text_parser: a dump whose last bytes are a tab with no
// newline read one byte past the input (a position line with no content).
// The bytes sit in a buffer of exactly their size, so ASan sees any read
// past the end, as it did under libFuzzer.
TEST(HostileInput, TextEndingInABareTabStaysInsideTheInput) {
  const std::string text =
      "goroutine 7 [chan receive]:\nmain.consume()\n\t/x/c.go:17 +0x5c\n"
      "created by main.start\n\t/x/main.go:3 +0x85\n\t";
  std::unique_ptr<char[]> exact(new char[text.size()]);
  std::memcpy(exact.get(), text.data(), text.size());
  DumpSet set;
  ReadError e = ReadDumpBytes(std::string_view(exact.get(), text.size()), "t.txt", &set);
  ASSERT_FALSE(e) << e.message;
  ASSERT_EQ(set.snapshots.size(), 1u);
  ASSERT_EQ(set.snapshots[0].goroutines().size(), 1u);
  const Snapshot& snap = set.snapshots[0];
  EXPECT_EQ(snap.str(snap.stacks()[snap.goroutines()[0].stack].frames.at(0).function), "main.consume");
}

std::string ConfigError(const std::string& yaml) {
  // One file per test: ctest runs the tests of this binary at once, as
  // separate processes, and a shared name let them read each other's.
  std::string path = ::testing::TempDir() + "/lh_hostile_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                     std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream f(path, std::ios::binary);
    f << yaml;
  }
  Config c;
  std::string err;
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  return err;
}

TEST(HostileInput, ConfigErrorShowsAHugeKeyShortened) {
  std::string err = ConfigError("thresholds:\n  leak: 0.7\n? " + std::string(1 << 20, 'k') + "\n: 1\n");
  EXPECT_LT(err.size(), 300u) << err.substr(0, 400);
  EXPECT_NE(err.find(":3: unknown key \"kkkk"), std::string::npos) << err.substr(0, 400);
  EXPECT_NE(err.find("... (1048576 bytes)\""), std::string::npos) << err.substr(0, 400);
  // An unknown ignore key with a value of the wrong type is named the same way.
  err = ConfigError("ignore:\n  - " + std::string(5000, 'z') + ": [1]\n");
  EXPECT_LT(err.size(), 300u) << err.substr(0, 400);
}

TEST(HostileInput, ConfigLargerThan4MiBIsRefusedUnread) {
  std::string err = ConfigError("source: [" + std::string(5 << 20, 'x') + "]\n");
  EXPECT_NE(err.find(": 5242891 bytes, larger than 4 MiB; not a config file"), std::string::npos)
      << err;
}

TEST(HostileInput, ConfigErrorStaysOneLine) {
  std::string err = ConfigError("\"a\\nb\\rc\": 1\n");
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  EXPECT_NE(err.find("unknown key \"a?b?c\""), std::string::npos) << err;
}

// Aliases are shared nodes in yaml-cpp, so 9^30 "lol"s cost nothing; the
// reader stops at the first value of the wrong type.
TEST(HostileInput, ConfigYamlBombIsRejectedQuickly) {
  std::string y = "source:\n  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 30; ++i) {
    std::string p = "*a" + std::to_string(i - 1);
    y += "  - &a" + std::to_string(i) + " [" + p;
    for (int j = 1; j < 9; ++j) y += ", " + p;
    y += "]\n";
  }
  std::string err = ConfigError(y);
  EXPECT_NE(err.find(":2: source: expected a string"), std::string::npos) << err;
}

}  // namespace
}  // namespace leakhound
