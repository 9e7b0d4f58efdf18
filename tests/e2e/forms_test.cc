// Header forms recorded for real: testdata/go/forms (a `go test -c`
// binary using testing/synctest) and testdata/go/labels (pprof labels,
// `go 1.27` in its go.mod) run under Go 1.26 and 1.27, and leakhound reads
// what they print. These replace fixtures derived by hand from the runtime
// source for the same forms.
//
// What each version writes (goroutineheader, runtime/traceback.go):
//  - bubble deadlock panics, "(durable)", ", synctest bubble N" and the
//    " gp=... m=..." of a SIGQUIT or crash: the same in 1.26 and 1.27;
//  - labels: 1.26 only with GODEBUG=tracebacklabels=1, inside the
//    bracket and always quoted: `[chan receive labels:{"k": "v"}]:`;
//    1.27 after the bracket, quoted only where needed:
//    `[chan receive] {k: v, pattern: "GET /x"}:`, by default for modules
//    that say `go 1.27` (the GODEBUG default follows go.mod: forms says
//    `go 1.25`, so 1.27 prints no labels there without the setting).
// Go 1.19 has none of these (no synctest, no labels in tracebacks).
#include <gtest/gtest.h>

#include <csignal>

#include "finding_at.h"
#include "run_util.h"

