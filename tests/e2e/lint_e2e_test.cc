// leakhound lint through the binary on our Go programs: the leaky one is
// reported at its marked lines, the healthy ones are clean.
#include <gtest/gtest.h>

#include <set>

#include "run_util.h"

namespace {

using nlohmann::json;

TEST(LintE2e, LeakyProgramReportedAtItsMarkers) {
  std::string dir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/leaky";
  auto markers = e2e::Markers(dir + "/main.go", "LEAK");
  e2e::RunResult r = e2e::Leakhound({"lint", "--format", "json", dir});
  EXPECT_EQ(r.status, 1) << r.err;
  json j = json::parse(r.out);
  std::map<std::string, int> at;  // pattern -> line
  for (const json& f : j["findings"]) at[f["pattern"]] = f["line"];
  EXPECT_EQ(at["select-forever"], markers["select-no-cases"]);
  EXPECT_EQ(at["http-no-timeout"], markers["http-no-timeout"]);
  EXPECT_TRUE(at.count("mutex-held"));  // the Lock that leakAll never releases
  e2e::RunResult text = e2e::Leakhound({"lint", dir + "/..."});
  EXPECT_NE(text.out.find("main.go:" + std::to_string(markers["http-no-timeout"]) + ":"), std::string::npos);
}

TEST(LintE2e, HealthyProgramsAreClean) {
  std::string base = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/";
  e2e::RunResult r = e2e::Leakhound({"lint", base + "benign", base + "growing"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(LintE2e, NewRulesFindTheLeakyProgramsShapes) {
  std::string dir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/leaky";
  auto markers = e2e::Markers(dir + "/main.go", "LEAK");
  json j = json::parse(e2e::Leakhound({"lint", "--format", "json", dir}).out);
  std::map<std::string, json> by_rule;
  for (const json& f : j["findings"]) by_rule[f["rule"]] = f;
  EXPECT_EQ(by_rule["unreceived-send"]["line"], markers["chan-send-blocked"]);
  EXPECT_EQ(by_rule["unreceived-send"]["function"], "firstResult");
  EXPECT_EQ(by_rule["nil-chan-field"]["pattern"], "nil-chan");
  EXPECT_EQ(by_rule["waitgroup-mismatch"]["pattern"], "waitgroup-wait");
}

// SARIF 2.1.0 as code scanning reads it: the keys it requires, with the
// right types (checked here by hand: no network, so no schema download).
TEST(LintE2e, SarifHasWhatCodeScanningRequires) {
  e2e::RunOptions o;
  o.cwd = LEAKHOUND_SOURCE_DIR;
  e2e::RunResult r = e2e::Leakhound({"lint", "--format", "sarif", "testdata/go/leaky"}, o);
  EXPECT_EQ(r.status, 1) << r.err;
  json log = json::parse(r.out);
  EXPECT_TRUE(log["$schema"].is_string());
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_TRUE(log["runs"].is_array());
  ASSERT_EQ(log["runs"].size(), 1u);
  const json& run = log["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "leakhound");
  // No informationUri: the project has no public home yet, and a made-up
  // address would send people somewhere wrong (the property is optional).
  EXPECT_FALSE(driver.contains("informationUri"));
  EXPECT_TRUE(driver["version"].is_string());
  ASSERT_TRUE(driver["rules"].is_array());
  std::set<std::string> rule_ids;
  for (const json& rule : driver["rules"]) {
    EXPECT_TRUE(rule["id"].is_string());
    EXPECT_TRUE(rule["name"].is_string());
    EXPECT_TRUE(rule["shortDescription"]["text"].is_string());
    EXPECT_TRUE(rule["fullDescription"]["text"].is_string());
    EXPECT_TRUE(rule["help"]["text"].is_string());
    EXPECT_NE(rule["help"]["markdown"].get<std::string>().find("**Fix:**"), std::string::npos);
    EXPECT_TRUE(rule["defaultConfiguration"]["level"].is_string());
    EXPECT_TRUE(rule_ids.insert(rule["id"]).second) << "one rule per pattern";
  }
  ASSERT_TRUE(run["results"].is_array());
  json plain = json::parse(e2e::Leakhound({"lint", "--format", "json", "testdata/go/leaky"}, o).out);
  EXPECT_EQ(run["results"].size(), plain["findings"].size());
  std::set<std::string> fingerprints;
  for (const json& res : run["results"]) {
    ASSERT_TRUE(res["ruleId"].is_string());
    ASSERT_TRUE(res["ruleIndex"].is_number_unsigned());
    EXPECT_EQ(driver["rules"][res["ruleIndex"].get<size_t>()]["id"], res["ruleId"]);
    EXPECT_TRUE(res["level"] == "warning" || res["level"] == "error" || res["level"] == "note");
    EXPECT_TRUE(res["message"]["text"].is_string());
    const json& loc = res["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "testdata/go/leaky/main.go");
    EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    EXPECT_GE(loc["region"]["startLine"].get<int>(), 1);
    EXPECT_GE(loc["region"]["startColumn"].get<int>(), 1);
    if (res.contains("relatedLocations"))
      for (const json& rel : res["relatedLocations"]) {
        EXPECT_TRUE(rel["id"].is_number_integer());
        EXPECT_GE(rel["physicalLocation"]["region"]["startLine"].get<int>(), 1);
        EXPECT_TRUE(rel["message"]["text"].is_string());
      }
    ASSERT_TRUE(res["partialFingerprints"].is_object());
    for (const auto& [key, value] : res["partialFingerprints"].items()) {
      EXPECT_TRUE(value.is_string()) << key;
      EXPECT_TRUE(fingerprints.insert(value).second) << "fingerprints tell findings apart";
    }
  }
  // The same run again: the same fingerprints.
  json again = json::parse(e2e::Leakhound({"lint", "--format", "sarif", "testdata/go/leaky"}, o).out);
  EXPECT_EQ(again["runs"][0]["results"], run["results"]);
}

// analyze --source: the runtime findings of the leaky program meet the
// lint findings of its source and gain a reason.
class LintLink : public testing::TestWithParam<std::string> {};

TEST_P(LintLink, AnalyzeLinksRuntimeFindingsToLint) {
  std::string dir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/leaky";
  e2e::RunResult dump = e2e::Run({e2e::BuildGo("leaky", GetParam()), "-mode", "debug2"});
  ASSERT_EQ(dump.status, 0) << dump.err;
  std::string path = e2e::WorkDir() + "/leaky-lint-link.txt";
  e2e::WriteFile(path, dump.out);
  auto markers = e2e::Markers(dir + "/main.go", "LEAK");
  json with = e2e::AnalyzeJson({path, "--source", dir});
  json without = e2e::AnalyzeJson({path, "--no-source"});
  auto at = [](const json& report, int line) {
    for (const json& f : report["findings"])
      if (!f["blocking_frame"].is_null() && f["blocking_frame"]["line"] == line) return f;
    return json();
  };
  for (const char* tag : {"nil-chan-send", "nil-chan-recv", "select-no-cases", "mutex-held",
                          "chan-send-blocked", "waitgroup-wait", "http-no-timeout"}) {
    SCOPED_TRACE(tag);
    json f = at(with, markers[tag]);
    ASSERT_FALSE(f.is_null());
    ASSERT_TRUE(f["lint"].is_array());
    ASSERT_FALSE(f["lint"].empty()) << f.dump(1);
    EXPECT_EQ(e2e::Basename(f["lint"][0]["file"]), "main.go");
    EXPECT_TRUE(f["lint"][0]["rule"].is_string());
    EXPECT_TRUE(f["lint"][0]["message"].is_string());
    bool reason = false;
    for (const json& r : f["reasons"])
      reason = reason || r["text"].get<std::string>().starts_with("lint finding ");
    EXPECT_TRUE(reason);
    json plain = at(without, markers[tag]);
    ASSERT_FALSE(plain.is_null());
    EXPECT_TRUE(plain["lint"].empty());
    EXPECT_GT(f["confidence"].get<double>(), plain["confidence"].get<double>());
  }
  // The lock is taken in leakAll, which starts the blocked goroutines.
  EXPECT_EQ(at(with, markers["mutex-held"])["lint"][0]["match"], "creator");
  EXPECT_EQ(at(with, markers["select-no-cases"])["lint"][0]["match"], "line");
  // The text report shows the link too.
  e2e::RunResult text = e2e::Leakhound({"analyze", path, "--source", dir, "--no-config"});
  EXPECT_NE(text.out.find("lint: "), std::string::npos);
  EXPECT_NE(text.out.find("+ lint finding select-empty at main.go:" +
                          std::to_string(markers["select-no-cases"]) + " agrees"),
            std::string::npos) << text.out;
}

TEST(LintE2e, MissingPathIsAnInputError) {
  e2e::RunResult r = e2e::Leakhound({"lint", "/no/such/dir/..."});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("/no/such/dir"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Go, LintLink, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace

// A directory with packages only below it lints nothing without "/...":
// that is an error with a hint, not a clean run.
TEST(LintE2e, DirectoryWithoutDotsThatHoldsNoGoFilesSaysHowToRecurse) {
  std::string dir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go";
  e2e::RunResult r = e2e::Leakhound({"lint", dir});
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.err.find(dir + "/..."), std::string::npos) << r.err;
  e2e::RunResult all = e2e::Leakhound({"lint", dir + "/..."});
  EXPECT_EQ(all.status, 1) << all.err;  // the leaky programs have findings
}

// GitLab Code Quality: one issue per finding of the JSON output, at the
// same lines, paths relative to the working directory, fingerprints
// unique and the same on a second run.
TEST(LintE2e, CodeClimateIsOneIssuePerFindingWithStableUniqueFingerprints) {
  e2e::RunOptions o;
  o.cwd = LEAKHOUND_SOURCE_DIR;
  e2e::RunResult r = e2e::Leakhound({"lint", "--format", "codeclimate", "./testdata/go/leaky"}, o);
  EXPECT_EQ(r.status, 1) << r.err;
  json issues = json::parse(r.out);
  ASSERT_TRUE(issues.is_array());
  json plain = json::parse(e2e::Leakhound({"lint", "--format", "json", "testdata/go/leaky"}, o).out);
  ASSERT_EQ(issues.size(), plain["findings"].size());
  ASSERT_FALSE(issues.empty());
  std::set<std::string> fingerprints;
  for (size_t i = 0; i < issues.size(); ++i) {
    const json& is = issues[i];
    const json& f = plain["findings"][i];
    EXPECT_EQ(is["check_name"], "leakhound/" + f["pattern"].get<std::string>());
    EXPECT_EQ(is["description"], f["message"].get<std::string>() + " (" + f["rule"].get<std::string>() + ")");
    EXPECT_EQ(is["severity"], "major");
    EXPECT_EQ(is["location"]["path"], "testdata/go/leaky/main.go");
    EXPECT_EQ(is["location"]["lines"]["begin"], f["line"]);
    EXPECT_TRUE(fingerprints.insert(is["fingerprint"].get<std::string>()).second);
  }
  EXPECT_EQ(json::parse(e2e::Leakhound({"lint", "--format", "codeclimate", "testdata/go/leaky"}, o).out),
            issues);
  // Nothing found: an empty array, exit 0.
  e2e::RunResult clean = e2e::Leakhound({"lint", "--format", "codeclimate", "testdata/go/benign"}, o);
  EXPECT_EQ(clean.status, 0) << clean.err;
  EXPECT_EQ(json::parse(clean.out), json::array());
}

// //nolint as golangci-lint users write it: for leakhound (alone, in a
// list, with a reason, above the statement) it silences and counts;
// for another linter it does not.
TEST(LintE2e, NolintCommentsSilenceOnlyWhatTheyName) {
  std::string dir = e2e::WorkDir() + "/lint-nolint";
  e2e::Run({"mkdir", "-p", dir});
  e2e::WriteFile(dir + "/daemons.go",
                 "package p\n\n"
                 "func daemons() {\n"
                 "\tgo func() {\n\t\tselect {} //nolint:leakhound // parked until exit\n\t}()\n"  // 5
                 "\tgo func() {\n\t\tselect {} //nolint:errcheck,leakhound\n\t}()\n"               // 8
                 "\t//nolint\n\tgo func() {\n\t\tselect {}\n\t}()\n"                               // 12
                 "\tgo func() {\n\t\tselect {} //nolint:errcheck\n\t}()\n"                         // 15
                 "\tgo func() {\n\t\tselect {} // nolint:leakhound (a space: not a directive)\n\t}()\n"  // 18
                 "}\n");
  e2e::RunResult r = e2e::Leakhound({"lint", "--format", "json", dir});
  EXPECT_EQ(r.status, 1) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["suppressed"], 3);
  std::vector<int> lines;
  for (const json& f : j["findings"]) lines.push_back(f["line"]);
  EXPECT_EQ(lines, (std::vector<int>{15, 18}));
}
