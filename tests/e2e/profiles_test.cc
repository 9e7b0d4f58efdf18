// Every form of the same process must tell the same story: goroutine
// profiles written by runtime/pprof with debug=0 (protobuf), 1 and 2, and
// fetched live from net/http/pprof, read as the same buckets and counts
// (within what each form carries).
#include <gtest/gtest.h>

#include "run_util.h"

namespace {

using nlohmann::json;

std::string LeakySource() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/leaky/main.go"; }

// Count per LEAK marker tag, found by the bucket's top frame line.
std::map<std::string, uint64_t> CountsByTag(const json& report) {
  std::map<std::string, uint64_t> out;
  for (const auto& [tag, line] : e2e::Markers(LeakySource(), "LEAK"))
    for (const json& b : report["buckets"])
      if (!b["top_frame"].is_null() && e2e::Basename(b["top_frame"]["file"]) == "main.go" &&
          b["top_frame"]["line"] == line)
        out[tag] += b["count"].get<uint64_t>();
  return out;
}

std::map<std::string, std::string> PatternByTag(const json& report) {
  std::map<std::string, std::string> out;
  for (const auto& [tag, line] : e2e::Markers(LeakySource(), "LEAK"))
    for (const json& f : report["findings"])
      if (!f["blocking_frame"].is_null() && f["blocking_frame"]["line"] == line &&
          e2e::Basename(f["blocking_frame"]["file"]) == "main.go")
        out[tag] = f["pattern"];
  return out;
}

// The three goroutine profile forms written by leaky built with Go `go`.
std::string ProfileDir(const std::string& go) {
  static std::map<std::string, std::string> dirs;
  auto it = dirs.find(go);
  if (it != dirs.end()) return it->second;
  std::string d = e2e::WorkDir() + "/profiles-go" + go;
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  e2e::RunResult r = e2e::Run({e2e::BuildGo("leaky", go), "-mode", "profiles", "-out", d});
  EXPECT_EQ(r.status, 0) << r.err;
  return dirs[go] = d;
}

class Profiles : public testing::TestWithParam<std::string> {};

TEST_P(Profiles, ThreeFormsSameCounts) {
  json d2 = e2e::AnalyzeJson({ProfileDir(GetParam()) + "/goroutine-debug2.txt"});
  json d1 = e2e::AnalyzeJson({ProfileDir(GetParam()) + "/goroutine-debug1.txt"});
  json d0 = e2e::AnalyzeJson({ProfileDir(GetParam()) + "/goroutine.pb.gz"});
  EXPECT_EQ(d2["inputs"][0]["form"], "traceback");
  EXPECT_EQ(d1["inputs"][0]["form"], "pprof-debug1");
  EXPECT_EQ(d0["inputs"][0]["form"], "pprof-proto");
  auto c2 = CountsByTag(d2);
  ASSERT_GE(c2.size(), 13u);
  EXPECT_EQ(CountsByTag(d1), c2);
  EXPECT_EQ(CountsByTag(d0), c2);
  EXPECT_EQ(d1["snapshot"]["total_goroutines"], d2["snapshot"]["total_goroutines"]);
  EXPECT_EQ(d0["snapshot"]["total_goroutines"], d2["snapshot"]["total_goroutines"]);
  // The aggregated forms say what they cannot tell.
  EXPECT_FALSE(d1["snapshot"]["notes"].empty());
  EXPECT_FALSE(d0["snapshot"]["notes"].empty());
  EXPECT_TRUE(d0["buckets"][0]["ids"].empty());
}

TEST_P(Profiles, ProtobufStatesInferredFromRuntimeFrames) {
  json d2 = e2e::AnalyzeJson({ProfileDir(GetParam()) + "/goroutine-debug2.txt"});
  json d0 = e2e::AnalyzeJson({ProfileDir(GetParam()) + "/goroutine.pb.gz"});
  auto p2 = PatternByTag(d2), p0 = PatternByTag(d0);
  // The protobuf keeps runtime frames, so these read the same; a nil
  // channel looks like any channel there (no wait reason says "nil").
  for (const char* tag : {"chan-send-blocked", "mutex-held", "waitgroup-wait", "cond-wait",
                          "select-no-cases", "http-no-timeout", "context-never-done"}) {
    SCOPED_TRACE(tag);
    ASSERT_TRUE(p0.count(tag));
    EXPECT_EQ(p0[tag], p2[tag]);
  }
}

TEST_P(Profiles, CorruptProtobufIsAClearError) {
  std::string data = e2e::ReadFile(ProfileDir(GetParam()) + "/goroutine.pb.gz");
  std::string cut = e2e::WorkDir() + "/cut.pb.gz";
  e2e::WriteFile(cut, data.substr(0, data.size() / 2));
  e2e::RunResult r = e2e::Leakhound({"analyze", cut});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("cut.pb.gz"), std::string::npos);
  // A gzip bomb: 1.1 GiB of zeros compresses to ~1 MB.
  std::string bomb = e2e::WorkDir() + "/bomb.pb.gz";
  std::string cmd = "head -c 1181116006 /dev/zero | gzip -1 > '" + bomb + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  e2e::RunResult b = e2e::Leakhound({"analyze", bomb});
  EXPECT_EQ(b.status, 3);
  EXPECT_NE(b.err.find("decompression bomb"), std::string::npos) << b.err;
}