namespace {

using e2e::FindingAt;
using nlohmann::json;

std::string FormsDir() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/forms/"; }

int Line(const std::string& file, const std::string& tag) {
  std::map<std::string, int> m = e2e::Markers(FormsDir() + file, "LEAK");
  std::map<std::string, int> b = e2e::Markers(FormsDir() + file, "BENIGN");
  m.insert(b.begin(), b.end());
  auto it = m.find(tag);
  if (it == m.end()) throw std::runtime_error("no marker " + tag + " in " + file);
  return it->second;
}

// Runs one test of the forms binary; returns what it wrote to stderr
// (the traceback), saved to a file for leakhound.
struct Recording {
  std::string path;
  std::string text;
  int status = 0;
};

Recording Record(const std::string& version, const std::string& test,
                 const std::vector<std::string>& env, bool quit,
                 const std::vector<std::string>& args = {}) {
  e2e::RunOptions o;
  o.env = env;
  o.timeout_ms = 60'000;
  if (quit) {
    o.wait_for = "ready";
    o.then_signal = SIGQUIT;
  }
  std::string bin = e2e::BuildGoTest("forms", version);
  std::vector<std::string> argv = {bin, "-test.run", "^" + test + "$"};
  argv.insert(argv.end(), args.begin(), args.end());
  e2e::RunResult r = e2e::Run(argv, o);
  EXPECT_FALSE(r.timed_out) << test;
  Recording rec;
  rec.status = r.status;
  rec.text = r.err;
  rec.path = e2e::WorkDir() + "/" + test + "-go" + version + ".txt";
  e2e::WriteFile(rec.path, r.err);
  return rec;
}

json Analyze(const Recording& rec) {
  json j = e2e::AnalyzeJson({"--all", rec.path});
  EXPECT_EQ(j["inputs"][0]["warnings"], json::array()) << rec.text;
  EXPECT_EQ(j["inputs"][0]["dumps"], 1);
  return j;
}

// The buckets and findings whose top/blocking frame is FILE:LINE.
std::vector<json> BucketsAt(const json& report, const std::string& file, int line) {
  std::vector<json> out;
  for (const json& b : report["buckets"])
    if (!b["top_frame"].is_null() && e2e::Basename(b["top_frame"]["file"]) == file &&
        b["top_frame"]["line"] == line)
      out.push_back(b);
  return out;
}

struct Worker {
  const char* tag;
  const char* state;
};
// StartWorkers' goroutines and the state each shows, "(durable)" removed.
const Worker kWorkers[] = {{"recv", "chan receive"},
                           {"select", "select (no cases)"},
                           {"cond", "sync.Cond.Wait"},
                           {"wg", "sync.WaitGroup.Wait"},
                           {"sleep", "sleep"}};

void ExpectDurableWorker(const json& report, const Worker& w) {
  SCOPED_TRACE(w.tag);
  std::vector<json> at = BucketsAt(report, "forms.go", Line("forms.go", w.tag));
  ASSERT_EQ(at.size(), 1u);
  const json& b = at[0];
  EXPECT_EQ(b["count"], 1);
  EXPECT_EQ(b["state"], w.state);
  EXPECT_EQ(b["durable"], 1);
  EXPECT_EQ(b["in_bubble"], 1);
  EXPECT_EQ(b["bubbles"], json::array({1}));
  EXPECT_EQ(b["creator"]["function"], "forms.StartWorkers");
}

void ExpectBubbleDeadlock(const json& report, const std::string& file, int line,
                          const std::string& message) {
  json f = FindingAt(report, file, line);
  ASSERT_FALSE(f.is_null()) << file << ":" << line;
  EXPECT_EQ(f["pattern"], "bubble-deadlock");
  EXPECT_EQ(f["severity"], "leak");
  EXPECT_GE(f["confidence"].get<double>(), 0.95);
  EXPECT_NE(f["reasons"][0]["text"].get<std::string>().find("\"" + message + "\""),
            std::string::npos)
      << f["reasons"];
  EXPECT_EQ(f["proof"]["by"], "go-runtime");
  EXPECT_EQ(f["proof"]["marker"], "bubble-deadlock");
  EXPECT_EQ(f["proof"]["bubble"], 1);
  EXPECT_EQ(f["proof"]["text"], message);
}

// testing/synctest's runner inside the bubble (testingSynctestTest) is
// expected, never a leak.
void ExpectRunnerBenign(const json& report) {
  bool seen = false;
  for (const json& f : report["findings"]) {
    if (f["blocking_frame"].is_null() ||
        f["blocking_frame"]["function"] != "testing/synctest.testingSynctestTest")
      continue;
    seen = true;
    EXPECT_EQ(f["severity"], "info");
    EXPECT_NE(f["benign"].get<std::string>().find("testing/synctest"), std::string::npos);
  }
  EXPECT_TRUE(seen) << "no finding for testing/synctest's runner";
}

void ExpectNoStateKeepsDurable(const json& report) {
  for (const json& b : report["buckets"])
    EXPECT_EQ(b["state"].get<std::string>().find("(durable)"), std::string::npos) << b["state"];
}

class Forms : public testing::TestWithParam<std::string> {};

// The bubble's main goroutine returns and leaves the workers blocked.
TEST_P(Forms, BubbleDeadlockMainExited) {
  const std::string msg = "deadlock: main bubble goroutine has exited but blocked goroutines remain";
  Recording rec = Record(GetParam(), "TestBubbleExited", {"GOTRACEBACK=single"}, false);
  EXPECT_EQ(rec.status, 2);
  // tRunner recovers the panic and panics again (Go 1.25+).
  ASSERT_NE(rec.text.find("panic: " + msg + " [recovered, repanicked]"), std::string::npos)
      << rec.text;
  json j = Analyze(rec);
  EXPECT_EQ(j["snapshot"]["kind"], "panic");
  // The panicking test goroutine and the bubble's five: nothing else is
  // printed at the default GOTRACEBACK.
  EXPECT_EQ(j["snapshot"]["total_goroutines"], 6);
  EXPECT_EQ(j["snapshot"]["go_version"]["min"], "1.25");
  ExpectNoStateKeepsDurable(j);
  for (const Worker& w : kWorkers) {
    ExpectDurableWorker(j, w);
    ExpectBubbleDeadlock(j, "forms.go", Line("forms.go", w.tag), msg);
  }
  // recvForever is inlined into its go statement's wrapper: "(...)" and
  // no +0x offset.
  json recv = BucketsAt(j, "forms.go", Line("forms.go", "recv"))[0];
  EXPECT_EQ(recv["top_frame"]["function"], "forms.recvForever");
  EXPECT_TRUE(recv["top_frame"]["inlined"]);
  size_t leaks = 0;
  for (const json& f : j["findings"]) leaks += f["severity"] == "leak";
  EXPECT_EQ(leaks, 5u);
}

// GOTRACEBACK=all prints every goroutine, not only the bubble's: still
// only the bubble's goroutines are bubble-deadlock findings.
TEST_P(Forms, BubbleDeadlockTracebackAll) {
  const std::string msg = "deadlock: main bubble goroutine has exited but blocked goroutines remain";
  Recording rec = Record(GetParam(), "TestBubbleExited", {"GOTRACEBACK=all"}, false);
  json j = Analyze(rec);
  EXPECT_GT(j["snapshot"]["total_goroutines"].get<int>(), 6);
  for (const Worker& w : kWorkers) ExpectBubbleDeadlock(j, "forms.go", Line("forms.go", w.tag), msg);
  size_t deadlocked = 0;
  for (const json& f : j["findings"]) deadlocked += f["pattern"] == "bubble-deadlock";
  EXPECT_EQ(deadlocked, std::size(kWorkers));
}

// The bubble's main goroutine blocks itself.
TEST_P(Forms, BubbleDeadlockAllBlocked) {
  const std::string msg = "deadlock: all goroutines in bubble are blocked";
  Recording rec = Record(GetParam(), "TestBubbleBlocked", {"GOTRACEBACK=single"}, false);
  EXPECT_EQ(rec.status, 2);
  json j = Analyze(rec);
  EXPECT_NE(j["snapshot"]["preamble"].get<std::string>().find(msg), std::string::npos);
  ExpectNoStateKeepsDurable(j);
  int send = Line("forms_test.go", "main-send");
  std::vector<json> at = BucketsAt(j, "forms_test.go", send);
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(at[0]["state"], "chan send");
  EXPECT_EQ(at[0]["durable"], 1);
  ExpectBubbleDeadlock(j, "forms_test.go", send, msg);
  // The receiver took the first value and is gone. So is the sleeper:
  // while the main bubble goroutine lives, fake time jumps to the next
  // timer when all are blocked, and "all blocked" is declared only when
  // no timer is left (after the main goroutine exits, time stops, which
  // is why the sleeper stays in BubbleDeadlockMainExited).
  EXPECT_TRUE(BucketsAt(j, "forms.go", Line("forms.go", "recv")).empty());
  EXPECT_TRUE(BucketsAt(j, "forms.go", Line("forms.go", "sleep")).empty());
  for (const Worker& w : kWorkers) {
    if (std::string(w.tag) == "recv" || std::string(w.tag) == "sleep") continue;
    ExpectDurableWorker(j, w);
    ExpectBubbleDeadlock(j, "forms.go", Line("forms.go", w.tag), msg);
  }
  ExpectRunnerBenign(j);
}

// A bubble that is not deadlocked, dumped by SIGQUIT with
// GOTRACEBACK=crash: every header has gp=/m=, the other Ms follow after
// "-----", the workers are durable, the bubble's main goroutine (waiting
// on a channel from outside) is in the bubble but not durable.
TEST_P(Forms, DurableCrashDump) {
  Recording rec = Record(GetParam(), "TestDurableQuit", {"GOTRACEBACK=crash"}, true);
  EXPECT_EQ(rec.status, 128 + SIGABRT);  // crash re-raises as SIGABRT
  ASSERT_NE(rec.text.find("SIGQUIT: quit"), std::string::npos) << rec.text;
  EXPECT_NE(rec.text.find("\n-----\n"), std::string::npos);
  EXPECT_NE(rec.text.find(" gp=0x"), std::string::npos);
  EXPECT_NE(rec.text.find(" (durable), synctest bubble 1]:"), std::string::npos);
  json j = Analyze(rec);
  EXPECT_EQ(j["snapshot"]["kind"], "signal");
  EXPECT_EQ(j["snapshot"]["go_version"]["min"], "1.25");
  ExpectNoStateKeepsDurable(j);
  for (const Worker& w : kWorkers) ExpectDurableWorker(j, w);
  std::vector<json> outside = BucketsAt(j, "forms_test.go", Line("forms_test.go", "outside"));
  ASSERT_EQ(outside.size(), 1u);
  EXPECT_EQ(outside[0]["state"], "chan receive");
  EXPECT_EQ(outside[0]["in_bubble"], 1);
  EXPECT_EQ(outside[0]["durable"], 0);
  // synctest.Test's goroutine, parked in synctest.Run, is in the bubble.
  bool run_seen = false;
  for (const json& b : j["buckets"])
    if (b["state"] == "synctest.Run") {
      run_seen = true;
      EXPECT_EQ(b["durable"], 1);
      EXPECT_EQ(b["top_frame"]["function"], "forms.TestDurableQuit");
    }
  EXPECT_TRUE(run_seen);
  // No deadlock was declared: no bubble-deadlock finding, and the
  // synctest machinery is not a leak.
  for (const json& f : j["findings"]) {
    EXPECT_NE(f["pattern"], "bubble-deadlock");
    if (f["state"] == "synctest.Run") {
      EXPECT_EQ(f["severity"], "info");
    }
  }
  ExpectRunnerBenign(j);
}

// `go test -timeout` while the bubble still waits: the testing alarm
// panics with GOTRACEBACK=all. The workers are durable, but the runtime
// declared no deadlock, so there is no bubble-deadlock finding.
TEST_P(Forms, TestTimeoutWithBubble) {
  Recording rec = Record(GetParam(), "TestDurableQuit", {"GOTRACEBACK=single"}, false,
                         {"-test.timeout=2s"});
  EXPECT_EQ(rec.status, 2);
  json j = Analyze(rec);
  EXPECT_EQ(j["snapshot"]["kind"], "panic");
  EXPECT_EQ(j["snapshot"]["preamble"],
            "panic: test timed out after 2s\n\trunning tests:\n\t\tTestDurableQuit (2s)");
  ExpectNoStateKeepsDurable(j);
  for (const Worker& w : kWorkers) ExpectDurableWorker(j, w);
  bool alarm = false;
  for (const json& b : j["buckets"])
    if (b["top_frame"]["function"] == "testing.(*M).startAlarm.func1") {
      alarm = true;
      EXPECT_EQ(b["state"], "running");
      EXPECT_EQ(b["creator"]["function"], "time.goFunc");
      EXPECT_EQ(b["creator_ids"], json::array());  // started from the timer, not a goroutine
    }
  EXPECT_TRUE(alarm);
  for (const json& f : j["findings"]) EXPECT_NE(f["pattern"], "bubble-deadlock");
  ExpectRunnerBenign(j);
}

// Labels in a module that says `go 1.25`: only with the GODEBUG setting,
// in 1.26's form or 1.27's.
TEST_P(Forms, LabelsWithGodebug) {
  Recording rec = Record(GetParam(), "TestLabels", {"GOTRACEBACK=single", "GODEBUG=tracebacklabels=1"}, true);
  bool v126 = GetParam() == "1.26";
  if (v126) {
    EXPECT_NE(rec.text.find(R"( labels:{"pattern": "GET /x"}]:)"), std::string::npos) << rec.text;
    EXPECT_NE(rec.text.find(R"( labels:{"job": "say \"hi\"", "shard": "7"}]:)"), std::string::npos);
  } else {
    EXPECT_NE(rec.text.find(R"(] {pattern: "GET /x"}:)"), std::string::npos) << rec.text;
    EXPECT_NE(rec.text.find(R"(] {job: "say \"hi\"", shard: 7}:)"), std::string::npos);
  }
  json j = Analyze(rec);
  EXPECT_EQ(j["snapshot"]["go_version"]["min"], v126 ? "1.26" : "1.27");
  EXPECT_EQ(j["snapshot"]["go_version"]["max"], v126 ? json("1.26") : json(nullptr));
  std::vector<json> at = BucketsAt(j, "forms.go", Line("forms.go", "labelled"));
  ASSERT_EQ(at.size(), 2u);  // two pprof.Do closures: two creators
  json by_count = json::object();
  for (const json& b : at) {
    EXPECT_EQ(b["state"], "chan receive");
    ASSERT_EQ(b["labels"].size(), 1u) << b["labels"];
    by_count[std::to_string(b["count"].get<int>())] = b["labels"][0];
  }
  EXPECT_EQ(by_count["2"], (json{{"labels", {{"pattern", "GET /x"}}}, {"count", 2}}));
  EXPECT_EQ(by_count["1"], (json{{"labels", {{"job", "say \"hi\""}, {"shard", "7"}}}, {"count", 1}}));
}

