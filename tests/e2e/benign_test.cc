// False alarms: testdata/go/benign is a healthy service whose goroutines
// all wait by design (worker pool, keep-alive connections, ticker with a
// cancellable context, periodic sleeper, signalled sync.Cond). No finding
// may reach "suspect", let alone "leak", in any dump form of it.
#include <gtest/gtest.h>

#include "run_util.h"

namespace {

using nlohmann::json;

json AnalyzeBenign(const std::string& mode, const std::string& go) {
  e2e::RunResult r = e2e::Run({e2e::BuildGo("benign", go), "-mode", mode});
  EXPECT_EQ(r.status, 0) << r.err;
  std::string path = e2e::WorkDir() + "/benign-" + mode + "-go" + go + ".txt";
  e2e::WriteFile(path, r.out);
  return e2e::AnalyzeJson({path});
}

void ExpectQuiet(const json& report) {
  auto markers = e2e::Markers(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/benign/main.go", "BENIGN");
  ASSERT_GE(markers.size(), 4u);
  int marked_seen = 0;
  for (const json& f : report["findings"]) {
    EXPECT_EQ(f["severity"], "info") << f["pattern"] << " at " << f["blocking_frame"].dump();
    if (!f["blocking_frame"].is_null() && e2e::Basename(f["blocking_frame"]["file"]) == "main.go")
      for (const auto& [tag, line] : markers)
        if (f["blocking_frame"]["line"] == line) ++marked_seen;
  }
  // The healthy goroutines were seen (and judged), not missed.
  EXPECT_GE(marked_seen, 3);
  EXPECT_GT(report["snapshot"]["total_goroutines"].get<int>(), 8);
}

class Benign : public testing::TestWithParam<std::string> {};

TEST_P(Benign, Debug2HasNoLeakOrSuspect) { ExpectQuiet(AnalyzeBenign("debug2", GetParam())); }
TEST_P(Benign, RuntimeStackHasNoLeakOrSuspect) { ExpectQuiet(AnalyzeBenign("stack", GetParam())); }

TEST_P(Benign, FailOnSuspectPasses) {
  e2e::RunResult r = e2e::Run({e2e::BuildGo("benign", GetParam()), "-mode", "debug2"});
  std::string path = e2e::WorkDir() + "/benign-gate-go" + GetParam() + ".txt";
  e2e::WriteFile(path, r.out);
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", "--fail-on", "suspect", path}).status, 0);
}

INSTANTIATE_TEST_SUITE_P(Go, Benign, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
