// SARIF output of lint findings, and the pieces of the runtime-lint link.
#include <gtest/gtest.h>

#include "analyze/lint_link.h"
#include "lint/linter.h"
#include "report/sarif_report.h"

namespace leakhound {
namespace {

const char kSrc[] =
    "package p\n\nfunc idle() {\n\tgo func() {\n\t\tselect {}\n\t}()\n}\n";

TEST(LintSarif, FingerprintSurvivesMovedLinesNotOtherCode) {
  auto a = LintSource("/r/x.go", kSrc);
  auto b = LintSource("/r/x.go", std::string("package p\n\n// moved down\n\n") + (kSrc + 11));
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0].line, b[0].line);
  EXPECT_EQ(a[0].function, "idle");
  EXPECT_EQ(a[0].snippet, "select {}");
  EXPECT_EQ(LintFingerprint(a[0], "x.go"), LintFingerprint(b[0], "x.go"));
  LintFinding other = a[0];
  other.function = "busy";
  EXPECT_NE(LintFingerprint(a[0], "x.go"), LintFingerprint(other, "x.go"));
  EXPECT_NE(LintFingerprint(a[0], "x.go"), LintFingerprint(a[0], "y.go"));
}

TEST(LintSarif, LogShape) {
  auto found = LintSource("/r/sub dir/x.go", kSrc);
  auto log = SarifLog(found, "/r");
  EXPECT_EQ(log["version"], "2.1.0");
  const auto& run = log["runs"][0];
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), 1u);
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["id"], "select-forever");
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["name"], "SelectForever");
  const auto& res = run["results"][0];
  EXPECT_EQ(res["ruleIndex"], 0);
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "sub%20dir/x.go");
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///r/");
  // Outside the root: left as it is.
  auto outside = SarifLog(found, "/elsewhere");
  EXPECT_EQ(outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "/r/sub%20dir/x.go");
  EXPECT_TRUE(SarifLog({}, "/r")["runs"][0]["results"].empty());
}

TEST(LintLink, RuntimeNamesAsLintNamesThem) {
  EXPECT_EQ(DeclarationOf("main.leakAll"), "leakAll");
  EXPECT_EQ(DeclarationOf("main.(*account).deposit"), "(*account).deposit");
  EXPECT_EQ(DeclarationOf("main.firstResult.func1"), "firstResult");
  EXPECT_EQ(DeclarationOf("example.com/a/b.(*T).Run.func2.1"), "(*T).Run");
  EXPECT_EQ(DeclarationOf("net/http.(*conn).serve"), "(*conn).serve");
  EXPECT_EQ(DeclarationOf("main.loop-range1"), "loop");
  EXPECT_TRUE(PathMatches("/build/app/cmd/main.go", "cmd/main.go"));
  EXPECT_TRUE(PathMatches("main.go", "main.go"));
  EXPECT_FALSE(PathMatches("/build/app/xmain.go", "main.go"));
  EXPECT_FALSE(PathMatches("/build/app/main.go", ""));
}

}  // namespace
}  // namespace leakhound
