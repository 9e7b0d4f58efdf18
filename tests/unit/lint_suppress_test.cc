// Suppression comments: //leakhound:ignore and golangci-lint's //nolint,
// each silencing exactly the findings it covers and counting them.
#include <gtest/gtest.h>

#include "lint/linter.h"

namespace leakhound {
namespace {

// What LintSource kept and how many findings it silenced.
struct Linted {
  std::vector<LintFinding> kept;
  size_t suppressed = 0;
};

Linted LintWith(const std::string& body) {
  Linted r;
  r.kept = LintSource("x.go", "package p\n\n" + body, &r.suppressed);
  return r;
}

const char kTwo[] =
    "func idle() {\n"            // 3
    "\tgo func() {\n"            // 4
    "\t\tselect {}%s\n"          // 5
    "\t}()\n"                    // 6
    "\tgo func() {\n"            // 7
    "\t\tselect {}\n"            // 8
    "\t}()\n"                    // 9
    "}\n";

std::string Two(const std::string& trailing) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kTwo, trailing.c_str());
  return buf;
}

TEST(LintSuppress, TrailingNolintSilencesItsLineOnly) {
  for (const char* c : {" //nolint", " //nolint:leakhound", " //nolint:errcheck,leakhound",
                        " //nolint:all", " //nolint:LeakHound", " //nolint:leakhound // parked on purpose",
                        " //nolint // parked on purpose", " //leakhound:ignore select-forever why"}) {
    SCOPED_TRACE(c);
    Linted r = LintWith(Two(c));
    ASSERT_EQ(r.kept.size(), 1u);
    EXPECT_EQ(r.kept[0].line, 8u);
    EXPECT_EQ(r.suppressed, 1u);
  }
}

TEST(LintSuppress, NolintForOtherLintersSilencesNothing) {
  for (const char* c : {"", " //nolint:errcheck", " //nolint:errcheck,govet // why", " //nolintfoo",
                        " // nolint:leakhound", " //nolint:leakhoundx", " //nolint:leakhound/select-forever",
                        " //leakhound:ignore other-id"}) {
    SCOPED_TRACE(c);
    Linted r = LintWith(Two(c));
    EXPECT_EQ(r.kept.size(), 2u);
    EXPECT_EQ(r.suppressed, 0u);
  }
}

TEST(LintSuppress, NolintAloneOnItsLineCoversTheNextStatement) {
  // Above the first go statement: that whole statement (lines 4-6), not the second.
  Linted r = LintWith(
      "func idle() {\n\t//nolint:leakhound // a daemon\n\tgo func() {\n\t\tselect {}\n\t}()\n"
      "\tgo func() {\n\t\tselect {}\n\t}()\n}\n");
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.kept[0].line, 9u);
  EXPECT_EQ(r.suppressed, 1u);
  // Above the function, in its doc comment: the whole function.
  r = LintWith("// idle parks two daemons.\n//nolint:leakhound\n// More words.\n" + Two(""));
  EXPECT_TRUE(r.kept.empty());
  EXPECT_EQ(r.suppressed, 2u);
  // Separated from the function by a blank line: only the next line.
  r = LintWith("//nolint:leakhound\n\n" + Two(""));
  EXPECT_EQ(r.kept.size(), 2u);
  // //leakhound:ignore keeps its own rule: its line and the next one only.
  r = LintWith("//leakhound:ignore all\n" + Two(""));
  EXPECT_EQ(r.kept.size(), 2u);
}

TEST(LintSuppress, CommentTextInStringsIsNotADirective) {
  Linted r = LintWith(
      "var s = \"//nolint\"\n\nfunc idle() {\n\tgo func() {\n\t\tselect {}\n\t}()\n}\n");
  EXPECT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.suppressed, 0u);
}

}  // namespace
}  // namespace leakhound
