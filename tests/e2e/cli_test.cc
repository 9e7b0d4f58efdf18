// The command line as a user meets it: formats, filters, exit codes,
// stdin, dumps inside logs, truncated dumps, several dumps in one file,
// config, baselines and --fail-on. Inputs are real dumps of
// testdata/go/leaky.
#include <gtest/gtest.h>
#include <filesystem>

#include "run_util.h"

namespace {

using e2e::Leakhound;
using e2e::RunOptions;
using e2e::RunResult;
using nlohmann::json;

// A real debug=2 dump of testdata/go/leaky by Go `go`, written once.
std::string RealDump(const std::string& go) {
  static std::map<std::string, std::string> paths;
  auto it = paths.find(go);
  if (it != paths.end()) return it->second;
  e2e::RunResult r = e2e::Run({e2e::BuildGo("leaky", go), "-mode", "debug2"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::string p = e2e::WorkDir() + "/cli-debug2-go" + go + ".txt";
  e2e::WriteFile(p, r.out);
  return paths[go] = p;
}

std::string Tmp(const std::string& name, const std::string& data) {
  std::string p = e2e::WorkDir() + "/" + name;
  e2e::WriteFile(p, data);
  return p;
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// bucket count per top frame "file:line"
std::map<std::string, uint64_t> Buckets(const json& r) {
  std::map<std::string, uint64_t> m;
  for (const json& b : r["buckets"]) {
    std::string key = b["state"].get<std::string>() + "@" +
                      (b["top_frame"].is_null() ? std::string("-")
                                                : b["top_frame"]["function"].get<std::string>() + ":" +
                                                      std::to_string(b["top_frame"]["line"].get<int>()));
    m[key] += b["count"].get<uint64_t>();
  }
  return m;
}

class Cli : public testing::TestWithParam<std::string> {};

TEST_P(Cli, TextOutputHasSummaryFindingsAndBuckets) {
  RunResult r = Leakhound({"analyze", "--no-config", RealDump(GetParam())});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("goroutines"), std::string::npos);
  EXPECT_NE(r.out.find("By state:"), std::string::npos);
  EXPECT_NE(r.out.find("Findings"), std::string::npos);
  EXPECT_NE(r.out.find("nil-chan"), std::string::npos);
  EXPECT_NE(r.out.find("Buckets"), std::string::npos);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no colour when not a terminal";
  RunResult c = Leakhound({"analyze", "--no-config", "--color", "always", RealDump(GetParam())});
  EXPECT_NE(c.out.find("\x1b["), std::string::npos);
}

TEST_P(Cli, TopAndFilters) {
  json all = e2e::AnalyzeJson({RealDump(GetParam())});
  json top = e2e::AnalyzeJson({"--top", "2", RealDump(GetParam())});
  EXPECT_EQ(top["buckets"].size(), 2u);
  EXPECT_EQ(top["buckets_total"], all["buckets_total"]);
  EXPECT_GT(all["buckets"].size(), 2u);

  json only = e2e::AnalyzeJson({"--filter", R"(main\.\(\*pipeline\))", RealDump(GetParam())});
  ASSERT_EQ(only["buckets"].size(), 2u);  // publish and listen
  for (const json& b : only["buckets"])
    EXPECT_NE(b["top_frame"]["function"].get<std::string>().find("pipeline"), std::string::npos);

  json ex = e2e::AnalyzeJson({"--exclude", "^main\\.", "--exclude", "^net/http\\.", RealDump(GetParam())});
  for (const json& b : ex["buckets"])
    for (const json& f : b["frames"]) {
      EXPECT_NE(f["function"].get<std::string>().rfind("main.", 0), 0u);
      EXPECT_NE(f["function"].get<std::string>().rfind("net/http.", 0), 0u);
    }
  EXPECT_LT(ex["buckets"].size(), all["buckets"].size());
}

TEST_P(Cli, UsageErrorsExit2WithOneLine) {
  RunResult bad_re = Leakhound({"analyze", "--filter", "(unclosed", RealDump(GetParam())});
  EXPECT_EQ(bad_re.status, 2);
  EXPECT_EQ(Lines(bad_re.err), 1) << bad_re.err;
  RunResult flag = Leakhound({"analyze", "--no-such-flag", RealDump(GetParam())});
  EXPECT_EQ(flag.status, 2);
  EXPECT_EQ(Lines(flag.err), 1) << flag.err;
  RunResult dump = Leakhound({"analyze", "--dump", "5", RealDump(GetParam())});
  EXPECT_EQ(dump.status, 2);
  EXPECT_EQ(Leakhound({"explain", "no-such-pattern"}).status, 2);
  EXPECT_EQ(Leakhound({"--version"}).status, 0);
  EXPECT_EQ(Leakhound({"--help"}).status, 0);
  EXPECT_EQ(Leakhound({"analyze", "--help"}).status, 0);
}

TEST_P(Cli, InputErrorsExit3NamingTheFile) {
  std::string missing = e2e::WorkDir() + "/does-not-exist.txt";
  RunResult r = Leakhound({"analyze", missing});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_NE(r.err.find(missing), std::string::npos);
  std::string text = Tmp("not-a-dump.txt", "hello\nthis is a log\nwith no goroutines\n");
  RunResult n = Leakhound({"analyze", text});
  EXPECT_EQ(n.status, 3);
  EXPECT_NE(n.err.find("not-a-dump.txt"), std::string::npos);
  EXPECT_NE(n.err.find("no goroutine dump"), std::string::npos);
  std::string binary = Tmp("binary.bin", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0", 12) + std::string(5000, '\0'));
  EXPECT_EQ(Leakhound({"analyze", binary}).status, 3);
  EXPECT_EQ(Leakhound({"analyze", e2e::WorkDir()}).status, 3) << "a directory";
}

TEST_P(Cli, StdinAndLogPrefixesGiveTheSameBuckets) {
  std::string dump = e2e::ReadFile(RealDump(GetParam()));
  json plain = e2e::AnalyzeJson({RealDump(GetParam())});
  RunOptions o;
  o.stdin_data = dump;
  RunResult s = Leakhound({"analyze", "--format", "json", "--no-config", "-"}, o);
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(Buckets(json::parse(s.out)), Buckets(plain));

  // The same dump as kubectl / container runtimes and glog print it.
  std::string kube, glog;
  std::istringstream in(dump);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    kube += "2026-11-23T10:00:0" + std::to_string(n % 10) + ".123456789Z stderr F " + line + "\n";
    glog += "E1123 10:00:00.0000" + std::to_string(10 + n % 90) + "   4242 main.go:42] " + line + "\n";
    ++n;
  }
  json k = e2e::AnalyzeJson({Tmp("kube.log", "starting service\n" + kube + "shutting down\n")});
  EXPECT_EQ(Buckets(k), Buckets(plain));
  json g = e2e::AnalyzeJson({Tmp("glog.log", glog)});
  EXPECT_EQ(Buckets(g), Buckets(plain));
  // JSON log records, the dump in one field with \n escapes.
  std::string record = json{{"level", "error"}, {"msg", "goroutine dump"}, {"stack", dump}}.dump();
  json j = e2e::AnalyzeJson({Tmp("json.log", "{\"level\":\"info\",\"msg\":\"up\"}\n" + record + "\n")});
  EXPECT_EQ(Buckets(j), Buckets(plain));
}

// A line only a JSON record needs that long: a plain line past 8 MiB is
// skipped with a warning naming it (the dump around it is read, in a
// bounded buffer), while a JSON record of more than 8 MiB that carries the
// dump is still read whole.
TEST_P(Cli, HugePlainLineIsSkippedButAHugeJsonRecordIsRead) {
  std::string dump = e2e::ReadFile(RealDump(GetParam()));
  json plain = e2e::AnalyzeJson({RealDump(GetParam())});
  std::string junk = "main." + std::string(9 << 20, 'f') + "()\n";
  std::string path = Tmp("huge-plain.txt", junk + dump);
  RunResult r = Leakhound({"analyze", "--no-config", "--format", "json", path});
  ASSERT_EQ(r.status, 0) << r.err.substr(0, 500);
  EXPECT_NE(r.err.find(":1: line longer than 8 MiB skipped (not a JSON record)"), std::string::npos)
      << r.err.substr(0, 500);
  EXPECT_EQ(Buckets(json::parse(r.out)), Buckets(plain));

  std::string record =
      json{{"level", "error"}, {"stack", dump}, {"pad", std::string(9 << 20, 'p')}}.dump();
  std::string rec_path = Tmp("huge-record.log", record + "\n");
  RunResult j = Leakhound({"analyze", "--no-config", "--format", "json", rec_path});
  ASSERT_EQ(j.status, 0) << j.err.substr(0, 500);
  EXPECT_EQ(j.err.find("longer than"), std::string::npos) << j.err.substr(0, 500);
  EXPECT_EQ(Buckets(json::parse(j.out)), Buckets(plain));
}

TEST_P(Cli, TruncatedDumpParsesUpToTheCut) {
  std::string dump = e2e::ReadFile(RealDump(GetParam()));
  // Cut in the middle of a goroutine's frames.
  size_t cut = dump.find("\n\t", dump.size() / 2) + 4;
  std::string path = Tmp("truncated.txt", dump.substr(0, cut));
  json t = e2e::AnalyzeJson({path});
  json full = e2e::AnalyzeJson({RealDump(GetParam())});
  EXPECT_TRUE(t["snapshot"]["truncated"].get<bool>());
  EXPECT_LT(t["snapshot"]["total_goroutines"].get<int>(), full["snapshot"]["total_goroutines"].get<int>());
  EXPECT_GT(t["snapshot"]["total_goroutines"].get<int>(), 0);
  RunResult text = Leakhound({"analyze", "--no-config", path});
  EXPECT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("truncated"), std::string::npos);
}

TEST_P(Cli, LooseGroupingNeverHasMoreBuckets) {
  json exact = e2e::AnalyzeJson({RealDump(GetParam())});
  json loose = e2e::AnalyzeJson({"--group", "loose", RealDump(GetParam())});
  EXPECT_LE(loose["buckets_total"].get<int>(), exact["buckets_total"].get<int>());
  EXPECT_EQ(loose["grouping"], "loose");
}

TEST_P(Cli, SeveralDumpsInOneFile) {
  std::string dump = e2e::ReadFile(RealDump(GetParam()));
  std::string first = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n\n";
  std::string path = Tmp("two.txt", "SIGQUIT: quit\nPC=0x0 m=0 sigcode=0\n\n" + first + "\nlater...\n" + dump);
  json one = e2e::AnalyzeJson({"--dump", "1", path});
  EXPECT_EQ(one["snapshot"]["total_goroutines"], 1);
  // The first dump is a SIGQUIT dump: its process ended there, so the
  // second is another process, analysed on its own (not a series of 2).
  json split = e2e::AnalyzeJson({path});
  EXPECT_EQ(split["inputs"][0]["dumps"], 2);
  EXPECT_EQ(split["series"]["snapshots"], 1);
  EXPECT_EQ(split["series"]["chosen"], "separate");
  EXPECT_EQ(split["series"]["processes"], 2);
  ASSERT_EQ(split["processes"].size(), 2u);
  EXPECT_EQ(split["processes"][0]["snapshot"]["total_goroutines"], 1);
  EXPECT_NE(split["series"]["why"].get<std::string>().find("dump 1 ends its process"), std::string::npos)
      << split["series"]["why"];
  EXPECT_EQ(split["snapshot"]["total_goroutines"],
            e2e::AnalyzeJson({RealDump(GetParam())})["snapshot"]["total_goroutines"]);
  // Said to be one process, they are a series again.
  json series = e2e::AnalyzeJson({"--series", "same", path});
  EXPECT_EQ(series["series"]["snapshots"], 2);
  EXPECT_EQ(series["series"]["chosen"], "same");
  EXPECT_TRUE(series["processes"].is_null());
}

TEST_P(Cli, PatternsAndExplain) {
  RunResult p = Leakhound({"patterns"});
  ASSERT_EQ(p.status, 0);
  for (const char* id : {"chan-send-blocked", "chan-recv-blocked", "range-unclosed", "nil-chan",
                         "select-forever", "mutex-held", "waitgroup-wait", "cond-wait",
                         "http-no-timeout", "context-never-done", "busy-loop", "runtime-leaked",
                         "bubble-deadlock", "outlived-test"})
    EXPECT_NE(p.out.find(id), std::string::npos) << id;
  RunResult e = Leakhound({"explain", "waitgroup-wait"});
  EXPECT_EQ(e.status, 0);
  EXPECT_NE(e.out.find("wg.Done()"), std::string::npos);
  // leakhound test's own pattern is in the one catalogue too.
  RunResult o = Leakhound({"explain", "outlived-test"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("outlived-test: Goroutine outlived its test"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("t.Cleanup"), std::string::npos) << o.out;
}

// outlived-test needs the test check's knowledge of which test left a
// goroutine behind: analyze never names it, whatever the dump.
TEST_P(Cli, AnalyzeNeverReportsOutlivedTest) {
  std::vector<std::string> dumps = {RealDump(GetParam())};
  for (const auto& e : std::filesystem::directory_iterator(std::string(LEAKHOUND_SOURCE_DIR) +
                                                           "/testdata/dumps"))
    if (e.path().extension() == ".txt") dumps.push_back(e.path().string());
  for (const std::string& d : dumps) {
    SCOPED_TRACE(d);
    RunResult r = Leakhound({"analyze", "--format", "json", "--no-config", "--all", d});
    ASSERT_TRUE(r.status == 0 || r.status == 1) << r.err;
    json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(r.out.find("outlived-test"), std::string::npos);
  }
}

TEST_P(Cli, FailOnBaselineAndConfig) {
  // nil-chan findings are leaks in this dump.
  EXPECT_EQ(Leakhound({"analyze", "--no-config", "--fail-on", "leak", RealDump(GetParam())}).status, 1);
  std::string base = e2e::WorkDir() + "/baseline.json";
  std::remove(base.c_str());
  EXPECT_EQ(Leakhound({"analyze", "--no-config", "--write-baseline", base, RealDump(GetParam())}).status, 0);
  // Writing again must not replace the user's file...
  RunResult again = Leakhound({"analyze", "--no-config", "--write-baseline", base, RealDump(GetParam())});
  EXPECT_EQ(again.status, 4);
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  // ...and with it accepted, nothing new fails the build.
  EXPECT_EQ(Leakhound({"analyze", "--no-config", "--fail-on", "suspect", "--baseline", base, RealDump(GetParam())}).status, 0);

  std::string dir = e2e::WorkDir() + "/cfgdir";
  std::string mk = "mkdir -p " + dir;
  ASSERT_EQ(std::system(mk.c_str()), 0);
  e2e::WriteFile(dir + "/.leakhound.yaml", "ignore:\n  - pattern: nil-chan\n    reason: test\n");
  RunOptions in_dir;
  in_dir.cwd = dir;
  RunResult r = Leakhound({"analyze", "--format", "json", RealDump(GetParam())}, in_dir);
  ASSERT_EQ(r.status, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["ignored"], 2);
  for (const json& f : j["findings"]) EXPECT_NE(f["pattern"], "nil-chan");

  e2e::WriteFile(dir + "/.leakhound.yaml", "thresholds:\n  leak: 0.7\n  leek: 0.1\n");
  RunResult bad = Leakhound({"analyze", RealDump(GetParam())}, in_dir);
  EXPECT_EQ(bad.status, 4);
  EXPECT_NE(bad.err.find(".leakhound.yaml:3:"), std::string::npos) << bad.err;
}

TEST_P(Cli, SeriesOfFilesFlagsGrowth) {
  // Three snapshots of the growing program (written by the program, so
  // the times are real).
  std::string dir = e2e::WorkDir() + "/growing-snapshots-go" + GetParam();
  std::string mk = "rm -rf " + dir + " && mkdir -p " + dir;
  ASSERT_EQ(std::system(mk.c_str()), 0);
  e2e::RunResult g = e2e::Run({e2e::BuildGo("growing", GetParam()), "-snapshots", "4", "-interval", "150ms", "-out", dir});
  ASSERT_EQ(g.status, 0) << g.err;
  json r = e2e::AnalyzeJson({dir + "/snap-000.txt", dir + "/snap-001.txt", dir + "/snap-002.txt", dir + "/snap-003.txt"});
  EXPECT_EQ(r["series"]["snapshots"], 4);
  auto markers = e2e::Markers(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/growing/main.go", "LEAK");
  auto benign = e2e::Markers(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/growing/main.go", "BENIGN");
  bool grow = false, busy = false, pool_quiet = true;
  for (const json& f : r["findings"]) {
    int line = f["blocking_frame"].is_null() ? 0 : f["blocking_frame"]["line"].get<int>();
    if (line == markers["growing-send"]) {
      grow = true;
      EXPECT_EQ(f["pattern"], "chan-send-blocked");
      EXPECT_EQ(f["severity"], "leak") << f.dump(2);
      EXPECT_TRUE(f["growth"]["growing"].get<bool>());
    }
    // A spinning goroutine is caught wherever preemption stopped it in
    // the loop, so match it by function, not by line.
    if (!f["blocking_frame"].is_null() && f["blocking_frame"]["function"] == "main.spin") {
      busy = true;
      EXPECT_EQ(f["pattern"], "busy-loop");
    }
    if (line == benign["flat-pool"]) pool_quiet = pool_quiet && f["severity"] == "info";
  }
  EXPECT_TRUE(grow);
  EXPECT_TRUE(busy);
  EXPECT_TRUE(pool_quiet);
}

INSTANTIATE_TEST_SUITE_P(Go, Cli, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
