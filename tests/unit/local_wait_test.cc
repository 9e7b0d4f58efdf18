// LocalWaitAt / LocalThroughGo: which waits are on objects that never
// leave one function. A proof rests on these answers, so each way an
// object can leave (passed, stored, assigned, returned, captured by a
// closure that runs later, a foreign channel in a select, a default case)
// must give a blocker, and the plain local cases must not.
#include "waitfor/local_wait.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "go_src.h"

namespace leakhound {
namespace {

struct Src : GoSrc {
  using GoSrc::GoSrc;
  LocalWait At(const std::string& marker) const { return LocalWaitAt(file, Line(marker)); }
};

TEST(LocalWait, AbandonedResultIsLocal) {
  Src s(
      "package p\n"
      "func (c *Client) Get() (string, error) {\n"
      "\tresult := make(chan string)\n"
      "\tgo func() {\n"
      "\t\tresult <- c.fetch() // SEND\n"
      "\t}()\n"
      "\tselect {\n"
      "\tcase v := <-result:\n"
      "\t\treturn v, nil\n"
      "\tcase <-time.After(time.Second): // SELECT\n"
      "\t\treturn \"\", errTimeout\n"
      "\t}\n"
      "}\n");
  LocalWait w = s.At("// SEND");
  ASSERT_TRUE(w.found);
  EXPECT_EQ(w.op, "send");
  EXPECT_EQ(w.blocker, "");
  EXPECT_EQ(w.scope, "(*Client).Get");
  EXPECT_EQ(w.scope_first, 2u);
  EXPECT_EQ(w.scope_last, 13u);
  ASSERT_EQ(w.objects.size(), 1u);
  EXPECT_EQ(w.objects[0].name, "result");
  EXPECT_EQ(w.objects[0].kind, "channel");
  EXPECT_EQ(w.objects[0].declared, 3u);
  // The select's line (7) and a case line both read as the select, and
  // its timer case is no local channel.
  LocalWait sel = LocalWaitAt(s.file, 7);
  ASSERT_TRUE(sel.found);
  EXPECT_EQ(sel.op, "select");
  EXPECT_NE(sel.blocker.find("time.After"), std::string::npos) << sel.blocker;
  EXPECT_EQ(s.At("// SELECT").op, "select");
}

TEST(LocalWait, EachWayOutIsABlocker) {
  Src s(
      "package p\n"
      "func passed() {\n"
      "\tch := make(chan int)\n"
      "\tregister(ch)\n"
      "\t<-ch // PASSED\n"
      "}\n"
      "func stored(s *S) {\n"
      "\tch := make(chan int)\n"
      "\ts.ch = ch\n"
      "\t<-ch // STORED\n"
      "}\n"
      "func reassigned(other chan int) {\n"
      "\tch := make(chan int)\n"
      "\tch = other\n"
      "\t<-ch // REASSIGNED\n"
      "}\n"
      "func returned() chan int {\n"
      "\tch := make(chan int)\n"
      "\tgo func() { ch <- 1 }() // RETURNED\n"
      "\treturn ch\n"
      "}\n"
      "func later() {\n"
      "\tch := make(chan int)\n"
      "\tf := func() { close(ch) }\n"
      "\ttime.AfterFunc(time.Second, f)\n"
      "\t<-ch // LATER\n"
      "}\n"
      "func param(ch chan int) {\n"
      "\tgo func() { <-ch }() // CLOSURE-OF-PARAM\n"
      "}\n"
      "func field(s *S) {\n"
      "\t<-s.done // FIELD\n"
      "}\n"
      "func fromCall() {\n"
      "\tch := open()\n"
      "\t<-ch // FROM-CALL\n"
      "}\n"
      "func defaulted() {\n"
      "\tch := make(chan int)\n"
      "\tselect { // DEFAULT\n"
      "\tcase <-ch:\n"
      "\tdefault:\n"
      "\t}\n"
      "}\n"
      "func shadowed() {\n"
      "\tch := make(chan int)\n"
      "\tgo func(ch chan int) { ch <- 1 }(make(chan int))\n"
      "\t<-ch // SHADOWED\n"
      "}\n");
  for (const char* m : {"// PASSED", "// STORED", "// REASSIGNED", "// RETURNED", "// LATER",
                        "// CLOSURE-OF-PARAM", "// FIELD", "// FROM-CALL", "// DEFAULT",
                        "// SHADOWED"}) {
    LocalWait w = s.At(m);
    EXPECT_TRUE(w.found) << m;
    EXPECT_NE(w.blocker, "") << m << " must not count as local";
  }
}

TEST(LocalWait, ReturnedToCallersThatConsumeItOnTheSpot) {
  Src s(
      "package p\n"
      "func numbers(n int) <-chan int {\n"
      "\tout := make(chan int)\n"
      "\tgo func() {\n"
      "\t\tout <- n // RANGED\n"
      "\t}()\n"
      "\treturn out\n"
      "}\n"
      "func First() int {\n"
      "\tfor v := range numbers(3) {\n"
      "\t\treturn v\n"
      "\t}\n"
      "\treturn <-numbers(1)\n"
      "}\n");
  LocalWait w = s.At("// RANGED");
  ASSERT_TRUE(w.found);
  EXPECT_EQ(w.blocker, "");
  EXPECT_EQ(w.scope, "numbers");
  EXPECT_EQ(w.package_only, "numbers");
  ASSERT_EQ(w.also.size(), 2u);
  EXPECT_EQ(w.also[0].name, "First");
  EXPECT_EQ(w.also[0].first, 9u);
  EXPECT_EQ(w.also[0].last, 14u);
  EXPECT_EQ(w.also[0].why, "ranges over its result at line 10");
  EXPECT_EQ(w.also[1].why, "receives its result at line 13");
}

TEST(LocalWait, ReturnedChannelThatCallersKeepIsABlocker) {
  // Each function is the same producer; what differs is its name (an
  // exported one is called from other packages), its results, or how a
  // caller takes the channel.
  const std::string producer =
      "\tout := make(chan int)\n"
      "\tgo func() {\n"
      "\t\tout <- 1 // SEND\n"
      "\t}()\n";
  struct Case {
    const char* name;
    std::string text;
  };
  std::vector<Case> cases = {
      {"exported", "func Numbers() <-chan int {\n" + producer + "\treturn out\n}\n"
                   "func use() { for range Numbers() {} }\n"},
      {"assigned", "func numbers() <-chan int {\n" + producer + "\treturn out\n}\n"
                   "func use() { ch := numbers(); <-ch }\n"},
      {"value", "func numbers() <-chan int {\n" + producer + "\treturn out\n}\n"
                "func use() { f := numbers; <-f() }\n"},
      {"argument", "func numbers() <-chan int {\n" + producer + "\treturn out\n}\n"
                   "func use() { drain(numbers()) }\n"},
      {"package var", "func numbers() <-chan int {\n" + producer + "\treturn out\n}\n"
                      "var first = <-numbers()\n"},
      {"two results", "func numbers() (<-chan int, error) {\n" + producer + "\treturn out, nil\n}\n"
                      "func use() { ch, _ := numbers(); <-ch }\n"},
      {"method", "func (p *P) numbers() <-chan int {\n" + producer + "\treturn out\n}\n"
                 "func use(p *P) { for range p.numbers() {} }\n"},
      {"no caller", "func numbers() <-chan int {\n" + producer + "\treturn out\n}\n"},
  };
  for (const Case& c : cases) {
    Src s("package p\n" + c.text);
    LocalWait w = s.At("// SEND");
    EXPECT_TRUE(w.found) << c.name;
    EXPECT_NE(w.blocker, "") << c.name << " must not count as local";
  }
}

TEST(LocalWait, WaitGroupAndNilChannel) {
  Src s(
      "package p\n"
      "func batch(items []string) {\n"
      "\tvar wg sync.WaitGroup\n"
      "\tfor _, it := range items {\n"
      "\t\twg.Add(1)\n"
      "\t\tgo func(it string) {\n"
      "\t\t\tdefer wg.Done()\n"
      "\t\t\t_ = it\n"
      "\t\t}(it)\n"
      "\t}\n"
      "\twg.Wait() // WAIT\n"
      "}\n"
      "func escaped() {\n"
      "\twg := &sync.WaitGroup{}\n"
      "\thelp(wg)\n"
      "\twg.Wait() // ESCAPED\n"
      "}\n"
      "func nilch() {\n"
      "\tvar ch chan int\n"
      "\t<-ch // NIL\n"
      "}\n");
  LocalWait w = s.At("// WAIT");
  ASSERT_TRUE(w.found);
  EXPECT_EQ(w.op, "WaitGroup.Wait");
  EXPECT_EQ(w.blocker, "");
  ASSERT_EQ(w.objects.size(), 1u);
  EXPECT_EQ(w.objects[0].kind, "WaitGroup");
  EXPECT_NE(s.At("// ESCAPED").blocker, "");
  LocalWait n = s.At("// NIL");
  EXPECT_EQ(n.blocker, "");
  ASSERT_EQ(n.objects.size(), 1u);
  EXPECT_EQ(n.objects[0].kind, "nil channel");
}

TEST(LocalWait, ThroughTheGoStatementThatStartedIt) {
  Src s(
      "package p\n"
      "func (im *Importer) write(rows <-chan Row) {\n"
      "\tfor r := range rows { // RANGE\n"
      "\t\t_ = r\n"
      "\t}\n"
      "}\n"
      "func (im *Importer) Import(in []Row) {\n"
      "\trows := make(chan Row)\n"
      "\tgo im.write(rows) // GO\n"
      "\tfor _, r := range in {\n"
      "\t\trows <- r\n"
      "\t}\n"
      "}\n"
      "func (im *Importer) leak(rows chan Row) {\n"
      "\tkeep = rows\n"
      "}\n"
      "func (im *Importer) Other() {\n"
      "\trows := make(chan Row)\n"
      "\tgo im.leak(rows) // LEAKS\n"
      "\t<-rows\n"
      "}\n");
  LocalWait w = s.At("// RANGE");
  ASSERT_TRUE(w.found);
  EXPECT_EQ(w.blocker, "");
  ASSERT_EQ(w.objects.size(), 1u);
  EXPECT_EQ(w.objects[0].param, 0);
  LocalWait through = LocalThroughGo(s.file, s.Line("// GO"), w);
  ASSERT_TRUE(through.found);
  EXPECT_EQ(through.blocker, "");
  EXPECT_EQ(through.scope, "(*Importer).Import");
  ASSERT_EQ(through.objects.size(), 1u);
  EXPECT_EQ(through.objects[0].name, "rows");
  ASSERT_EQ(through.also.size(), 1u);
  EXPECT_EQ(through.also[0].name, "(*Importer).write");
  EXPECT_EQ(through.also[0].first, 2u);
  // A line that starts another function is no answer; a callee that
  // stores its parameter lets the object out.
  EXPECT_FALSE(LocalThroughGo(s.file, s.Line("// LEAKS"), w).found);
  LocalWait other = LocalWaitAt(s.file, s.Line("// LEAKS") + 1);
  ASSERT_TRUE(other.found);
  EXPECT_NE(other.blocker, "");
}

}  // namespace
}  // namespace leakhound
