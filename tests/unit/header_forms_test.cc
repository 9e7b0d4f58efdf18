// The goroutine header line in each form the runtime prints
// (goroutineheader, src/runtime/traceback.go, Go 1.19 to 1.27). The lines
// are copied from real output of Go 1.26.8 and 1.27.3 (tests/e2e/
// forms_test.cc records them afresh) except where a comment says which
// source they were derived from.
#include <gtest/gtest.h>

#include <string>

#include "dump/dump.h"
#include "dump/header.h"
#include "model/snapshot.h"

namespace leakhound {
namespace {

ParsedHeader Parse(std::string_view line) {
  ParsedHeader h;
  EXPECT_TRUE(ParseGoroutineHeader(line, &h)) << line;
  return h;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

TEST(HeaderForms, Plain) {
  ParsedHeader h = Parse("goroutine 1 [chan receive, 42 minutes, locked to thread]:");
  EXPECT_EQ(h.id, 1u);
  EXPECT_EQ(h.status, "chan receive");
  EXPECT_EQ(h.wait_minutes, 42);
  EXPECT_EQ(h.flags, kLockedToThread);
  EXPECT_FALSE(h.gp);
  EXPECT_EQ(h.label_form, LabelForm::kNone);
  EXPECT_FALSE(h.version.known());
}

TEST(HeaderForms, GpAndM) {
  ParsedHeader h = Parse("goroutine 0 gp=0x6dfee0 m=0 mp=0x6e0ee0 [idle]:");
  EXPECT_EQ(h.id, 0u);
  EXPECT_TRUE(h.gp);
  EXPECT_EQ(h.status, "idle");
  EXPECT_EQ(h.version.min_minor, 22);
  h = Parse("goroutine 1 gp=0x176d39b561e0 m=nil [chan receive]:");
  EXPECT_TRUE(h.gp);
  EXPECT_EQ(h.status, "chan receive");
  ParsedHeader bad;
  EXPECT_FALSE(ParseGoroutineHeader("goroutine 1 xyz [chan receive]:", &bad));
}

// Go 1.25+: " (durable)" appended to idle-in-bubble waits, and wait
// reasons that name themselves durable; both become the flag.
TEST(HeaderForms, DurableAndBubble) {
  ParsedHeader h = Parse("goroutine 11 [select (no cases) (durable), synctest bubble 1]:");
  EXPECT_EQ(h.status, "select (no cases)");
  EXPECT_EQ(h.flags, kDurable | kInBubble);
  EXPECT_EQ(h.bubble, 1);
  EXPECT_EQ(h.version.min_minor, 25);

  h = Parse("goroutine 10 [chan receive (durable), synctest bubble 1]:");
  EXPECT_EQ(h.status, "chan receive");
  EXPECT_TRUE(h.flags & kDurable);

  h = Parse("goroutine 19 gp=0x176d39c025a0 m=nil [synctest.Run (durable), synctest bubble 1]:");
  EXPECT_EQ(h.status, "synctest.Run");
  EXPECT_EQ(h.bubble, 1);

  // In a bubble but not durably blocked (a channel from outside it).
  h = Parse("goroutine 22 gp=0x176d39c02b40 m=nil [chan receive, synctest bubble 1]:");
  EXPECT_EQ(h.status, "chan receive");
  EXPECT_EQ(h.flags, kInBubble);

  // Order of everything at once (derived from goroutineheader, go1.26):
  // status (leaked) (scan) (durable), minutes, locked, bubble.
  h = Parse("goroutine 25 [sleep (scan) (durable), 3 minutes, locked to thread, synctest bubble 12]:");
  EXPECT_EQ(h.status, "sleep");
  EXPECT_EQ(h.flags, kScan | kDurable | kLockedToThread | kInBubble);
  EXPECT_EQ(h.wait_minutes, 3);
  EXPECT_EQ(h.bubble, 12);
  h = Parse("goroutine 5 [chan send (durable) (scan), synctest bubble 2]:");
  EXPECT_EQ(h.status, "chan send");
  EXPECT_EQ(h.flags, kScan | kDurable | kInBubble);
  h = Parse("goroutine 5 [chan send (leaked)]:");
  EXPECT_EQ(h.status, "chan send");
  EXPECT_EQ(h.flags, kLeaked);
  EXPECT_EQ(h.version.min_minor, 26);
}

// Go 1.24 GOEXPERIMENT=synctest named the bubble a group.
TEST(HeaderForms, SynctestGroup124) {
  ParsedHeader h = Parse("goroutine 11 [chan send (synctest), 10 minutes, synctest group 7]:");
  EXPECT_EQ(h.status, "chan send (synctest)");
  EXPECT_EQ(h.bubble, 7);
  EXPECT_EQ(h.version.min_minor, 24);
  EXPECT_EQ(h.version.max_minor, 24);
}

// Go 1.26 with GODEBUG=tracebacklabels=1: inside the bracket, quoted.
TEST(HeaderForms, Labels126) {
  ParsedHeader h =
      Parse(R"(goroutine 8 gp=0x190d084e5680 m=nil [chan receive labels:{"job": "say \"hi\"", "shard": "7"}]:)");
  EXPECT_EQ(h.status, "chan receive");
  EXPECT_EQ(h.label_form, LabelForm::kInBrackets);
  EXPECT_EQ(h.labels, (Labels{{"job", "say \"hi\""}, {"shard", "7"}}));
  EXPECT_EQ(h.version.min_minor, 26);
  EXPECT_EQ(h.version.max_minor, 26);
  // After the items, with no comma (derived from goroutineheader, go1.26).
  h = Parse(R"(goroutine 9 [select, 5 minutes labels:{"a": "x]y, z"}]:)");
  EXPECT_EQ(h.status, "select");
  EXPECT_EQ(h.wait_minutes, 5);
  EXPECT_EQ(h.labels, (Labels{{"a", "x]y, z"}}));
}

