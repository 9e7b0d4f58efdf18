// Files over 64 MiB are parsed in two halves on two threads and merged;
// the result must be exactly what one thread reading the same bytes gets:
// buckets, counts, stacks, version hints, line count and warning lines.
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "analyze/buckets.h"
#include "dump/dump.h"

namespace leakhound {
namespace {

// The reader splits only when it may run on two CPUs.
int ExpectedThreads() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 1 ? 2 : 1;
}

std::string BigDump(size_t target_bytes) {
  std::string s;
  s.reserve(target_bytes + 4096);
  uint64_t id = 1;
  bool warned = false;
  const char* states[] = {"chan receive", "select", "sync.Mutex.Lock", "IO wait, 12 minutes"};
  while (s.size() < target_bytes) {
    uint64_t k = id % 97;
    s += fmt::format("goroutine {} [{}]:\n", id, states[k % 4]);
    if (!warned && s.size() > target_bytes * 3 / 4) {  // a warning in the second half
      s += "main.bad()\n\tnowhere\n";
      warned = true;
    }
    for (uint64_t d = 0; d < 3 + k % 9; ++d) {
      s += fmt::format("github.com/acme/svc/pkg{}.fn{}(0xc000{}, {{0x1, 0x2}})\n", k, d, id % 9999);
      s += fmt::format("\t/src/svc/pkg{}/f.go:{} +0x1d\n", k, 10 + d);
    }
    s += "created by github.com/acme/svc.Start in goroutine 1\n\t/src/svc/start.go:20 +0x45\n\n";
    ++id;
  }
  return s;
}

std::map<std::string, uint64_t> Summary(const Snapshot& s) {
  std::map<std::string, uint64_t> m;
  for (const Bucket& b : MakeBuckets(s, Grouping::kExact)) {
    const Stack& st = s.stacks()[b.stack];
    std::string key(s.str(b.state));
    for (const Frame& f : st.frames)
      key += fmt::format("|{}@{}:{}", s.str(f.function), s.str(f.file), f.line);
    if (st.has_creator) key += fmt::format("|c:{}", s.str(st.creator.function));
    m[key] += b.count;
    m[fmt::format("#ids:{}", b.ids.front())] = b.ids.size();
  }
  return m;
}

// `text` read from a file (two threads when it may) into *two, and from
// memory (one thread) into *one; each must hold one snapshot.
void ReadBothWays(const std::string& text, const std::string& name, DumpSet* two, DumpSet* one) {
  std::string path = ::testing::TempDir() + "/" + name;
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  ReadError e1 = ReadDumpFile(path, {}, two);
  ReadError e2 = ReadDumpBytes(text, path, one);
  std::remove(path.c_str());
  ASSERT_FALSE(e1) << e1.message;
  ASSERT_FALSE(e2) << e2.message;
  ASSERT_EQ(two->snapshots.size(), 1u);
  ASSERT_EQ(one->snapshots.size(), 1u);
}

TEST(ParallelRead, SameAsOneThread) {
  std::string text = BigDump(80u << 20);
  DumpSet two, one;
  ASSERT_NO_FATAL_FAILURE(ReadBothWays(text, "lh_big_dump.txt", &two, &one));
  EXPECT_EQ(two.read_threads, ExpectedThreads());
  const Snapshot& a = two.snapshots[0];
  const Snapshot& b = one.snapshots[0];
  EXPECT_EQ(a.total_goroutines(), b.total_goroutines());
  EXPECT_EQ(a.stacks().size(), b.stacks().size());
  EXPECT_EQ(Summary(a), Summary(b));
  EXPECT_EQ(a.go_version.min_minor, b.go_version.min_minor);
  EXPECT_EQ(a.go_version.max_minor, b.go_version.max_minor);
  EXPECT_EQ(two.lines, one.lines);
  EXPECT_EQ(two.warnings, one.warnings);
  // Argument words: the same frames of the same goroutines, the same
  // budget, whichever half read them.
  ASSERT_EQ(a.frame_args().size(), b.frame_args().size());
  for (size_t i = 0; i < a.frame_args().size(); i += 997) {
    const FrameArgs &x = a.frame_args()[i], &y = b.frame_args()[i];
    ASSERT_EQ(x.goroutine, y.goroutine);
    ASSERT_EQ(x.frame, y.frame);
    std::span<const uint64_t> wx = a.arg_words(x), wy = b.arg_words(y);
    ASSERT_TRUE(std::equal(wx.begin(), wx.end(), wy.begin(), wy.end()));
  }
  EXPECT_EQ(a.args_capped(), b.args_capped());
  ASSERT_EQ(two.warnings.size(), 1u);
}

// The same dump as kubectl shows a container's log: every line behind a
// CRI prefix whose timestamp changes length (RFC3339Nano drops trailing
// zeros), after some ordinary log lines. The halves split at a prefixed
// header and must read as one thread reads the file.
TEST(ParallelRead, LogPrefixedSameAsOneThread) {
  std::string plain = BigDump(60u << 20);
  std::string text;
  text.reserve(plain.size() * 2);
  for (int i = 0; i < 5; ++i)
    text += fmt::format("2026-11-23T10:00:0{}.5Z stdout F level=INFO msg=\"served\" n={}\n", i, i);
  uint64_t ns = 0;
  for (size_t at = 0; at < plain.size();) {
    size_t nl = plain.find('\n', at);
    if (nl == std::string::npos) nl = plain.size();
    ns += 7919;
    uint64_t frac = ns % 1000000000;
    while (frac != 0 && frac % 10 == 0) frac /= 10;  // RFC3339Nano: no trailing zeros
    text += fmt::format("2026-11-23T10:{:02}:{:02}.{}Z stderr F ", ns / 60000000000 % 60,
                        ns / 1000000000 % 60, frac);
    text.append(plain, at, nl - at);
    text += '\n';
    at = nl + 1;
  }
  DumpSet two, one;
  ASSERT_NO_FATAL_FAILURE(ReadBothWays(text, "lh_big_dump.log", &two, &one));
  const Snapshot& a = two.snapshots[0];
  const Snapshot& b = one.snapshots[0];
  EXPECT_EQ(two.read_threads, ExpectedThreads());  // the halves were found behind the prefix
  EXPECT_GT(b.total_goroutines(), 80000u);
  EXPECT_EQ(a.total_goroutines(), b.total_goroutines());
  EXPECT_EQ(a.stacks().size(), b.stacks().size());
  EXPECT_EQ(Summary(a), Summary(b));
  EXPECT_EQ(two.lines, one.lines);
  EXPECT_EQ(two.warnings, one.warnings);
  ASSERT_EQ(a.frame_args().size(), b.frame_args().size());
}

}  // namespace
}  // namespace leakhound
