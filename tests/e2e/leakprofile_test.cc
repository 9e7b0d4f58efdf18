// The Go runtime's own leak detector, for real: testdata/go/leaky built
// with Go 1.26 (GOEXPERIMENT=goroutineleakprofile) and Go 1.27 (where the
// profile is always there) writes and serves the goroutineleak profile in
// its three forms; leakhound must read each, report every goroutine the
// runtime marked "(leaked)" as a leak with the mark as proof, and say
// where the runtime and its own inference disagree. Go 1.19 has no such
// profile, and fetching it must say so.
#include <gtest/gtest.h>

#include <set>

#include "run_util.h"

namespace {

using nlohmann::json;

std::string LeakySource() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/leaky/main.go"; }

// What the runtime marks in leaky: every scenario blocked on an object
// only its own goroutines can reach. Not marked: the HTTP client and
// handler (their connections are reachable from the network poller) and
// the sends on a package-level channel (a global is a GC root).
const std::vector<std::string> kMarked = {
    "chan-send-blocked", "chan-recv-blocked", "range-unclosed", "nil-chan-send",
    "nil-chan-recv",     "select-no-cases",   "select-forever", "mutex-held",
    "waitgroup-wait",    "cond-wait",         "context-never-done"};
const std::vector<std::string> kUnmarked = {"http-no-timeout", "http-server-handler",
                                            "global-chan-send"};

int Line(const std::string& tag) {
  static const std::map<std::string, int> m = e2e::Markers(LeakySource(), "LEAK");
  auto it = m.find(tag);
  if (it == m.end()) throw std::runtime_error("no LEAK:" + tag + " in leaky/main.go");
  return it->second;
}

const json& ExpectCounts() {
  static const json counts = [] {
    e2e::RunResult r = e2e::Run({e2e::BuildGo("leaky", "1.19"), "-expect"});
    return json::parse(r.out);
  }();
  return counts;
}

bool AtLine(const json& frame, int line) {
  return !frame.is_null() && e2e::Basename(frame["file"]) == "main.go" && frame["line"] == line;
}

// Goroutines at main.go:LINE in the report's buckets, and how many of
// them carry the mark.
struct AtTag {
  uint64_t count = 0, leaked = 0;
};
AtTag BucketsAt(const json& report, int line) {
  AtTag t;
  for (const json& b : report["buckets"])
    if (AtLine(b["top_frame"], line)) {
      t.count += b["count"].get<uint64_t>();
      if (b["leaked"].get<bool>()) t.leaked += b["count"].get<uint64_t>();
    }
  return t;
}

json FindingAt(const json& report, int line) {
  for (const json& f : report["findings"])
    if (AtLine(f["blocking_frame"], line)) return f;
  return nullptr;
}

// Lines (main.go) of an agreement list.
std::set<int> ListLines(const json& list) {
  std::set<int> out;
  for (const json& e : list)
    if (!e["blocking_frame"].is_null() && e2e::Basename(e["blocking_frame"]["file"]) == "main.go")
      out.insert(e["blocking_frame"]["line"].get<int>());
  return out;
}

// Every marked bucket has a leak finding of the same goroutines whose
// proof is the mark; no unmarked one has a proof.
void EveryMarkIsALeakWithProof(const json& report) {
  size_t marked = 0;
  for (const json& b : report["buckets"]) {
    bool found = false;
    for (const json& f : report["findings"]) {
      if (f["frames"] != b["frames"] || f["state"] != b["state"] || f["count"] != b["count"])
        continue;
      if (f["proof"].is_null() == b["leaked"].get<bool>()) continue;  // the other bucket of this stack
      found = true;
      if (b["leaked"].get<bool>()) {
        EXPECT_EQ(f["severity"], "leak") << f.dump(1);
        EXPECT_EQ(f["proof"]["by"], "go-runtime");
        EXPECT_EQ(f["proof"]["marker"], "(leaked)");
      }
    }
    if (b["leaked"].get<bool>()) {
      ++marked;
      EXPECT_TRUE(found) << "no finding for marked bucket " << b["top_frame"].dump();
    }
  }
  EXPECT_GT(marked, 0u);
}

// The marked scenarios are marked, with their full counts, and are
// leaks with proof; the unmarked ones carry no mark.
void CheckMarks(const json& report, bool lists_unmarked) {
  const json& counts = ExpectCounts();
  uint64_t want_marked = 0;
  for (const std::string& tag : kMarked) {
    SCOPED_TRACE(tag);
    AtTag t = BucketsAt(report, Line(tag));
    EXPECT_EQ(t.count, counts[tag].get<uint64_t>());
    EXPECT_EQ(t.leaked, counts[tag].get<uint64_t>()) << "the runtime marks all of them";
    want_marked += counts[tag].get<uint64_t>();
    json f = FindingAt(report, Line(tag));
    ASSERT_FALSE(f.is_null());
    EXPECT_EQ(f["severity"], "leak");
    ASSERT_FALSE(f["proof"].is_null());
    EXPECT_EQ(f["proof"]["marker"], "(leaked)");
    bool reason = false;
    for (const json& r : f["reasons"])
      reason = reason || r["text"].get<std::string>().find("(leaked)") != std::string::npos;
    EXPECT_TRUE(reason) << f["reasons"].dump(1);
  }
  for (const std::string& tag : kUnmarked) {
    SCOPED_TRACE(tag);
    AtTag t = BucketsAt(report, Line(tag));
    EXPECT_EQ(t.leaked, 0u);
    EXPECT_EQ(t.count, lists_unmarked ? counts[tag].get<uint64_t>() : 0u);
  }
  EveryMarkIsALeakWithProof(report);
  const json& a = report["runtime_agreement"];
  ASSERT_TRUE(a.is_object()) << "no runtime_agreement";
  EXPECT_EQ(a["marked_goroutines"].get<uint64_t>(), want_marked);
  EXPECT_EQ(a["lists_unmarked"].get<bool>(), lists_unmarked);
  // The two lists of marked buckets hold exactly the marked scenarios.
  std::set<int> marked_lines = ListLines(a["agree"]);
  for (int l : ListLines(a["runtime_only"])) marked_lines.insert(l);
  std::set<int> want;
  for (const std::string& tag : kMarked) want.insert(Line(tag));
  EXPECT_EQ(marked_lines, want);
  for (const char* list : {"agree", "runtime_only"})
    for (const json& e : a[list]) EXPECT_TRUE(e["leaked"].get<bool>()) << e.dump();
}

// What leakhound alone says when it sees every goroutine: the sends on
// the global channel and the HTTP client are leaks (or suspects) the
// runtime cannot see; of the marked ones, the small group waiting in a
// loop on a struct's Cond looks like idle workers to it, while the range
// over a channel only parked goroutines can reach is proven, and the
// one-shot select (no loop in its source) is raised.
void CheckAgreementBothWays(const json& report) {
  const json& a = report["runtime_agreement"];
  ASSERT_TRUE(a["leakhound_only"].is_array());
  std::set<int> only = ListLines(a["leakhound_only"]);
  for (const char* tag : {"global-chan-send", "http-no-timeout"}) {
    SCOPED_TRACE(tag);
    EXPECT_TRUE(only.count(Line(tag))) << a["leakhound_only"].dump(1);
  }
  for (const json& e : a["leakhound_only"]) {
    EXPECT_FALSE(e["leaked"].get<bool>());
    EXPECT_TRUE(e["severity"] == "leak" || e["severity"] == "suspect") << e.dump();
  }
  for (const json& e : a["leakhound_only"])
    if (AtLine(e["blocking_frame"], Line("global-chan-send"))) {
      EXPECT_EQ(e["pattern"], "chan-send-blocked");
      EXPECT_EQ(e["count"], ExpectCounts()["global-chan-send"]);
    }
  std::set<int> agree = ListLines(a["agree"]);
  for (const char* tag : {"chan-send-blocked", "nil-chan-send", "nil-chan-recv", "select-no-cases",
                          "mutex-held", "waitgroup-wait", "context-never-done", "chan-recv-blocked",
                          "select-forever", "range-unclosed"}) {
    SCOPED_TRACE(tag);
    EXPECT_TRUE(agree.count(Line(tag))) << a["agree"].dump(1);
  }
  std::set<int> rt = ListLines(a["runtime_only"]);
  // The range's channel never left the function that started it, so
  // leakhound proves it too; the Cond hangs off a struct it cannot follow.
  for (const char* tag : {"cond-wait"}) {
    SCOPED_TRACE(tag);
    EXPECT_TRUE(rt.count(Line(tag))) << a["runtime_only"].dump(1);
  }
}

class LeakProfile : public testing::TestWithParam<std::string> {
 protected:
  std::vector<std::string> Env() const {
    if (GetParam() == "1.26") return {"GOEXPERIMENT=goroutineleakprofile"};
    return {};  // 1.27: no experiment needed
  }
  std::string Binary() const { return e2e::BuildGo("leaky", GetParam(), Env()); }
  // leaky -mode profiles, once per version.
  std::string Dir() const {
    static std::map<std::string, std::string> dirs;
    auto it = dirs.find(GetParam());
    if (it != dirs.end()) return it->second;
    std::string d = e2e::WorkDir() + "/leakprofile-" + e2e::GoParamName(GetParam());
    std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    e2e::RunResult r = e2e::Run({Binary(), "-mode", "profiles", "-out", d});
    EXPECT_EQ(r.status, 0) << r.err;
    return dirs[GetParam()] = d;
  }
};

TEST_P(LeakProfile, RuntimeReallyHasIt) {
  // 1.27 without any GOEXPERIMENT: the profile is simply there.
  e2e::RunResult v = e2e::Run({Binary(), "-goversion"});
  EXPECT_EQ(v.out.rfind("go" + GetParam() + ".", 0), 0u) << v.out;
  for (const char* f : {"goroutineleak-debug2.txt", "goroutineleak-debug1.txt", "goroutineleak.pb.gz"}) {
    SCOPED_TRACE(f);
    EXPECT_FALSE(e2e::ReadFile(Dir() + "/" + f).empty());
  }
  // Written before the first leak-detecting GC: no marks.
  EXPECT_EQ(e2e::ReadFile(Dir() + "/goroutine-debug2.txt").find("(leaked)"), std::string::npos);
  EXPECT_NE(e2e::ReadFile(Dir() + "/goroutineleak-debug2.txt").find("(leaked)"), std::string::npos);
}

TEST_P(LeakProfile, FileDebug2) {
  json r = e2e::AnalyzeJson({Dir() + "/goroutineleak-debug2.txt"});
  EXPECT_EQ(r["snapshot"]["form"], "traceback");
  CheckMarks(r, /*lists_unmarked=*/true);
  CheckAgreementBothWays(r);
}

TEST_P(LeakProfile, FileDebug1) {
  json r = e2e::AnalyzeJson({Dir() + "/goroutineleak-debug1.txt"});
  EXPECT_EQ(r["snapshot"]["form"], "pprof-goroutineleak-debug1");
  CheckMarks(r, /*lists_unmarked=*/false);
  EXPECT_TRUE(r["runtime_agreement"]["leakhound_only"].is_null());
  // debug=1 omits the runtime frames, so leakhound alone cannot tell a
  // channel receive from anything else: those are the runtime's alone.
  std::set<int> rt = ListLines(r["runtime_agreement"]["runtime_only"]);
  for (const char* tag : {"chan-recv-blocked", "chan-send-blocked", "context-never-done"}) {
    SCOPED_TRACE(tag);
    EXPECT_TRUE(rt.count(Line(tag))) << r["runtime_agreement"].dump(1);
  }
}

TEST_P(LeakProfile, FileProto) {
  json r = e2e::AnalyzeJson({Dir() + "/goroutineleak.pb.gz"});
  EXPECT_EQ(r["snapshot"]["form"], "pprof-goroutineleak-proto");
  CheckMarks(r, /*lists_unmarked=*/false);
  EXPECT_TRUE(r["runtime_agreement"]["leakhound_only"].is_null());
}

// A goroutine profile and a goroutineleak debug=0/1 profile of the same
// moment: one snapshot (not a series of two), the marks carried over, so
// the comparison goes both ways even in the aggregated forms.
TEST_P(LeakProfile, GoroutineProfilePlusLeakProfile) {
  json r = e2e::AnalyzeJson({Dir() + "/goroutine-debug2.txt", Dir() + "/goroutineleak-debug1.txt"});
  EXPECT_EQ(r["series"]["snapshots"], 1);
  EXPECT_EQ(r["snapshot"]["form"], "traceback");
  CheckMarks(r, /*lists_unmarked=*/true);
  CheckAgreementBothWays(r);
  bool note = false;
  for (const json& n : r["snapshot"]["notes"]) {
    std::string t = n.get<std::string>();
    if (t.find("marks from the goroutineleak profile") != std::string::npos) {
      note = true;
      EXPECT_EQ(t.find("not found here"), std::string::npos) << t << ": every mark has its goroutine";
    }
  }
  EXPECT_TRUE(note) << r["snapshot"]["notes"].dump();

  // Both protobuf, in either order.
  for (auto order : {std::vector<std::string>{"goroutine.pb.gz", "goroutineleak.pb.gz"},
                     std::vector<std::string>{"goroutineleak.pb.gz", "goroutine.pb.gz"}}) {
    SCOPED_TRACE(order[0]);
    json p = e2e::AnalyzeJson({Dir() + "/" + order[0], Dir() + "/" + order[1]});
    EXPECT_EQ(p["series"]["snapshots"], 1);
    EXPECT_EQ(p["snapshot"]["form"], "pprof-proto");
    CheckMarks(p, /*lists_unmarked=*/true);
    std::set<int> only = ListLines(p["runtime_agreement"]["leakhound_only"]);
    EXPECT_TRUE(only.count(Line("global-chan-send"))) << p["runtime_agreement"].dump(1);
  }
}

TEST_P(LeakProfile, PlainGoroutineProfileHasNoAgreement) {
  json r = e2e::AnalyzeJson({Dir() + "/goroutine-debug2.txt"});
  EXPECT_TRUE(r["runtime_agreement"].is_null());
  // No leak marks to carry: what is proven, leakhound proved from the
  // dump and the source (or the wait reason says).
  for (const json& f : r["findings"]) {
    if (f["proof"].is_null()) continue;
    EXPECT_NE(f["proof"]["marker"], "(leaked)") << f.dump();
    EXPECT_TRUE(f["proof"]["marker"] == "nobody-left" || f["proof"]["marker"] == "wait-reason" ||
                f["proof"]["marker"] == "wait-for-cycle")
        << f.dump();
  }
}

TEST_P(LeakProfile, TextShowsProofAndAgreement) {
  e2e::RunResult r =
      e2e::Leakhound({"analyze", "--no-config", Dir() + "/goroutineleak-debug2.txt"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("proof: marked (leaked) by the Go runtime"), std::string::npos) << r.out;
  size_t sec = r.out.find("\nRuntime leak detector: ");
  ASSERT_NE(sec, std::string::npos) << r.out;
  size_t only = r.out.find("  leakhound only: ", sec);
  size_t rt = r.out.find("  runtime only: ", sec);
  ASSERT_NE(only, std::string::npos);
  ASSERT_NE(rt, std::string::npos);
  std::string only_text = r.out.substr(only, rt - only);
  EXPECT_NE(only_text.find("main.go:" + std::to_string(Line("global-chan-send")) + " main.announce"),
            std::string::npos)
      << only_text;
  EXPECT_NE(only_text.find(" chan-send-blocked "), std::string::npos) << only_text;
  std::string rt_text = r.out.substr(rt, r.out.find("\nBuckets", rt) - rt);
  EXPECT_NE(rt_text.find("main.go:" + std::to_string(Line("cond-wait"))), std::string::npos)
      << rt_text;
  // The aggregated forms cannot say what the runtime missed.
  e2e::RunResult d1 =
      e2e::Leakhound({"analyze", "--no-config", Dir() + "/goroutineleak-debug1.txt"});
  EXPECT_NE(d1.out.find("leakhound only: unknown"), std::string::npos) << d1.out;
}

TEST_P(LeakProfile, LiveEndpointInEveryForm) {
  e2e::Service svc({Binary(), "-mode", "serve"}, "listening ");
  std::string url = svc.ready_line();
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  json d2 = e2e::AnalyzeJson({"--profile", "goroutineleak", "--form", "2", url});
  EXPECT_EQ(d2["inputs"][0]["source"], url + "/debug/pprof/goroutineleak?debug=2");
  CheckMarks(d2, /*lists_unmarked=*/true);
  CheckAgreementBothWays(d2);
  json d1 = e2e::AnalyzeJson({"--profile", "goroutineleak", "--form", "1", url});
  EXPECT_EQ(d1["snapshot"]["form"], "pprof-goroutineleak-debug1");
  CheckMarks(d1, /*lists_unmarked=*/false);
  json d0 = e2e::AnalyzeJson({"--profile", "goroutineleak", "--form", "proto", url});
  EXPECT_EQ(d0["snapshot"]["form"], "pprof-goroutineleak-proto");
  CheckMarks(d0, /*lists_unmarked=*/false);
  // The leaked status stays: the plain goroutine profile fetched after
  // now carries the marks too, and is compared the same way.
  json after = e2e::AnalyzeJson({url});
  CheckMarks(after, /*lists_unmarked=*/true);
  // Two full URLs, goroutine then goroutineleak, both protobuf: one
  // moment, compared both ways.
  json both = e2e::AnalyzeJson({url + "/debug/pprof/goroutine?debug=0",
                                url + "/debug/pprof/goroutineleak?debug=0"});
  EXPECT_EQ(both["series"]["snapshots"], 1);
  CheckMarks(both, /*lists_unmarked=*/true);
  EXPECT_TRUE(ListLines(both["runtime_agreement"]["leakhound_only"]).count(Line("global-chan-send")));
  for (const json& n : both["snapshot"]["notes"])
    EXPECT_EQ(n.get<std::string>().find("not found here"), std::string::npos) << n;
}

INSTANTIATE_TEST_SUITE_P(Go, LeakProfile, testing::Values("1.26", "1.27"),
                         [](const testing::TestParamInfo<std::string>& i) {
                           return e2e::GoParamName(i.param);
                         });

// Go 1.19 has no goroutineleak profile: leaky writes none, the service
// answers 404, and leakhound says what is missing.
TEST(LeakProfileGo119, AbsentAndAClearError) {
  std::string bin = e2e::BuildGo("leaky", "1.19");
  std::string d = e2e::WorkDir() + "/leakprofile-go1_19";
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  e2e::RunResult r = e2e::Run({bin, "-mode", "profiles", "-out", d});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(e2e::ReadFile(d + "/goroutine-debug2.txt").empty());
  struct stat st;
  for (const char* f : {"goroutineleak-debug2.txt", "goroutineleak-debug1.txt", "goroutineleak.pb.gz"})
    EXPECT_NE(stat((d + "/" + f).c_str(), &st), 0) << f << " should not exist";

  e2e::Service svc({bin, "-mode", "serve"}, "listening ");
  std::string url = svc.ready_line();
  e2e::RunResult a = e2e::Leakhound({"analyze", "--no-config", "--profile", "goroutineleak", url});
  EXPECT_EQ(a.status, 7) << a.err;  // HTTP status
  EXPECT_NE(a.err.find("HTTP 404"), std::string::npos) << a.err;
  EXPECT_NE(a.err.find("has no goroutineleak profile"), std::string::npos) << a.err;
  EXPECT_NE(a.err.find("GOEXPERIMENT=goroutineleakprofile"), std::string::npos) << a.err;
  // The goroutine profile of the same service: no marks, no comparison.
  json plain = e2e::AnalyzeJson({url});
  EXPECT_TRUE(plain["runtime_agreement"].is_null());
}

}  // namespace