// Go 1.27: after the bracket, bare where no quoting is needed.
TEST(HeaderForms, Labels127) {
  ParsedHeader h =
      Parse(R"(goroutine 6 gp=0x6266c56f680 m=nil [chan receive] {pattern: "GET /x", tenant: a.b/c_d}:)");
  EXPECT_EQ(h.status, "chan receive");
  EXPECT_EQ(h.label_form, LabelForm::kAfterBrackets);
  EXPECT_EQ(h.labels, (Labels{{"pattern", "GET /x"}, {"tenant", "a.b/c_d"}}));
  EXPECT_EQ(h.version.min_minor, 27);
  h = Parse(R"(goroutine 7 [chan receive] {pattern: "POST /y {id}"}:)");
  EXPECT_EQ(h.labels, (Labels{{"pattern", "POST /y {id}"}}));
  h = Parse(R"(goroutine 20 [chan receive, 2 minutes] {job: "say \"hi\"", shard: 7}:)");
  EXPECT_EQ(h.wait_minutes, 2);
  EXPECT_EQ(h.labels, (Labels{{"job", "say \"hi\""}, {"shard", "7"}}));
  // printquoted's escapes: \x for control bytes, \u and \U above ASCII.
  h = Parse(R"(goroutine 3 [running] {"k\t": "caf\u00e9 \U0001f600 \x01"}:)");
  EXPECT_EQ(h.status, "running");
  EXPECT_EQ(h.labels, (Labels{{"k\t", "caf\xc3\xa9 \xf0\x9f\x98\x80 \x01"}}));
  ParsedHeader bad;
  EXPECT_FALSE(ParseGoroutineHeader(R"(goroutine 3 [running] {k: "open}:)", &bad));
  EXPECT_FALSE(ParseGoroutineHeader("goroutine 3 [running] {k v}:", &bad));
}

TEST(HeaderForms, LineEnds) {
  EXPECT_TRUE(HeaderLineEnds("goroutine 1 [running]:"));
  EXPECT_TRUE(HeaderLineEnds("goroutine 7 [running] {pattern: \"GET /x\"}:"));
  EXPECT_FALSE(HeaderLineEnds("goroutine 7 {x}:"));
  EXPECT_FALSE(HeaderLineEnds("goroutine 7 [running]"));
}

// Through the reader: labelled goroutines are kept (main dropped the 1.27
// form with "goroutine header not understood") and carry their labels.
TEST(HeaderForms, ReaderKeepsLabelled127) {
  std::string text =
      "goroutine 6 gp=0x6266c56f680 m=nil [chan receive] {pattern: \"GET /x\", tenant: a.b/c_d}:\n"
      "main.serve(0xc000012345, 0xc000014567)\n"
      "\t/work/labels/main.go:16 +0x3c\n"
      "created by main.main.func1 in goroutine 1\n"
      "\t/work/labels/main.go:27 +0x4a\n"
      "\n"
      "goroutine 8 [sleep (durable), synctest bubble 3]:\n"
      "time.Sleep(0x34630b8a000)\n"
      "\t/usr/local/go/src/runtime/time.go:361 +0x145\n";
  DumpSet set;
  ReadError e = ReadDumpBytes(text, "t.txt", &set);
  ASSERT_FALSE(e) << e.message;
  EXPECT_TRUE(set.warnings.empty());
  ASSERT_EQ(set.snapshots.size(), 1u);
  const Snapshot& s = set.snapshots[0];
  ASSERT_EQ(s.goroutines().size(), 2u);
  const Goroutine& g = s.goroutines()[0];
  EXPECT_EQ(s.str(g.state), "chan receive");
  ASSERT_NE(g.labels, 0u);
  const LabelSet& ls = s.label_sets()[g.labels];
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(s.str(ls[0].first), "pattern");
  EXPECT_EQ(s.str(ls[0].second), "GET /x");
  const Goroutine& d = s.goroutines()[1];
  EXPECT_EQ(s.str(d.state), "sleep");
  EXPECT_TRUE(d.has(kDurable));
  EXPECT_EQ(d.bubble, 3);
  EXPECT_EQ(d.labels, 0u);
  EXPECT_EQ(s.go_version.min_minor, 27);
}

}  // namespace
}  // namespace leakhound
