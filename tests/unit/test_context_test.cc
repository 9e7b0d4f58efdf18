// analyze/test_context: the go test facts a dump's own text carries.
// Real go test output is checked end to end (tests/e2e/test_context_test.cc);
// these pin the edges: pasted indentation, subtests, and a TestMain that
// is still inside m.Run().
#include <gtest/gtest.h>

#include <string>

#include "analyze/test_context.h"
#include "read_util.h"

namespace leakhound {
namespace {

TEST(TestContext, TimeoutListsRunningTestsAndSubtestsEvenWhenPastedWithSpaces) {
  DumpSet set = Read(
      "panic: test timed out after 10m0s\n"
      "    running tests:\n"
      "        TestA (10m0s)\n"
      "        TestB/sub_case (9m58s)\n"
      "\n"
      "goroutine 7 [chan receive]:\n"
      "example.com/p.TestA(0xc000007)\n"
      "\t/src/p/a_test.go:12 +0x1d\n"
      "testing.tRunner(0xc000007, 0x5)\n"
      "\t/go/src/testing/testing.go:1446 +0x10b\n"
      "created by testing.(*T).Run\n"
      "\t/go/src/testing/testing.go:1493 +0x35f\n");
  ASSERT_EQ(set.snapshots.size(), 1u);
  TestContext c = ReadTestContext(set.snapshots[0]);
  EXPECT_TRUE(c.timed_out);
  EXPECT_EQ(c.timeout, "10m0s");
  EXPECT_EQ(c.running, (std::vector<std::string>{"TestA", "TestB/sub_case"}));
  EXPECT_FALSE(c.after_m_run);
}

TEST(TestContext, TestMainCountsOnlyOnceMRunHasReturned) {
  const std::string inside =
      "goroutine 1 [chan receive]:\n"
      "testing.(*M).Run(0xc00001)\n"
      "\t/go/src/testing/testing.go:1721 +0x6db\n"
      "example.com/p.TestMain(0xc00001)\n"
      "\t/src/p/main_test.go:9 +0x1e\n"
      "main.main()\n"
      "\t_testmain.go:47 +0x1d3\n";
  EXPECT_FALSE(ReadTestContext(Read(inside).snapshots[0]).after_m_run);
  const std::string after =
      "goroutine 1 [running]:\n"
      "example.com/p.TestMain.func1()\n"
      "\t/src/p/main_test.go:8 +0x1e\n"
      "example.com/p.TestMain(0xc00001)\n"
      "\t/src/p/main_test.go:11 +0x3e\n"
      "main.main()\n"
      "\t_testmain.go:47 +0x1d3\n";
  TestContext c = ReadTestContext(Read(after).snapshots[0]);
  EXPECT_TRUE(c.after_m_run);
  EXPECT_EQ(c.test_main, "example.com/p.TestMain");
  EXPECT_FALSE(c.timed_out);
}

TEST(TestContext, TestNamesComeFromFramesThenTheCreator) {
  EXPECT_EQ(TestOfFunction("example.com/p.TestX.func1.2"), "TestX");
  EXPECT_EQ(TestOfFunction("example.com/a.b/p.TestY"), "TestY");
  EXPECT_EQ(TestOfFunction("example.com/p.TestMain"), "");
  EXPECT_EQ(TestOfFunction("example.com/p.helper"), "");
  DumpSet set = Read(
      "goroutine 19 [chan receive]:\n"
      "example.com/p.wait(...)\n"
      "\t/src/p/a_test.go:34\n"
      "created by example.com/p.TestLeaves in goroutine 18\n"
      "\t/src/p/a_test.go:41 +0x8e\n");
  const Snapshot& s = set.snapshots[0];
  EXPECT_EQ(TestOnStack(s, s.stack_of(s.goroutines()[0])), "TestLeaves");
}

}  // namespace
}  // namespace leakhound