// Without the setting a `go 1.25` module prints no labels on either.
TEST_P(Forms, NoLabelsByDefaultForGo125Module) {
  Recording rec = Record(GetParam(), "TestLabels", {"GOTRACEBACK=single", "GODEBUG="}, true);
  EXPECT_EQ(rec.text.find("labels:{"), std::string::npos);
  EXPECT_EQ(rec.text.find("] {"), std::string::npos);
  json j = Analyze(rec);
  for (const json& b : j["buckets"]) EXPECT_EQ(b["labels"], json::array());
}

// A goroutine caught leaving a syscall is printed "[running]" with its
// stack (testdata/go/syscallexit). It is one goroutine of the dump, not the
// caller of a second runtime.Stack: before, leakhound split the dump in
// two there and a 3-sample series of a live service fell apart.
TEST_P(Forms, RunningGoroutineLeavingSyscallStaysInItsDump) {
  e2e::RunOptions o;
  o.timeout_ms = 120'000;
  e2e::RunResult r = e2e::Run({e2e::BuildGo("syscallexit", GetParam())}, o);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string path = e2e::WorkDir() + "/syscallexit-go" + GetParam() + ".txt";
  e2e::WriteFile(path, r.out);
  size_t headers = 0;
  for (size_t at = r.out.find("goroutine "); at != std::string::npos; at = r.out.find("\ngoroutine ", at + 1))
    ++headers;
  json j = e2e::AnalyzeJson({"--all", path});
  EXPECT_EQ(j["inputs"][0]["dumps"], 1) << r.out;
  EXPECT_EQ(j["inputs"][0]["warnings"], json::array());
  EXPECT_EQ(j["snapshot"]["total_goroutines"], headers) << r.out;
  // top_frame is the first frame of the program's own code.
  bool caller_running = false;
  for (const json& b : j["buckets"])
    if (b["state"] == "running" && !b["top_frame"].is_null() &&
        b["top_frame"]["function"] == "main.caller")
      caller_running = true;
  EXPECT_TRUE(caller_running) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Go, Forms, testing::Values("1.26", "1.27"), e2e::GoParamNamer());

