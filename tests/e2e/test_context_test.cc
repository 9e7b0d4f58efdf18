// What a dump from a Go test binary says about its tests, read by
// `leakhound analyze` from real output of every toolchain:
// - testdata/go/hangtest under `go test -timeout 2s`: each blocked
//   goroutine of the hung test is raised as a leak because the timeout
//   fired while it was blocked;
// - testdata/go/aftermain, whose TestMain writes a debug=2 dump after
//   m.Run() returned: a goroutine a test left behind is a leak (goleak's
//   rule), and the same goroutine stopped by its test is not there.
#include <gtest/gtest.h>

#include "finding_at.h"
#include "run_util.h"

namespace {

using e2e::RunOptions;
using e2e::RunResult;
using e2e::FindingAt;
using nlohmann::json;

class TestContextDumps : public testing::TestWithParam<std::string> {};

std::string Source(const std::string& rel) {
  return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/" + rel;
}

std::string ReasonWith(const json& finding, const std::string& words) {
  for (const json& r : finding["reasons"])
    if (r["text"].get<std::string>().find(words) != std::string::npos) return r["text"];
  return "";
}

// `go test -timeout 2s ./a` in testdata/go/hangtest: one binary, one dump.
TEST_P(TestContextDumps, TimeoutMakesTheHungTestsGoroutinesLeaks) {
  const e2e::Toolchain& tc = e2e::GoToolchain(GetParam());
  RunOptions o;
  o.env = e2e::GoEnv(tc);
  o.cwd = Source("hangtest");
  o.timeout_ms = 600'000;
  RunResult t = e2e::Run({tc.go, "test", "-count=1", "-timeout", "2s", "./b"}, o);
  ASSERT_EQ(t.status, 1) << t.out.substr(0, 400) << t.err.substr(0, 400);
  ASSERT_NE(t.out.find("panic: test timed out after 2s"), std::string::npos) << t.out.substr(0, 400);
  std::string path = e2e::WorkDir() + "/timeout-b-go" + GetParam() + ".log";
  e2e::WriteFile(path, t.out + t.err);
  json r = e2e::AnalyzeJson({path});
  auto markers = e2e::Markers(Source("hangtest/b/hang_test.go"), "LEAK");
  for (const char* tag : {"send-b", "wait-b"}) {
    SCOPED_TRACE(tag);
    json f = FindingAt(r, "hang_test.go", markers[tag]);
    ASSERT_FALSE(f.is_null()) << r["findings"].dump();
    EXPECT_EQ(f["severity"], "leak") << f.dump();
    std::string why = ReasonWith(f, "-timeout fired after 2s");
    EXPECT_NE(why, "") << f.dump();
    // Go 1.19 prints no "running tests:" list; later ones name the test.
    if (GetParam() != "1.19") {
      EXPECT_NE(why.find("with TestHangB running"), std::string::npos) << why;
    }
  }
  // go test's own goroutines (the alarm, main in testing.(*M).Run) are
  // not what hung.
  for (const json& f : r["findings"])
    if (f["severity"] != "info") {
      std::string fn = f["blocking_frame"].is_null() ? "" : f["blocking_frame"]["function"];
      EXPECT_TRUE(fn.starts_with("hangtest/b.")) << f.dump();
    }
}

// Runs the aftermain test binary with -test.run `run`; returns the dump.
std::string AfterMainDump(const std::string& go, const std::string& run) {
  std::string bin = e2e::BuildGoTest("aftermain", go);
  std::string path = e2e::WorkDir() + "/aftermain-" + run + "-go" + go + ".txt";
  RunOptions o;
  o.env = {"AFTERMAIN_DUMP=" + path};
  RunResult t = e2e::Run({bin, "-test.run", "^" + run + "$", "-test.count", "1"}, o);
  EXPECT_EQ(t.status, 0) << t.out << t.err;
  return path;
}

TEST_P(TestContextDumps, AfterMRunALeftBehindGoroutineIsALeak) {
  auto markers = e2e::Markers(Source("aftermain/aftermain_test.go"), "LEAK");
  const std::string leaves = AfterMainDump(GetParam(), "TestLeaves");
  json r = e2e::AnalyzeJson({leaves});
  json f = FindingAt(r, "aftermain_test.go", markers["left-behind"]);
  ASSERT_FALSE(f.is_null()) << r["findings"].dump();
  EXPECT_EQ(f["pattern"], "chan-recv-blocked");
  EXPECT_EQ(f["severity"], "leak") << f.dump();
  std::string why = ReasonWith(f, "after m.Run() returned in aftermain.TestMain");
  EXPECT_NE(why.find("started by TestLeaves"), std::string::npos) << f.dump();
  EXPECT_EQ(f["creator"]["line"], markers["left-behind-go"]) << f.dump();

  // TestMain's worker, started before the tests, outlived none of them.
  auto benign = e2e::Markers(Source("aftermain/aftermain_test.go"), "BENIGN");
  json worker = FindingAt(r, "aftermain_test.go", benign["process-worker"]);
  ASSERT_FALSE(worker.is_null()) << r["findings"].dump();
  EXPECT_EQ(ReasonWith(worker, "m.Run()"), "") << worker.dump();
  EXPECT_NE(worker["severity"], "leak") << worker.dump();

  // The same goroutine, stopped by its test: nothing of the package's
  // is left, and TestMain's own goroutine (writing the dump) is no finding.
  json clean = e2e::AnalyzeJson({AfterMainDump(GetParam(), "TestCleansUp")});
  for (const json& g : clean["findings"]) EXPECT_NE(g["severity"], "leak") << g.dump();
  EXPECT_TRUE(FindingAt(clean, "aftermain_test.go", markers["left-behind"]).is_null());

  // Without TestMain's context (the same goroutine in a plain program's
  // dump) the m.Run() rule does not apply: the rule is the context, not
  // the shape. (The receive is still a leak when the source shows its
  // channel never left a function nobody runs any more.)
  std::string plain = e2e::ReadFile(leaves);
  size_t main_at = plain.find("aftermain.TestMain(");
  ASSERT_NE(main_at, std::string::npos);
  plain.replace(main_at, std::string("aftermain.TestMain").size(), "aftermain.setup");
  std::string plain_path = e2e::WorkDir() + "/aftermain-plain-go" + GetParam() + ".txt";
  e2e::WriteFile(plain_path, plain);
  json p = e2e::AnalyzeJson({plain_path});
  json pf = FindingAt(p, "aftermain_test.go", markers["left-behind"]);
  ASSERT_FALSE(pf.is_null());
  if (pf["severity"] == "leak") {
    EXPECT_EQ(pf["proof"]["marker"], "nobody-left") << pf.dump();
  }
  EXPECT_EQ(ReasonWith(pf, "m.Run()"), "");
  json bare = e2e::AnalyzeJson({"--no-source", plain_path});
  json bf = FindingAt(bare, "aftermain_test.go", markers["left-behind"]);
  ASSERT_FALSE(bf.is_null());
  EXPECT_NE(bf["severity"], "leak") << bf.dump();
}

INSTANTIATE_TEST_SUITE_P(Go, TestContextDumps, testing::ValuesIn(e2e::GoVersions()),
                         e2e::GoParamNamer());

}  // namespace
