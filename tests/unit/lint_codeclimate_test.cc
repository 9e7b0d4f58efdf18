// GitLab Code Quality output of lint findings.
#include <gtest/gtest.h>

#include <set>

#include "lint/linter.h"
#include "report/codeclimate_report.h"
#include "report/sarif_report.h"

namespace leakhound {
namespace {

const char kSrc[] =
    "package p\n\nfunc idle() {\n\tgo func() {\n\t\tselect {}\n\t}()\n}\n";

TEST(LintCodeClimate, IssueShape) {
  auto found = LintSource("/r/sub dir/x.go", kSrc);
  ASSERT_EQ(found.size(), 1u);
  auto issues = CodeClimateReport(found, "/r");
  ASSERT_TRUE(issues.is_array());
  ASSERT_EQ(issues.size(), 1u);
  const auto& i = issues[0];
  EXPECT_EQ(i["type"], "issue");
  EXPECT_EQ(i["check_name"], "leakhound/select-forever");
  EXPECT_NE(i["description"].get<std::string>().find("(select-empty)"), std::string::npos);
  EXPECT_EQ(i["severity"], "major");
  EXPECT_EQ(i["location"]["path"], "sub dir/x.go");  // a path, not a URI
  EXPECT_EQ(i["location"]["lines"]["begin"], 5);
  EXPECT_EQ(i["fingerprint"], LintFingerprint(found[0], "sub dir/x.go"));
  EXPECT_EQ(CodeClimateReport(found, "/elsewhere")[0]["location"]["path"], "/r/sub dir/x.go");
  EXPECT_EQ(CodeClimateReport(LintSource("./x.go", kSrc), "/r")[0]["location"]["path"], "x.go");
  EXPECT_TRUE(CodeClimateReport({}, "/r").empty());
}

TEST(LintCodeClimate, FingerprintSurvivesMovesAndIsUniqueInTheReport) {
  auto a = CodeClimateReport(LintSource("/r/x.go", kSrc), "/r");
  auto moved = CodeClimateReport(
      LintSource("/r/x.go", std::string("package p\n\n// moved\n\n") + (kSrc + 11)), "/r");
  EXPECT_NE(a[0]["location"]["lines"]["begin"], moved[0]["location"]["lines"]["begin"]);
  EXPECT_EQ(a[0]["fingerprint"], moved[0]["fingerprint"]);
  // The same line text twice in one function: two issues, two fingerprints,
  // the same again on a second run.
  const char twice[] =
      "package p\n\nfunc idle() {\n\tgo func() {\n\t\tselect {}\n\t}()\n\tgo func() {\n\t\tselect {}\n\t}()\n}\n";
  auto found = LintSource("/r/x.go", twice);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(LintFingerprint(found[0], "x.go"), LintFingerprint(found[1], "x.go"));
  auto issues = CodeClimateReport(found, "/r");
  std::set<std::string> fps;
  for (const auto& i : issues) fps.insert(i["fingerprint"].get<std::string>());
  EXPECT_EQ(fps.size(), 2u);
  EXPECT_EQ(CodeClimateReport(found, "/r"), issues);
}

}  // namespace
}  // namespace leakhound
