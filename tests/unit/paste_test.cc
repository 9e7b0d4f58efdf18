// Dumps as people paste them (src/dump/paste.h): TABs turned into 4 or 8
// spaces, "> " and "│ " in front of every line, a whole dump indented as a
// markdown code block, and locations cut to "...". Each pasted form must
// read exactly as the tab form does: same goroutines, states, frames,
// files, lines and creators; a cut location keeps its function.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "dump/dump.h"
#include "read_util.h"
#include "dump/paste.h"
#include "../common/pasted.h"

namespace leakhound {
namespace {

// The tab form: a panic with a preamble continuation, creators in and
// without "in goroutine", an inlined frame and an offset-less location.
const char kTabForm[] =
    "panic: test timed out after 2s\n"
    "\trunning tests:\n"
    "\t\tTestHang (2s)\n"
    "\n"
    "goroutine 20 [running]:\n"
    "testing.(*M).startAlarm.func1()\n"
    "\t/usr/local/go/src/testing/testing.go:2802 +0x354\n"
    "created by time.goFunc\n"
    "\t/usr/local/go/src/time/sleep.go:215 +0x2d\n"
    "\n"
    "goroutine 4 [chan send, 3 minutes]:\n"
    "hangtest/a.TestHangA.func1(0x0)\n"
    "\t/work/hangtest/a/hang_test.go:10 +0x25\n"
    "hangtest/a.helper(...)\n"
    "\t/work/hangtest/a/hang_test.go:20\n"
    "created by hangtest/a.TestHangA in goroutine 3\n"
    "\t/work/hangtest/a/hang_test.go:10 +0x3f\n"
    "\n"
    "goroutine 5 [chan send, 3 minutes]:\n"
    "hangtest/a.TestHangA.func1(0x1)\n"
    "\t/work/hangtest/a/hang_test.go:10 +0x25\n"
    "hangtest/a.helper(...)\n"
    "\t/work/hangtest/a/hang_test.go:20\n"
    "created by hangtest/a.TestHangA in goroutine 3\n"
    "\t/work/hangtest/a/hang_test.go:10 +0x3f\n";

// Everything the parser read, as text, so two readings compare in one
// EXPECT_EQ that shows the difference.
std::string Describe(const DumpSet& set) {
  std::ostringstream out;
  out << set.snapshots.size() << " snapshots, " << set.warnings.size() << " warnings\n";
  for (const Snapshot& s : set.snapshots) {
    // The preamble's first line: under a learned prefix that ends in
    // spaces ("> " + 4 spaces) its indented continuation lines are not
    // told from log text, and are left out.
    out << DumpKindName(s.kind) << " truncated=" << s.truncated << " preamble=["
        << s.preamble.substr(0, s.preamble.find('\n')) << "]\n";
    for (const Goroutine& g : s.goroutines()) {
      const Stack& st = s.stack_of(g);
      out << "g" << g.id << " [" << s.str(g.state) << "] " << g.wait_minutes
          << "min creator_id=" << g.creator_id << " cut=" << st.cut
          << " elided_unknown=" << st.elided_unknown << "\n";
      for (const Frame& f : st.frames)
        out << "  " << s.str(f.function) << " " << s.str(f.file) << ":" << f.line << " +"
            << f.pc_offset << (f.inlined ? " inlined" : "") << "\n";
      if (st.has_creator)
        out << "  created by " << s.str(st.creator.function) << " " << s.str(st.creator.file)
            << ":" << st.creator.line << "\n";
    }
  }
  return out.str();
}

using pasted::EachLine;
using pasted::Prefixed;
using pasted::Spaces;

TEST(Paste, TabFormReadsCleanly) {
  DumpSet set = Read(kTabForm);
  ASSERT_EQ(set.snapshots.size(), 1u);
  EXPECT_TRUE(set.warnings.empty());
  const Snapshot& s = set.snapshots[0];
  ASSERT_EQ(s.goroutines().size(), 3u);
  EXPECT_EQ(s.stack_of(s.goroutines()[1]).frames.size(), 2u);
  EXPECT_FALSE(s.stack_of(s.goroutines()[1]).cut);
}

TEST(Paste, SpacesForTabsReadAsTabs) {
  std::string want = Describe(Read(kTabForm));
  for (size_t width : {2u, 4u, 8u}) {
    SCOPED_TRACE(width);
    EXPECT_EQ(Describe(Read(Spaces(kTabForm, width))), want);
  }
}

TEST(Paste, QuotedAndBoxedLinesReadAsTabs) {
  std::string want = Describe(Read(kTabForm));
  for (const std::string prefix : {"> ", "\xe2\x94\x82 ", "    "}) {
    SCOPED_TRACE(prefix);
    EXPECT_EQ(Describe(Read(Prefixed(kTabForm, prefix))), want) << "tabs kept";
    for (size_t width : {4u, 8u})
      EXPECT_EQ(Describe(Read(Prefixed(Spaces(kTabForm, width), prefix))), want) << width;
  }
}

// A code block pasted with its first line's indent lost: the first header
// is at column 0, everything else 4 spaces in, TABs as 4 more.
TEST(Paste, CodeBlockWhoseFirstLineLostItsIndent) {
  std::string want = Describe(Read(kTabForm));
  std::string block = Prefixed(Spaces(kTabForm, 4), "    ");
  size_t first = block.find("goroutine 20");
  block.erase(block.rfind('\n', first) + 1, 4);
  EXPECT_EQ(Describe(Read(block)), want);
  std::string elided =
      "goroutine 9 [select]:\n    main.f()\n        /app/f.go:3 +0x1\n    ...2 frames elided...\n"
      "    created by main.main in goroutine 1\n        /app/main.go:4 +0x2\n\n";
  DumpSet set = Read(elided);
  const Snapshot& s = set.snapshots.at(0);
  const Stack& st = s.stack_of(s.goroutines().at(0));
  ASSERT_EQ(st.frames.size(), 1u);
  EXPECT_EQ(s.str(st.frames[0].function), "main.f");
  EXPECT_EQ(st.elided_frames, 2u);
  ASSERT_TRUE(st.has_creator);
  EXPECT_EQ(s.str(st.creator.function), "main.main");
  EXPECT_EQ(s.goroutines()[0].creator_id, 1u);
}

TEST(Paste, CutLocationKeepsItsFunction) {
  for (const char* cut : {"...", "\t...", "    ...", "\xe2\x80\xa6"}) {
    SCOPED_TRACE(cut);
    DumpSet set = Read(std::string("goroutine 9 [select]:\n"
                                   "main.serve(0x1)\n") +
                       cut +
                       "\n"
                       "main.main()\n"
                       "\t/app/main.go:5 +0x1d\n\n");
    ASSERT_EQ(set.snapshots.size(), 1u);
    EXPECT_TRUE(set.warnings.empty()) << set.warnings[0];
    const Snapshot& s = set.snapshots[0];
    const Stack& st = s.stack_of(s.goroutines().at(0));
    ASSERT_EQ(st.frames.size(), 2u);
    EXPECT_EQ(s.str(st.frames[0].function), "main.serve");
    EXPECT_EQ(s.str(st.frames[0].file), "?");
    EXPECT_EQ(st.frames[0].line, 0u);
    EXPECT_EQ(s.str(st.frames[1].file), "/app/main.go");
    EXPECT_TRUE(st.cut);
    EXPECT_FALSE(st.elided_unknown) << "a person's cut is not the runtime's elision";
    EXPECT_FALSE(s.truncated) << "the text goes on after the cut";
    bool noted = false;
    for (const std::string& n : s.notes) noted = noted || n.find("cut in the text") != std::string::npos;
    EXPECT_TRUE(noted);
  }
}

TEST(Paste, FunctionAtEndOfTextKeepsItsFunction) {
  for (const char* end : {"", "\n"}) {
    DumpSet set = Read(std::string("goroutine 9 [select]:\n"
                                   "main.serve(0x1)\n"
                                   "\t/app/serve.go:7 +0x2\n"
                                   "main.main()") +
                       end);
    const Snapshot& s = set.snapshots.at(0);
    const Stack& st = s.stack_of(s.goroutines().at(0));
    ASSERT_EQ(st.frames.size(), 2u) << "ending with [" << end << "]";
    EXPECT_EQ(s.str(st.frames[1].function), "main.main");
    EXPECT_EQ(st.frames[1].line, 0u);
    EXPECT_TRUE(st.cut);
    EXPECT_FALSE(st.elided_unknown);
    EXPECT_TRUE(s.truncated) << "the input ends mid-dump";
  }
}

TEST(Paste, CutCreatorLocation) {
  DumpSet set = Read(
      "goroutine 9 [select]:\nmain.serve(0x1)\n\t/app/serve.go:7 +0x2\n"
      "created by main.main in goroutine 1\n    ...\n\n");
  const Snapshot& s = set.snapshots.at(0);
  const Stack& st = s.stack_of(s.goroutines().at(0));
  ASSERT_TRUE(st.has_creator);
  EXPECT_EQ(s.str(st.creator.function), "main.main");
  EXPECT_EQ(s.str(st.creator.file), "?");
  EXPECT_TRUE(st.cut);
}

TEST(Paste, FramesLeftOutBetweenWholeFrames) {
  DumpSet set = Read(
      "goroutine 9 [select]:\nmain.serve(0x1)\n\t/app/serve.go:7 +0x2\n"
      "...\nmain.main()\n\t/app/main.go:5 +0x1d\n\n");
  const Snapshot& s = set.snapshots.at(0);
  const Stack& st = s.stack_of(s.goroutines().at(0));
  EXPECT_EQ(st.frames.size(), 2u);
  EXPECT_EQ(st.frames[0].line, 7u);
  EXPECT_TRUE(st.cut);
}

TEST(Paste, IndentedTextThatIsNoLocationStaysText) {
  EXPECT_TRUE(LooksLikeLocation("    /app/main.go:12 +0x1d"));
  EXPECT_TRUE(LooksLikeLocation("        _testmain.go:46 +0x9b"));
  EXPECT_TRUE(LooksLikeLocation("  <autogenerated>:1"));
  EXPECT_TRUE(LooksLikeLocation("/app/x.go:3 +0x1 fp=0xc0 sp=0xb8 pc=0x4a1f25"));
  EXPECT_FALSE(LooksLikeLocation("    retries: 3"));
  EXPECT_FALSE(LooksLikeLocation("    at main.go:"));
  EXPECT_FALSE(LooksLikeLocation("    main.main()"));
  EXPECT_TRUE(IsCutMarker("  ...  "));
  EXPECT_FALSE(IsCutMarker("...additional frames elided..."));
  // Lines like that inside a goroutine are not frames and warn nothing.
  DumpSet set = Read("goroutine 9 [select]:\nmain.serve(0x1)\n\t/app/serve.go:7 +0x2\n"
                     "    retries: 3\n\n");
  EXPECT_TRUE(set.warnings.empty());
  EXPECT_EQ(set.snapshots.at(0).stacks().at(0).frames.size(), 1u);
}

}  // namespace
}  // namespace leakhound
