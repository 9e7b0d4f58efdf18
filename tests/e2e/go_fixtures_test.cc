// End to end on real Go output: testdata/go/leaky is built and run by each
// Go toolchain (1.19, 1.26, 1.27), its dumps are read by the built
// leakhound binary, and every scenario must come back as a bucket with the
// exact count, state and top frame (file:line from the program's LEAK
// markers) and a finding naming the right pattern.
#include <gtest/gtest.h>

#include <csignal>

#include "run_util.h"

namespace {

using e2e::Run;
using e2e::RunOptions;
using e2e::RunResult;
using nlohmann::json;

struct Expected {
  const char* tag;
  const char* pattern;   // leakhound's pattern id
  const char* state;     // as Go 1.19 prints the wait reason
  const char* state_120; // as Go 1.20+ prints it, when it differs
  const char* function;  // the top user frame
};

// What the Go runtime (src/runtime/runtime2.go waitReasonStrings) prints
// for each scenario, and the pattern leakhound must name. Go 1.20 split
// "semacquire" into sync.Mutex.Lock, sync.WaitGroup.Wait, ... (seen in
// the real 1.26 and 1.27 dumps).
const Expected kLeaky[] = {
    {"chan-send-blocked", "chan-send-blocked", "chan send", nullptr, "main.firstResult.func1"},
    {"chan-recv-blocked", "chan-recv-blocked", "chan receive", nullptr, "main.awaitReply.func1"},
    {"range-unclosed", "range-unclosed", "chan receive", nullptr, "main.consume"},
    {"nil-chan-send", "nil-chan", "chan send (nil chan)", nullptr, "main.(*pipeline).publish"},
    {"nil-chan-recv", "nil-chan", "chan receive (nil chan)", nullptr, "main.(*pipeline).listen"},
    {"select-no-cases", "select-forever", "select (no cases)", nullptr, "main.idleForever"},
    {"select-forever", "select-forever", "select", nullptr, "main.waitEither"},
    {"mutex-held", "mutex-held", "semacquire", "sync.Mutex.Lock", "main.(*account).deposit"},
    {"waitgroup-wait", "waitgroup-wait", "semacquire", "sync.WaitGroup.Wait", "main.gather"},
    {"cond-wait", "cond-wait", "sync.Cond.Wait", nullptr, "main.(*queue).pop"},
    {"context-never-done", "context-never-done", "chan receive", nullptr, "main.watch"},
    {"http-no-timeout", "http-no-timeout", "select", nullptr, "main.fetch"},
    {"http-server-handler", "context-never-done", "chan receive", nullptr, "main.slowHandler"},
};

bool Before120(const std::string& v) { return v == "1.19"; }

std::string LeakySource() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/leaky/main.go"; }

json ExpectCounts(const std::string& go) {
  RunResult r = Run({e2e::BuildGo("leaky", go), "-expect"});
  EXPECT_EQ(r.status, 0) << r.err;
  return json::parse(r.out);
}

// The bucket whose top frame is main.go:LINE, or null.
json BucketAt(const json& report, int line) {
  for (const json& b : report["buckets"])
    if (!b["top_frame"].is_null() && e2e::Basename(b["top_frame"]["file"]) == "main.go" &&
        b["top_frame"]["line"] == line)
      return b;
  return nullptr;
}

json FindingAt(const json& report, int line) {
  for (const json& f : report["findings"])
    if (!f["blocking_frame"].is_null() && e2e::Basename(f["blocking_frame"]["file"]) == "main.go" &&
        f["blocking_frame"]["line"] == line)
      return f;
  return nullptr;
}

// Writes a dump of `mode` by Go `go` to a file once and returns its path.
std::string Dump(const std::string& mode, const std::string& go) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(mode + "@" + go);
  if (it != cache.end()) return it->second;
  std::string bin = e2e::BuildGo("leaky", go);
  RunOptions o;
  o.env = {"GOTRACEBACK=all"};
  std::string text;
  if (mode == "sigquit") {
    o.wait_for = "ready";
    o.then_signal = SIGQUIT;
    RunResult r = Run({bin, "-mode", "sigquit"}, o);
    EXPECT_EQ(r.status, 2) << "SIGQUIT exits 2";
    text = r.err;
  } else if (mode == "deadlock") {
    RunResult r = Run({e2e::BuildGo("deadlock", go)}, o);
    EXPECT_EQ(r.status, 2) << r.err.substr(0, 300);
    text = r.err;
  } else if (mode == "panic") {
    RunResult r = Run({bin, "-mode", mode}, o);
    EXPECT_EQ(r.status, 2) << r.err.substr(0, 300);
    text = r.err;
  } else {
    RunResult r = Run({bin, "-mode", mode}, o);
    EXPECT_EQ(r.status, 0) << r.err;
    text = r.out;
  }
  std::string path = e2e::WorkDir() + "/leaky-" + mode + "-go" + go + ".txt";
  e2e::WriteFile(path, text);
  cache[mode + "@" + go] = path;
  return path;
}

