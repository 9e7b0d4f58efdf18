// leakhound lint through the binary on our Go programs: the leaky one is
// reported at its marked lines, the healthy ones are clean.
#include <gtest/gtest.h>

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

TEST(LintE2e, MissingPathIsAnInputError) {
  e2e::RunResult r = e2e::Leakhound({"lint", "/no/such/dir/..."});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("/no/such/dir"), std::string::npos);
}

}  // namespace