TEST_P(Profiles, LiveEndpointInEveryForm) {
  e2e::Service svc({e2e::BuildGo("leaky", GetParam()), "-mode", "serve"}, "listening ");
  std::string url = svc.ready_line();
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  json d2 = e2e::AnalyzeJson({url});
  json d1 = e2e::AnalyzeJson({"--form", "1", url});
  json d0 = e2e::AnalyzeJson({"--form", "proto", url});
  auto c2 = CountsByTag(d2);
  ASSERT_GE(c2.size(), 13u);
  EXPECT_EQ(CountsByTag(d1), c2);
  EXPECT_EQ(CountsByTag(d0), c2);
  json full = e2e::AnalyzeJson({url + "/debug/pprof/goroutine?debug=2"});
  EXPECT_EQ(CountsByTag(full), c2);
  // A short series from the live service.
  json series = e2e::AnalyzeJson({"--samples", "3", "--interval", "100ms", url});
  EXPECT_EQ(series["series"]["snapshots"], 3);
  EXPECT_TRUE(series["series"]["times_known"].get<bool>());
  // diff of two fetches: no bucket grew (the pprof server may add a
  // connection goroutine of its own between the two).
  e2e::RunResult diff = e2e::Leakhound({"diff", "--format", "json", "--fail-on-growth", "3", url, url});
  EXPECT_EQ(diff.status, 0) << diff.out;
  EXPECT_EQ(json::parse(diff.out)["schema"], "leakhound/diff/v1");
}

TEST_P(Profiles, DiffShowsGrowthLargestFirst) {
  e2e::Service svc({e2e::BuildGo("growing", GetParam()), "-mode", "serve", "-interval", "100ms"}, "listening ");
  std::string url = svc.ready_line();
  std::string a = e2e::WorkDir() + "/grow-a.txt", b = e2e::WorkDir() + "/grow-b.txt";
  e2e::RunResult ra = e2e::Run({"curl", "-s", "-o", a, url + "/debug/pprof/goroutine?debug=2"});
  ASSERT_EQ(ra.status, 0);
  usleep(800'000);
  e2e::RunResult rb = e2e::Run({"curl", "-s", "-o", b, url + "/debug/pprof/goroutine?debug=2"});
  ASSERT_EQ(rb.status, 0);
  e2e::RunResult d = e2e::Leakhound({"diff", "--format", "json", "--fail-on-growth", "5", a, b});
  EXPECT_EQ(d.status, 1) << d.err;
  json j = json::parse(d.out);
  ASSERT_FALSE(j["changes"].empty());
  EXPECT_EQ(j["changes"][0]["top_frame"]["function"], "main.handle");
  EXPECT_GE(j["changes"][0]["delta"].get<int>(), 10);
  EXPECT_EQ(j["changes"][0]["change"], "grew");
}

INSTANTIATE_TEST_SUITE_P(Go, Profiles, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