void CheckAllScenarios(const json& report, const char* kind, const std::string& go) {
  auto markers = e2e::Markers(LeakySource(), "LEAK");
  json counts = ExpectCounts(go);
  EXPECT_EQ(report["snapshot"]["kind"], kind);
  uint64_t sum = 0;
  for (const json& b : report["buckets"]) sum += b["count"].get<uint64_t>();
  EXPECT_EQ(sum, report["snapshot"]["total_goroutines"].get<uint64_t>());
  for (const Expected& e : kLeaky) {
    SCOPED_TRACE(e.tag);
    ASSERT_TRUE(markers.count(e.tag)) << "marker missing in main.go";
    int line = markers[e.tag];
    json b = BucketAt(report, line);
    ASSERT_FALSE(b.is_null()) << "no bucket at main.go:" << line;
    EXPECT_EQ(b["count"], counts[e.tag]);
    EXPECT_EQ(b["state"], Before120(go) || !e.state_120 ? e.state : e.state_120);
    EXPECT_EQ(b["top_frame"]["function"], e.function);
    EXPECT_FALSE(b["creator"].is_null());
    json f = FindingAt(report, line);
    ASSERT_FALSE(f.is_null()) << "no finding at main.go:" << line;
    EXPECT_EQ(f["pattern"], e.pattern);
    EXPECT_EQ(f["count"], counts[e.tag]);
    EXPECT_TRUE(f["benign"].is_null());
  }
}

class GoFixtures : public testing::TestWithParam<std::string> {};

TEST_P(GoFixtures, PprofDebug2) {
  json r = e2e::AnalyzeJson({Dump("debug2", GetParam())});
  CheckAllScenarios(r, "stack", GetParam());
  if (Before120(GetParam()))
    EXPECT_EQ(r["snapshot"]["go_version"]["max"], "1.19") << "no 1.20+ features in a 1.19 dump";
  else  // "created by ... in goroutine N" and split wait reasons
    EXPECT_EQ(r["snapshot"]["go_version"]["max"], nullptr) << r["snapshot"]["go_version"];
}

TEST_P(GoFixtures, RuntimeStack) {
  CheckAllScenarios(e2e::AnalyzeJson({Dump("stack", GetParam())}), "stack", GetParam());
}

TEST_P(GoFixtures, Sigquit) {
  json r = e2e::AnalyzeJson({Dump("sigquit", GetParam())});
  CheckAllScenarios(r, "signal", GetParam());
  EXPECT_NE(r["snapshot"]["preamble"].get<std::string>().find("SIGQUIT"), std::string::npos);
}

TEST_P(GoFixtures, Panic) {
  json r = e2e::AnalyzeJson({Dump("panic", GetParam())});
  CheckAllScenarios(r, "panic", GetParam());
  EXPECT_NE(r["snapshot"]["preamble"].get<std::string>().find("leakhound fixture"), std::string::npos);
  // A panic ends the process, which by itself proves nothing about who
  // could wake whom; what leakhound proves from the dump (a channel only
  // parked goroutines can reach, a nil channel) still stands.
  for (const json& f : r["findings"]) {
    if (f["proof"].is_null()) continue;
    EXPECT_TRUE(f["proof"]["marker"] == "nobody-left" || f["proof"]["marker"] == "wait-reason")
        << f.dump();
  }
}

