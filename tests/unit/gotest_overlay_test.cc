// leakhound test's overlay rewriting: which functions get the check, that
// every line of the user's file keeps its number, and how the records the
// check writes are read back.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gotest/check_source.h"
#include "gotest/go_command.h"
#include "gotest/leaks.h"
#include "gotest/overlay.h"
#include "gotest/report.h"
#include "report/junit_report.h"

namespace leakhound {
namespace {

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// The rewrite keeps the line count, and every line either is unchanged or
// is the same line with the check inserted after its first '{' ... only.
void ExpectSameLines(const std::string& before, const std::string& after) {
  std::vector<std::string> a = Lines(before), b = Lines(after);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    std::string without = b[i];
    size_t at = without.find(" leakhound_check(");
    ASSERT_NE(at, std::string::npos) << b[i];
    without.erase(at, without.find(';', at) + 1 - at);
    EXPECT_EQ(without, a[i]);
  }
}

TEST(GotestOverlay, ChecksTestFunctionsOnTheirOwnLine) {
  std::string src =
      "package p\n\nimport \"testing\"\n\n"
      "func TestA(t *testing.T) {\n\tt.Log(1)\n}\n\n"
      "func TestB(tt *testing.T) { tt.Log(2) }\n"
      "func Test(t *testing.T) {}\n"
      "func TestÜber(t *testing.T) {}\n";
  RewrittenTestFile r = RewriteTestFile("p_test.go", src);
  EXPECT_FALSE(r.parse_error);
  EXPECT_EQ(r.package, "p");
  EXPECT_EQ(r.checked, (std::vector<std::string>{"TestA", "TestB", "Test", "TestÜber"}));
  std::vector<std::string> lines = Lines(r.text);
  EXPECT_EQ(lines[4], "func TestA(t *testing.T) { leakhound_check(t);");
  EXPECT_EQ(lines[8], "func TestB(tt *testing.T) { leakhound_check(tt); tt.Log(2) }");
  ExpectSameLines(src, r.text);
}

TEST(GotestOverlay, LeavesNonTestsAlone) {
  std::string src =
      "package p\n\nimport \"testing\"\n\n"
      "func Testhelper(t *testing.T) {}\n"  // lower case after Test
      "func helper(t *testing.T) {}\n"
      "func TestBench(b *testing.B) {}\n"
      "func TestTwo(a, b *testing.T) {}\n"
      "func TestBlank(_ *testing.T) {}\n"
      "func TestUnnamed(*testing.T) {}\n"
      "func TestResult(t *testing.T) int { return 0 }\n"
      "type S struct{}\n"
      "func (S) TestMethod(t *testing.T) {}\n"
      "func BenchmarkX(b *testing.B) { b.Run(\"x\", func(b *testing.B) {}) }\n";
  RewrittenTestFile r = RewriteTestFile("p_test.go", src);
  EXPECT_TRUE(r.checked.empty());
  EXPECT_EQ(r.text, src);
}

TEST(GotestOverlay, FindsTestingUnderAnyImportName) {
  std::string alias = "package p\n\nimport tt \"testing\"\n\nfunc TestA(x *tt.T) {}\n";
  RewrittenTestFile r = RewriteTestFile("a_test.go", alias);
  ASSERT_EQ(r.checked.size(), 1u);
  EXPECT_NE(r.text.find("func TestA(x *tt.T) { leakhound_check(x);}"), std::string::npos);

  std::string dot = "package p\n\nimport . \"testing\"\n\nfunc TestA(t *T) {}\n";
  EXPECT_EQ(RewriteTestFile("d_test.go", dot).checked.size(), 1u);

  // With an alias, testing.T is some other package's T.
  std::string other = "package p\n\nimport (\n\ttt \"testing\"\n\t\"x/testing\"\n)\n\n"
                      "var _ tt.M\n\nfunc TestA(t *testing.T) {}\n";
  EXPECT_TRUE(RewriteTestFile("o_test.go", other).checked.empty());

  std::string none = "package p\n\nfunc TestA(t *testing.T) {}\n";
  EXPECT_TRUE(RewriteTestFile("n_test.go", none).checked.empty());
}

TEST(GotestOverlay, ChecksSubtestLiteralsPassedToRun) {
  std::string src =
      "package p\n\nimport \"testing\"\n\n"
      "func TestA(t *testing.T) {\n"
      "\tt.Run(\"sub\", func(t *testing.T) {\n\t\tt.Log(1)\n\t})\n"
      "\tf := func(t *testing.T) {}\n"  // not given to Run: a helper
      "\t_ = f\n"
      "\tdo(func(t *testing.T) {})\n"
      "}\n"
      "func do(f func(*testing.T)) {}\n";
  RewrittenTestFile r = RewriteTestFile("p_test.go", src);
  EXPECT_EQ(r.checked, (std::vector<std::string>{"TestA", "func@6"}));
  EXPECT_NE(r.text.find("t.Run(\"sub\", func(t *testing.T) { leakhound_check(t);\n"),
            std::string::npos);
  ExpectSameLines(src, r.text);
}

TEST(GotestOverlay, NoticesTestMainAndParseErrors) {
  std::string main = "package p\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\n"
                     "func TestMain(m *testing.M) { os.Exit(m.Run()) }\n";
  RewrittenTestFile r = RewriteTestFile("m_test.go", main);
  EXPECT_TRUE(r.has_test_main);
  EXPECT_TRUE(r.checked.empty());  // TestMain takes *testing.M

  std::string broken = "package p\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {\n";
  RewrittenTestFile b = RewriteTestFile("b_test.go", broken);
  EXPECT_TRUE(b.parse_error);
  EXPECT_EQ(b.text, broken);
}

TEST(GotestOverlay, HostKeepsLinesAndAppendsTheCheck) {
  std::string src = "// doc\npackage p // trailing\n\nimport \"testing\"\n\n"
                    "func TestA(t *testing.T) {\n}\n";
  RewrittenTestFile r = RewriteTestFile("p_test.go", src);
  HostCheck(&r, "example.com/p", "i", /*with_test_main=*/true);
  std::vector<std::string> lines = Lines(r.text);
  EXPECT_TRUE(lines[1].starts_with("package p; import (leakhound_os \"os\";")) << lines[1];
  EXPECT_TRUE(lines[1].ends_with(") // trailing")) << lines[1];
  EXPECT_EQ(lines[5], "func TestA(t *testing.T) { leakhound_check(t);");
  EXPECT_NE(r.text.find("func leakhound_check(t *leakhound_testing.T)"), std::string::npos);
  EXPECT_NE(r.text.find("func TestMain(m *leakhound_testing.M)"), std::string::npos);
  EXPECT_NE(r.text.find("const leakhound_package = \"example.com/p\""), std::string::npos);
  // No placeholder left behind.
  EXPECT_EQ(r.text.find('@'), std::string::npos);

  RewrittenTestFile again = RewriteTestFile("p_test.go", src);
  HostCheck(&again, "example.com/p", "x", /*with_test_main=*/false);
  EXPECT_EQ(again.text.find("func TestMain"), std::string::npos);
  // The generated code parses.
  EXPECT_FALSE(RewriteTestFile("host_test.go", r.text).parse_error);
}

TEST(GotestOverlay, BuildFlagsReachGoList) {
  EXPECT_EQ(BuildFlagsOf({"-run", "TestX", "-tags", "a,b", "-count=1", "--mod=vendor"}),
            (std::vector<std::string>{"-tags", "a,b", "-mod=vendor"}));
}

TEST(GotestOverlay, ReadsGoTestOutcome) {
  GoTestOutcome b = ReadGoTestOutput("FAIL\texample.com/x [build failed]\nFAIL\n", 1);
  EXPECT_TRUE(b.build_failed);
  EXPECT_FALSE(b.tests_failed);
  GoTestOutcome t = ReadGoTestOutput("--- FAIL: TestA (0.00s)\nFAIL\nFAIL\texample.com/y\t0.1s\n", 1);
  EXPECT_FALSE(t.build_failed);
  EXPECT_TRUE(t.tests_failed);
  EXPECT_EQ(t.failed_packages, (std::vector<std::string>{"example.com/y"}));
  GoTestOutcome jb = ReadGoTestOutput(
      "{\"ImportPath\":\"x [x.test]\",\"Action\":\"build-fail\"}\n"
      "{\"Action\":\"fail\",\"Package\":\"x\"}\n", 1);
  EXPECT_TRUE(jb.build_failed);
  GoTestOutcome jt = ReadGoTestOutput("{\"Action\":\"fail\",\"Package\":\"x\",\"Test\":\"TestA\"}\n", 1);
  EXPECT_FALSE(jt.build_failed);
  EXPECT_TRUE(jt.tests_failed);
  GoTestOutcome ok = ReadGoTestOutput("ok  \texample.com/z\t0.1s\n", 0);
  EXPECT_FALSE(ok.build_failed || ok.tests_failed);
}

TEST(GotestOverlay, RecordBecomesLeakOfItsTest) {
  std::string record = std::string(kRecordTestHeader) + "TestSend\n" + kRecordPackageHeader +
                       "example.com/p\n\n"
                       "goroutine 21 [chan send]:\n"
                       "example.com/p.Send.func1()\n"
                       "\t/src/p/p.go:12 +0x28\n"
                       "created by example.com/p.Send in goroutine 20\n"
                       "\t/src/p/p.go:11 +0x6a\n\n"
                       "goroutine 22 [sleep]:\n"
                       "time.Sleep(0x3b9aca00)\n"
                       "\t/usr/local/go/src/runtime/time.go:300 +0xf2\n"
                       "example.com/p.Nap()\n"
                       "\t/src/p/p.go:30 +0x1a\n"
                       "created by example.com/p.TestSend in goroutine 20\n"
                       "\t/src/p/p_test.go:9 +0x25\n\n";
  std::vector<std::string> warnings;
  LeakReadOptions o;
  o.settle = "250ms";
  std::vector<TestLeak> leaks = LeaksOfRecord(record, "r.txt", o, &warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(leaks.size(), 2u);
  auto send = std::find_if(leaks.begin(), leaks.end(), [](const TestLeak& l) { return l.state == "chan send"; });
  ASSERT_NE(send, leaks.end());
  EXPECT_EQ(send->test, "TestSend");
  EXPECT_EQ(send->package, "example.com/p");
  EXPECT_EQ(send->pattern, "chan-send-blocked");
  EXPECT_EQ(send->file, "/src/p/p.go");
  EXPECT_EQ(send->line, 12u);
  EXPECT_TRUE(send->has_creator);
  EXPECT_EQ(send->creator_line, 11u);
  EXPECT_GE(send->confidence, 0.9);
  EXPECT_NE(send->reasons.back().text.find("250ms settle time after TestSend"), std::string::npos);
  // A sleeper matches no pattern, and outlived its test all the same.
  auto nap = std::find_if(leaks.begin(), leaks.end(), [](const TestLeak& l) { return l.state == "sleep"; });
  ASSERT_NE(nap, leaks.end());
  EXPECT_EQ(nap->pattern, kOutlivedPattern);
  EXPECT_EQ(nap->line, 30u);

  EXPECT_TRUE(LeaksOfRecord("goroutine 1 [running]:\n", "bad.txt", o, &warnings).empty());
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(GotestOverlay, JUnitEscapes) {
  EXPECT_EQ(XmlEscape("a<b & \"c\"\x01"), "a&lt;b &amp; &quot;c&quot;");
  std::ostringstream out;
  WriteJUnit("s", {{"pkg", "TestA", {}}, {"pkg", "TestB", {{"m", "t", "x"}}}}, out);
  EXPECT_NE(out.str().find("<testsuites tests=\"2\" failures=\"1\">"), std::string::npos);
  EXPECT_NE(out.str().find("<testcase classname=\"pkg\" name=\"TestA\"/>"), std::string::npos);
  EXPECT_NE(out.str().find("<failure message=\"m\" type=\"t\">x</failure>"), std::string::npos);
}

TEST(GotestOverlay, SarifResultPerLeakWithItsTestAndSeverity) {
  TestLeak a;
  a.test = "TestSend";
  a.package = "example.com/p";
  a.pattern = "chan-send-blocked";
  a.title = "t";
  a.state = "chan send";
  a.file = "/src/p/p.go";
  a.line = 12;
  a.column = 2;
  a.count = 1;
  a.has_creator = true;
  a.creator_file = "/src/p/p.go";
  a.creator_line = 11;
  TestLeak b = a;
  b.test = "TestIdle";
  b.pattern = kOutlivedPattern;
  b.line = 30;
  b.severity = Severity::kInfo;
  TestRunSummary run;
  run.cwd = "/src";
  std::ostringstream out;
  WriteTestLeaksSarif({a, b}, run, out);
  nlohmann::json log = nlohmann::json::parse(out.str());
  EXPECT_EQ(log["version"], "2.1.0");
  const auto& res = log["runs"][0]["results"];
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0]["ruleId"], "chan-send-blocked");
  EXPECT_EQ(res[0]["level"], "error");
  EXPECT_EQ(res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "p/p.go");
  EXPECT_EQ(res[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 12);
  EXPECT_EQ(res[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 11);
  EXPECT_EQ(res[0]["message"]["text"].get<std::string>().rfind("TestSend leaked 1 goroutine", 0), 0u);
  EXPECT_EQ(res[1]["ruleId"], "outlived-test");
  EXPECT_EQ(res[1]["level"], "note");
  EXPECT_EQ(res[1]["properties"]["test"], "TestIdle");
  // Rules come from the catalogue, outlived-test among them.
  std::vector<std::string> rules;
  for (const auto& r : log["runs"][0]["tool"]["driver"]["rules"]) rules.push_back(r["id"]);
  EXPECT_EQ(rules, (std::vector<std::string>{"chan-send-blocked", "outlived-test"}));
  // Their fingerprints differ: the test is part of it.
  EXPECT_NE(res[0]["partialFingerprints"], res[1]["partialFingerprints"]);
}

}  // namespace
}  // namespace leakhound
