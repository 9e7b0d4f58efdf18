// End to end on real Go output: testdata/go/httpdeadline parks HTTP
// client calls on a server that never answers, under each Go toolchain.
// The calls made without a timeout are http-no-timeout; the calls whose
// client has a Timeout carry a deadline that net/http.send's arguments
// show, so they are neither that pattern nor raised at all.
#include <gtest/gtest.h>

#include "finding_at.h"
#include "run_util.h"

namespace {

using nlohmann::json;

const std::string kDir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/httpdeadline";

class HttpDeadline : public testing::TestWithParam<std::string> {};

bool HasReason(const json& f, const std::string& text) {
  for (const json& r : f["reasons"])
    if (r["text"].get<std::string>().find(text) != std::string::npos) return true;
  return false;
}

TEST_P(HttpDeadline, ACallWithADeadlineIsNotAnHttpLeak) {
  e2e::RunResult run = e2e::Run({e2e::BuildGo("httpdeadline", GetParam())});
  ASSERT_EQ(run.status, 0) << run.err;
  std::string dump = e2e::WorkDir() + "/httpdeadline-go" + GetParam() + ".txt";
  e2e::WriteFile(dump, run.out);
  json r = e2e::AnalyzeJson({dump});
  auto leak = e2e::Markers(kDir + "/main.go", "LEAK");
  auto live = e2e::Markers(kDir + "/main.go", "LIVE");
  ASSERT_EQ(leak.size(), 1u);
  ASSERT_EQ(live.size(), 2u);

  json f = e2e::FindingAt(r, "main.go", leak["http-no-timeout"]);
  ASSERT_FALSE(f.is_null()) << r.dump();
  EXPECT_EQ(f["pattern"], "http-no-timeout");
  EXPECT_EQ(f["severity"], "suspect");
  EXPECT_EQ(f["count"], 3);
  EXPECT_FALSE(HasReason(f, "with a deadline")) << f.dump();

  for (const auto& [tag, line] : live) {
    json g = e2e::FindingAt(r, "main.go", line);
    ASSERT_FALSE(g.is_null()) << tag << "\n" << r.dump();
    EXPECT_NE(g["pattern"], "http-no-timeout") << tag;
    EXPECT_EQ(g["severity"], "info") << tag << g.dump();
    EXPECT_TRUE(HasReason(g, "HTTP client call with a deadline")) << tag << g.dump();
  }
  // Only the call without a timeout is raised.
  int raised = 0;
  for (const json& x : r["findings"]) raised += x["severity"] != "info";
  EXPECT_EQ(raised, 1) << r.dump();
}

INSTANTIATE_TEST_SUITE_P(Go, HttpDeadline, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