TEST_P(GoFixtures, Deadlock) {
  json r = e2e::AnalyzeJson({Dump("deadlock", GetParam())});
  auto markers =
      e2e::Markers(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/deadlock/main.go", "LEAK");
  RunResult ex = e2e::Run({e2e::BuildGo("deadlock", GetParam()), "-expect"});
  json counts = json::parse(ex.out);
  EXPECT_EQ(r["snapshot"]["kind"], "fatal_error");
  EXPECT_NE(r["snapshot"]["preamble"].get<std::string>().find("all goroutines are asleep"),
            std::string::npos);
  json send = BucketAt(r, markers["deadlock-send"]);
  ASSERT_FALSE(send.is_null());
  EXPECT_EQ(send["count"], counts["deadlock-send"]);
  EXPECT_EQ(send["state"], "chan send");
  json main_g = BucketAt(r, markers["deadlock-main"]);
  ASSERT_FALSE(main_g.is_null());
  EXPECT_EQ(main_g["ids"], json::array({1}));
  EXPECT_EQ(main_g["state"], "chan receive");
  // In a deadlock the main goroutine is part of the problem, not benign.
  json f = FindingAt(r, markers["deadlock-main"]);
  ASSERT_FALSE(f.is_null());
  EXPECT_TRUE(f["benign"].is_null());
  EXPECT_EQ(FindingAt(r, markers["deadlock-send"])["pattern"], "chan-send-blocked");
  // The runtime's "all goroutines are asleep" is proof for every one of
  // them: leak, with that proof, and no small-pool discount for main.
  for (const char* tag : {"deadlock-send", "deadlock-main"}) {
    json g = FindingAt(r, markers[tag]);
    EXPECT_EQ(g["severity"], "leak") << tag << g.dump();
    EXPECT_EQ(g["proof"]["marker"], "all-asleep") << tag;
    EXPECT_EQ(g["proof"]["by"], "go-runtime") << tag;
  }
}

// Nothing the Go runtime writes for the healthy parts of the program may
// be called a leak: the HTTP keep-alive loops are benign.
TEST_P(GoFixtures, KeepAliveLoopsAreBenign) {
  json r = e2e::AnalyzeJson({Dump("debug2", GetParam())});
  int benign = 0;
  for (const json& f : r["findings"]) {
    bool net_http_only = true;
    for (const json& fr : f["frames"])
      net_http_only = net_http_only && fr["stdlib"].get<bool>();
    if (net_http_only) {
      EXPECT_EQ(f["severity"], "info") << f.dump();
      EXPECT_FALSE(f["benign"].is_null()) << f.dump();
      ++benign;
    }
  }
  EXPECT_GE(benign, 2) << "client readLoop and writeLoop";
}

// testdata/go/waitchain: a coordinator waits (WaitGroup.Wait) for workers
// that are all blocked sending their results. The workers' send is the
// bug and is listed first; the coordinator's Wait comes after it and says
// whose result it waits for.
TEST_P(GoFixtures, ConsequenceListedAfterItsCause) {
  RunResult run = e2e::Run({e2e::BuildGo("waitchain", GetParam())});
  ASSERT_EQ(run.status, 0) << run.err;
  std::string path = e2e::WorkDir() + "/waitchain-go" + GetParam() + ".txt";
  e2e::WriteFile(path, run.out);
  json r = e2e::AnalyzeJson({path});
  auto markers =
      e2e::Markers(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/waitchain/main.go", "LEAK");
  ASSERT_GE(r["findings"].size(), 2u) << r.dump();
  json first = r["findings"][0];
  EXPECT_EQ(first["pattern"], "chan-send-blocked");
  EXPECT_EQ(first["blocking_frame"]["line"], markers["worker-send"]);
  EXPECT_EQ(first["waits_for"], json::array());
  json wait = FindingAt(r, markers["coordinator-wait"]);
  ASSERT_FALSE(wait.is_null());
  EXPECT_EQ(wait["pattern"], "waitgroup-wait");
  ASSERT_EQ(wait["waits_for"].size(), 1u) << wait.dump();
  EXPECT_EQ(wait["waits_for"][0]["count"], 3);
  EXPECT_EQ(wait["waits_for"][0]["state"], "chan send");
  EXPECT_EQ(wait["waits_for"][0]["blocking_frame"]["line"], markers["worker-send"]);
  RunResult text = e2e::Leakhound({"analyze", path});
  EXPECT_NE(text.out.find("waits for 3 goroutines it started, blocked [chan send] at "),
            std::string::npos)
      << text.out;
  // The HTML report's data carries it too, in the same order.
  RunResult html = e2e::Leakhound({"analyze", "--format", "html", path});
  size_t send_at = html.out.find("\"pattern\":\"chan-send-blocked\"");
  size_t wait_at = html.out.find("\"pattern\":\"waitgroup-wait\"");
  ASSERT_NE(send_at, std::string::npos);
  ASSERT_NE(wait_at, std::string::npos);
  EXPECT_LT(send_at, wait_at);
  EXPECT_NE(html.out.find("\"waits_for\":[{\"count\":3,"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Go, GoFixtures, testing::ValuesIn(e2e::GoVersions()),
                         e2e::GoParamNamer());

}  // namespace
