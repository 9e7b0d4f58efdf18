// The text parser's fast paths (one-pass file locations, the raw stack
// key written as lines arrive, the wait-reason cache, log prefixes matched
// on bitmasks) must read exactly what the general code reads, including
// the odd shapes that fall back to it.
#include <gtest/gtest.h>

#include <string>

#include "dump/dump.h"
#include "read_util.h"

namespace leakhound {
namespace {

// One goroutine whose only frame has the file line `loc`.
DumpSet OneFrame(const std::string& loc) {
  return Read("goroutine 7 [select]:\nmain.f(0x1)\n\t" + loc + "\n\n");
}

struct Loc {
  const char* line;
  const char* file;  // nullptr: the frame is rejected with a warning
  uint32_t line_no;
  uint32_t offset;
};

TEST(ParseFastPaths, FileLocations) {
  const Loc cases[] = {
      {"/src/app/main.go:12 +0x1d", "/src/app/main.go", 12, 0x1d},
      {"/src/app/main.go:12 +0x1D", "/src/app/main.go", 12, 0x1d},  // upper case hex
      {"/src/app/main.go:12", "/src/app/main.go", 12, 0},           // inlined: no offset
      {"/src/app/main.go:12 +0x1d fp=0xc0 sp=0xb8 pc=0x4a1f25", "/src/app/main.go", 12, 0x1d},
      {"C:/src/my app/x:y.go:5 +0x2", "C:/src/my app/x:y.go", 5, 2},
      {"/x.go:4294967295 +0x1", "/x.go", 4294967295u, 1},
      {"/x.go:0012 +0xffffffff", "/x.go", 12, 0xffffffffu},
      {"/x.go:4294967296 +0x1", nullptr, 0, 0},              // line too large
      {"/x.go:99999999999999999999 +0x1", nullptr, 0, 0},    // 20 digits
      {"/x.go:12 +0x11111111111111111", nullptr, 0, 0},      // 17 hex digits
      {"/x.go:12 +0x", nullptr, 0, 0},
      {":12 +0x1", nullptr, 0, 0},                           // no file
      {"/x.go:1a +0x1", nullptr, 0, 0},
      {"/x.go: +0x1", nullptr, 0, 0},
      {"/x.go:12 +0x1 ", nullptr, 0, 0},
      {"?:0", "?", 0, 0},
  };
  for (const Loc& c : cases) {
    SCOPED_TRACE(c.line);
    DumpSet set = OneFrame(c.line);
    ASSERT_EQ(set.snapshots.size(), 1u);
    const Snapshot& s = set.snapshots[0];
    const Stack& st = s.stacks()[s.goroutines()[0].stack];
    if (c.file == nullptr) {
      EXPECT_TRUE(st.frames.empty());
      ASSERT_EQ(set.warnings.size(), 1u);
      EXPECT_NE(set.warnings[0].find("frame location not understood"), std::string::npos);
      continue;
    }
    ASSERT_EQ(st.frames.size(), 1u);
    EXPECT_EQ(s.str(st.frames[0].file), c.file);
    EXPECT_EQ(st.frames[0].line, c.line_no);
    EXPECT_EQ(st.frames[0].pc_offset, c.offset);
    EXPECT_TRUE(set.warnings.empty());
  }
}

TEST(ParseFastPaths, StacksKeyedByFramesAndCreator) {
  const std::string frames = "main.a(0x1)\n\t/m.go:1 +0x1\nmain.b(...)\n\t/m.go:2\n";
  std::string text;
  text += "goroutine 1 [select]:\n" + frames + "created by main.x in goroutine 9\n\t/m.go:9 +0x5\n\n";
  text += "goroutine 2 [select]:\n" + frames + "created by main.x in goroutine 3\n\t/m.go:9 +0x7\n\n";
  text += "goroutine 3 [select]:\n" + frames + "created by main.y in goroutine 1\n\t/m.go:9 +0x5\n\n";
  text += "goroutine 4 [select]:\n" + frames + "\n";
  // A function line with no file line is not a frame of the stack.
  text += "goroutine 5 [select]:\nmain.dropped(0x2)\n" + frames + "\n";
  // Same names, split differently between function and file.
  text += "goroutine 6 [select]:\nmain.a(0x1)\n\t/m.go:1 +0x1\nmain.b(...)\n\t/m.go:3\n\n";
  DumpSet set = Read(text);
  const Snapshot& s = set.snapshots.at(0);
  ASSERT_EQ(s.goroutines().size(), 6u);
  auto stack = [&](size_t i) { return s.goroutines()[i].stack; };
  EXPECT_EQ(stack(0), stack(1));  // parent ids and offsets are not identity
  EXPECT_NE(stack(0), stack(2));  // another creator
  EXPECT_NE(stack(0), stack(3));  // no creator
  EXPECT_EQ(stack(3), stack(4));
  EXPECT_NE(stack(3), stack(5));
  EXPECT_EQ(s.stacks().size(), 4u);
  EXPECT_TRUE(s.stacks()[stack(1)].frames[1].inlined);
  EXPECT_EQ(s.stacks()[stack(1)].creator.pc_offset, 5u);  // from the first seen
}

TEST(ParseFastPaths, VersionHintsFromNamesAndStates) {
  // A .gowrap name dates the dump (1.22+) even when its frame is dropped
  // and even when the stack was seen before.
  DumpSet a = Read(
      "goroutine 1 [select]:\nmain.main.gowrap1()\nnot a file line\n\n"
      "goroutine 2 [select]:\nmain.f()\n\t/m.go:1 +0x1\n\n");
  EXPECT_EQ(a.snapshots.at(0).go_version.min_minor, 22);
  // Wait reasons date each dump of a file on their own.
  DumpSet b = Read(
      "goroutine 1 [sync.Mutex.Lock]:\nmain.f()\n\t/m.go:1 +0x1\n\n"
      "goroutine 2 [select]:\nmain.f()\n\t/m.go:1 +0x1\n\n"
      "goroutine 1 [select]:\nmain.f()\n\t/m.go:1 +0x1\n\n"
      "goroutine 2 [sync.RWMutex.RLock]:\nmain.f()\n\t/m.go:1 +0x1\n\n"
      "goroutine 1 [select]:\nmain.f()\n\t/m.go:1 +0x1\n\n");
  ASSERT_EQ(b.snapshots.size(), 3u);
  EXPECT_EQ(b.snapshots[0].go_version.min_minor, 20);
  EXPECT_EQ(b.snapshots[1].go_version.min_minor, 20);
  EXPECT_EQ(b.snapshots[2].go_version.min_minor, 0);
  const Snapshot& s1 = b.snapshots[1];
  EXPECT_EQ(s1.str(s1.goroutines()[0].state), "select");
  EXPECT_EQ(s1.str(s1.goroutines()[1].state), "sync.RWMutex.RLock");
}

std::string Plain() {
  return "goroutine 1 [chan receive, 3 minutes]:\n"
         "main.worker(0xc000012345, {0x1, 0x2})\n"
         "\t/src/app/worker.go:88 +0x1d\n"
         "created by main.start in goroutine 1\n"
         "\t/src/app/main.go:41 +0x85\n"
         "\n"
         "goroutine 2 [select]:\n"
         "main.loop()\n"
         "\t/src/app/loop.go:9 +0x2\n"
         "\n";
}

std::string Prefixed(const std::string& prefix) {
  std::string out, text = Plain();
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    out.append(prefix).append(text, start, nl - start).push_back('\n');
    start = nl + 1;
  }
  return out;
}

void ExpectSameAsPlain(const std::string& prefix) {
  SCOPED_TRACE(prefix);
  DumpSet plain = Read(Plain()), logged = Read(Prefixed(prefix));
  ASSERT_EQ(logged.snapshots.size(), 1u);
  const Snapshot& a = plain.snapshots[0];
  const Snapshot& b = logged.snapshots[0];
  ASSERT_EQ(b.goroutines().size(), a.goroutines().size());
  for (size_t i = 0; i < a.goroutines().size(); ++i) {
    const Stack& sa = a.stack_of(a.goroutines()[i]);
    const Stack& sb = b.stack_of(b.goroutines()[i]);
    ASSERT_EQ(sb.frames.size(), sa.frames.size());
    for (size_t f = 0; f < sa.frames.size(); ++f)
      EXPECT_EQ(b.str(sb.frames[f].function), a.str(sa.frames[f].function));
    EXPECT_EQ(sb.has_creator, sa.has_creator);
    EXPECT_EQ(b.goroutines()[i].wait_minutes, a.goroutines()[i].wait_minutes);
  }
}

TEST(ParseFastPaths, LogPrefixesOfEveryLength) {
  ExpectSameAsPlain("2026-11-23T10:15:04.382648203Z stderr F ");
  ExpectSameAsPlain("I1123 10:15:04.382648   12345 main.go:42] ");
  // Runs that end at, or go past, the 64-byte window.
  for (size_t n = 55; n <= 75; ++n) {
    std::string word(n, 'a'), bracketed(1, '['), colon(n, 'x');
    word.append(" ");
    bracketed.append(n, 'p').append("]   ");
    colon.append(": ");
    ExpectSameAsPlain(word);
    ExpectSameAsPlain(bracketed);
    ExpectSameAsPlain(colon);
  }
}

}  // namespace
}  // namespace leakhound