// testdata/go/labels says `go 1.27`, so Go 1.27 prints labels by default
// (and Go 1.26 cannot build it). Before, leakhound dropped these
// goroutines: "goroutine header not understood".
TEST(HeaderFormsGo127, LabelsByDefault) {
  e2e::RunOptions o;
  o.env = {"GOTRACEBACK=single", "GODEBUG="};
  o.wait_for = "ready";
  o.then_signal = SIGQUIT;
  o.timeout_ms = 60'000;
  e2e::RunResult r = e2e::Run({e2e::BuildGo("labels", "1.27")}, o);
  ASSERT_NE(r.err.find(R"([chan receive] {pattern: "GET /x", tenant: a.b/c_d}:)"), std::string::npos)
      << r.err;
  ASSERT_NE(r.err.find(R"([chan receive] {pattern: "POST /y {id}"}:)"), std::string::npos);
  std::string path = e2e::WorkDir() + "/labels-go1.27.txt";
  e2e::WriteFile(path, r.err);
  size_t headers = 0;
  for (size_t at = r.err.find("\ngoroutine "); at != std::string::npos;
       at = r.err.find("\ngoroutine ", at + 1))
    ++headers;
  json j = e2e::AnalyzeJson({path});
  EXPECT_EQ(j["inputs"][0]["warnings"], json::array());
  EXPECT_EQ(j["snapshot"]["total_goroutines"], headers);  // none dropped
  EXPECT_EQ(j["snapshot"]["go_version"]["min"], "1.27");
  std::map<std::string, uint64_t> labelled;  // pattern label -> goroutines
  for (const json& b : j["buckets"])
    for (const json& l : b["labels"]) {
      EXPECT_EQ(b["top_frame"]["function"], "main.serve");
      labelled[l["labels"]["pattern"].get<std::string>()] += l["count"].get<uint64_t>();
      if (l["labels"]["pattern"] == "GET /x") {
        EXPECT_EQ(l["labels"]["tenant"], "a.b/c_d");
      }
    }
  EXPECT_EQ(labelled, (std::map<std::string, uint64_t>{{"GET /x", 3}, {"POST /y {id}", 1}}));
  // The text report names them briefly.
  e2e::RunResult t = e2e::Leakhound({"analyze", "--no-config", "--color", "never", path});
  EXPECT_NE(t.out.find("labels: {pattern: GET /x, tenant: a.b/c_d} x3"), std::string::npos) << t.out;
}

}  // namespace
