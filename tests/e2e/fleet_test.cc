// testdata/go/fleet (the many-ports service of bench/watch_load.sh) under
// each toolchain: its one slow leak is found from a short live series of
// one of its ports, at the marked line, and the pool beside it is not.
#include <gtest/gtest.h>

#include "run_util.h"

namespace {

using nlohmann::json;

class Fleet : public testing::TestWithParam<std::string> {};

TEST_P(Fleet, SlowLeakFoundFromALiveSeries) {
  std::string src = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/fleet/main.go";
  int line = e2e::Markers(src, "LEAK")["fleet-growing"];
  ASSERT_GT(line, 0);
  e2e::Service svc({e2e::BuildGo("fleet", GetParam()), "-n", "2", "-leak-every", "50ms"}, "http://");
  std::string url = "http://" + svc.ready_line();
  json r = e2e::AnalyzeJson({"--samples", "4", "--interval", "400ms", url});
  EXPECT_EQ(r["series"]["snapshots"], 4);
  json leak;
  for (const json& f : r["findings"]) {
    if (!f["blocking_frame"].is_null() && e2e::Basename(f["blocking_frame"]["file"]) == "main.go" &&
        f["blocking_frame"]["line"] == line)
      leak = f;
    else
      EXPECT_NE(f["severity"], "leak") << f.dump();
  }
  ASSERT_FALSE(leak.is_null()) << r["findings"].dump();
  EXPECT_EQ(leak["pattern"], "chan-send-blocked");
  EXPECT_EQ(leak["severity"], "leak");
  EXPECT_TRUE(leak["growth"]["growing"].get<bool>()) << leak["growth"];
}

INSTANTIATE_TEST_SUITE_P(Go, Fleet, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
