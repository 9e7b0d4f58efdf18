// End to end for `leakhound test`: the built binary runs the real go test
// of testdata/gotest under each Go toolchain (1.19, 1.26, 1.27). Every
// leaking test must be named with the line its goroutine blocks at
// (LEAK:tag), the go statement that started it (GO:tag) and the pattern;
// clean tests must not be; parallel tests and subtests must get their own
// leaks; exit codes must tell leaks, failing tests and build failures
// apart; and no file of the module may change.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "run_util.h"

namespace {

using e2e::RunOptions;
using e2e::RunResult;
using nlohmann::json;

std::string ModuleDir() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/gotest"; }

// Every file of the module, path -> bytes.
std::map<std::string, std::string> Snapshot() {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ModuleDir()))
    if (e.is_regular_file()) files[e.path().string()] = e2e::ReadFile(e.path().string());
  return files;
}

class GoTest : public testing::TestWithParam<std::string> {
 protected:
  // leakhound test ARGS in the module, with this toolchain; checks that
  // the module's files are byte-identical afterwards.
  RunResult LeakhoundTest(const std::vector<std::string>& args, const std::string& subdir = "") {
    const e2e::Toolchain& tc = e2e::GoToolchain(GetParam());
    std::map<std::string, std::string> before = Snapshot();
    std::vector<std::string> a = {"test", "--go", tc.go, "--settle", "300ms", "--no-config"};
    a.insert(a.end(), args.begin(), args.end());
    RunOptions o;
    o.env = e2e::GoEnv(tc);
    o.cwd = ModuleDir() + subdir;
    o.timeout_ms = 600'000;
    RunResult r = e2e::Leakhound(a, o);
    std::map<std::string, std::string> after = Snapshot();
    EXPECT_EQ(before.size(), after.size()) << "files were added or removed in the module";
    for (const auto& [path, bytes] : before)
      EXPECT_TRUE(after.count(path) && after[path] == bytes) << path << " changed";
    return r;
  }

  // One JSON run over the leaking and clean packages, shared by the
  // tests of one toolchain.
  const RunResult& MainRun() {
    static std::mutex mu;
    static std::map<std::string, RunResult> runs;
    std::lock_guard<std::mutex> lock(mu);
    auto it = runs.find(GetParam());
    if (it == runs.end())
      it = runs.emplace(GetParam(), LeakhoundTest({"--format", "json", "./leaky", "./parallel",
                                                   "./withmain", "./clean"}))
               .first;
    return it->second;
  }
};

struct Expected {
  const char* test;
  const char* file;  // below the module
  const char* leak;  // LEAK:tag: the blocking line
  const char* go;    // GO:tag: the go statement
  const char* pattern;
};

const Expected kLeaks[] = {
    {"TestSendLeak", "leaky/leaky.go", "send", "send", "chan-send-blocked"},
    {"TestRecvLeak", "leaky/leaky.go", "recv", "recv", "chan-recv-blocked"},
    {"TestNilChanLeak", "leaky/leaky.go", "nil", "nil", "nil-chan"},
    {"TestMutexLeak", "leaky/leaky.go", "mutex", "mutex", "mutex-held"},
    {"TestWaitGroupLeak", "leaky/leaky.go", "wg", "wg", "waitgroup-wait"},
    {"TestSelectLeak", "leaky/leaky.go", "select", "select", "select-forever"},
    {"TestRangeLeak", "leaky/leaky.go", "range", "range", "range-unclosed"},
    // On a global channel: the runtime's leak detector cannot prove it.
    {"TestGlobalLeak", "leaky/leaky.go", "global", "global", "chan-recv-blocked"},
    // The external test package, importing testing as tt.
    {"TestExternalLeak", "leaky/leaky.go", "send", "send", "chan-send-blocked"},
    // Parallel with TestParallelClean, which runs longer.
    {"TestParallelLeaky", "parallel/parallel.go", "recv", "leak", "chan-recv-blocked"},
    // Through a helper goroutine that has exited by then.
    {"TestSubtests/leaky", "parallel/parallel.go", "send", "spawned", "chan-send-blocked"},
    {"TestSubtests/parallel", "parallel/parallel.go", "recv", "leak", "chan-recv-blocked"},
    // The package has its own TestMain.
    {"TestUsesMain", "withmain/withmain.go", "send", "leak", "chan-send-blocked"},
};

int Marker(const std::string& file, const std::string& kind, const std::string& tag) {
  auto m = e2e::Markers(ModuleDir() + "/" + file, kind);
  EXPECT_TRUE(m.count(tag)) << file << " has no " << kind << ":" << tag;
  return m.count(tag) ? m[tag] : -1;
}

// The report holds exactly one leak: of `test`, with `pattern`, blocked at
// the LEAK:`leak` marker of `file` and started at its GO:`go` marker.
void ExpectOneLeak(const json& report, const std::string& test, const std::string& pattern,
                   const std::string& file, const std::string& leak, const std::string& go) {
  ASSERT_EQ(report["leaks"].size(), 1u) << report.dump(2);
  const json& l = report["leaks"][0];
  EXPECT_EQ(l["test"], test);
  EXPECT_EQ(l["pattern"], pattern);
  EXPECT_EQ(l["file"], ModuleDir() + "/" + file);
  EXPECT_EQ(l["line"], Marker(file, "LEAK", leak));
  EXPECT_EQ(l["creator"]["line"], Marker(file, "GO", go));
}

TEST_P(GoTest, NamesEveryLeakingTestWithItsLinesAndPattern) {
  const RunResult& r = MainRun();
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["schema"], "leakhound/test/v1");
  std::multimap<std::string, json> by_test;
  for (const json& l : report["leaks"]) by_test.emplace(l["test"].get<std::string>(), l);
  for (const Expected& e : kLeaks) {
    SCOPED_TRACE(e.test);
    ASSERT_EQ(by_test.count(e.test), 1u) << r.out;
    const json& l = by_test.find(e.test)->second;
    EXPECT_EQ(l["pattern"], e.pattern);
    EXPECT_EQ(l["severity"], "leak");
    // Go 1.26 (built with GOEXPERIMENT=goroutineleakprofile by leakhound)
    // and 1.27 have the goroutineleak profile: each survivor is either
    // proved by it or said to be unproved, with lower confidence.
    bool has_profile = GetParam() != "1.19";
    EXPECT_EQ(l["leak_profile_checked"], has_profile);
    // Channels only the leaked goroutine reaches are proved every time;
    // one on a package-level channel never is. Goroutines parked on a
    // sync primitive are proved in some runs only (seen with Go 1.27's
    // mutex), so for those either answer is fine as long as it is said.
    std::string pattern = e.pattern;
    bool sync_wait = pattern == "mutex-held" || pattern == "waitgroup-wait";
    if (std::string(e.test) == "TestGlobalLeak") {
      EXPECT_FALSE(l["runtime_proof"].get<bool>());
    } else if (!sync_wait) {
      EXPECT_EQ(l["runtime_proof"], has_profile);
    }
    if (has_profile && !l["runtime_proof"].get<bool>()) {
      EXPECT_LT(l["confidence"].get<double>(), 0.9);
      bool said = false;
      for (const json& why : l["reasons"])
        said |= why["text"].get<std::string>().find("did not mark it") != std::string::npos;
      EXPECT_TRUE(said) << l.dump();
    } else {
      EXPECT_GE(l["confidence"].get<double>(), 0.9);
    }
    EXPECT_EQ(l["file"], ModuleDir() + "/" + e.file);
    EXPECT_EQ(l["line"], Marker(e.file, "LEAK", e.leak));
    ASSERT_TRUE(l["creator"].is_object());
    EXPECT_EQ(l["creator"]["file"], ModuleDir() + "/" + e.file);
    EXPECT_EQ(l["creator"]["line"], Marker(e.file, "GO", e.go));
    EXPECT_EQ(l["count"], 1);
    EXPECT_NE(l["reasons"].back()["text"].get<std::string>().find("300ms settle time after " +
                                                                  std::string(e.test)),
              std::string::npos);
    EXPECT_FALSE(l["fix"].get<std::string>().empty());
  }
  // Clean tests (stopped in a cleanup, settling in time, the parallel
  // sibling, the subtests' parent, package clean) have none, and the
  // final check finds nothing no test claimed.
  EXPECT_EQ(report["leaks"].size(), std::size(kLeaks)) << r.out;
  EXPECT_FALSE(report["go_test"]["tests_failed"].get<bool>());
  std::set<std::string> checked(report["checked"].begin(), report["checked"].end());
  for (const char* t : {"example.com/gotest/leaky.TestClean", "example.com/gotest/clean.TestWaits",
                        "example.com/gotest/withmain.TestUsesMain"})
    EXPECT_TRUE(checked.count(t)) << t;
  // go test's own output went to stderr, the report alone to stdout.
  EXPECT_NE(r.err.find("ok  \texample.com/gotest/clean"), std::string::npos) << r.err;
}

TEST_P(GoTest, TextIsGoVetStyleAndQuietDropsGoTestOutput) {
  RunResult r = LeakhoundTest({"--quiet", "./withmain"});
  ASSERT_EQ(r.status, 1) << r.err;
  std::string want = "withmain/withmain.go:" +
                     std::to_string(Marker("withmain/withmain.go", "LEAK", "send")) +
                     ":3: TestUsesMain leaked 1 goroutine: ";
  EXPECT_EQ(r.out.rfind(want, 0), 0u) << r.out;
  std::string first = r.out.substr(0, r.out.find('\n'));
  EXPECT_TRUE(first.ends_with(" (chan-send-blocked)")) << first;
  EXPECT_NE(first.find("started by the go statement at withmain/withmain.go:" +
                       std::to_string(Marker("withmain/withmain.go", "GO", "leak"))),
            std::string::npos)
      << first;
  EXPECT_EQ(r.out.find("ok  \t"), std::string::npos);
  EXPECT_EQ(r.err.find("ok  \t"), std::string::npos);
}

TEST_P(GoTest, JUnitHasOneTestcasePerTest) {
  RunResult r = LeakhoundTest({"--format", "junit", "./withmain", "./clean"});
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("<testcase classname=\"example.com/gotest/clean\" name=\"TestWaits\"/>"),
            std::string::npos)
      << r.out;
  size_t leak = r.out.find("<testcase classname=\"example.com/gotest/withmain\" name=\"TestUsesMain\">");
  ASSERT_NE(leak, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<failure message=\"withmain/withmain.go:", leak), std::string::npos);
  EXPECT_NE(r.out.find("type=\"chan-send-blocked\"", leak), std::string::npos);
}

TEST_P(GoTest, CleanPackageExitsZero) {
  RunResult r = LeakhoundTest({"--format", "json", "./clean"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(json::parse(r.out)["leaks"].empty());
}

TEST_P(GoTest, FailingTestKeepsItsOwnExitCodeAndItsLeak) {
  RunResult r = LeakhoundTest({"--format", "json", "./failing"});
  ASSERT_EQ(r.status, 9) << r.err;
  json report = json::parse(r.out);
  EXPECT_TRUE(report["go_test"]["tests_failed"].get<bool>());
  // The leak is in the rewritten test file itself: its lines are the
  // user's, not the overlay copy's.
  ExpectOneLeak(report, "TestFails", "chan-send-blocked", "failing/failing_test.go", "send", "leak");
  EXPECT_NE(r.err.find("this test fails on purpose"), std::string::npos);
}

TEST_P(GoTest, BuildFailureExitsThreeNamingTheUsersFile) {
  RunResult r = LeakhoundTest({"./broken"});
  ASSERT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("broken/broken.go:5"), std::string::npos) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("leakhound-test-"), std::string::npos) << r.out << r.err;
}

TEST_P(GoTest, FinalCheckFindsLeaksOfUncheckedTests) {
  RunResult r = LeakhoundTest({"--format", "json", "./aftermain"});
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  ExpectOneLeak(report, "(after all tests)", "chan-send-blocked", "aftermain/aftermain_test.go",
                "send", "leak");
}

TEST_P(GoTest, GoleakStyleIgnoreFlags) {
  RunResult top = LeakhoundTest(
      {"--quiet", "--ignore-top-function", "example.com/gotest/withmain.Leak.func1", "./withmain"});
  EXPECT_EQ(top.status, 0) << top.out << top.err;
  RunResult any = LeakhoundTest(
      {"--quiet", "--ignore-any-function", "example.com/gotest/withmain.Leak.func1", "./withmain"});
  EXPECT_EQ(any.status, 0) << any.out << any.err;
  // The creator is no frame of the goroutine's own stack.
  RunResult other = LeakhoundTest(
      {"--quiet", "--ignore-any-function", "example.com/gotest/withmain.Leak", "./withmain"});
  EXPECT_EQ(other.status, 1) << other.out << other.err;
}

TEST_P(GoTest, HungTestIsReadFromTheTimeoutDump) {
  RunResult r = LeakhoundTest({"--format", "json", "./hang", "--", "-timeout", "3s"});
  ASSERT_EQ(r.status, 9) << r.err;
  json report = json::parse(r.out);
  std::map<int, json> by_line;
  for (const json& l : report["leaks"]) by_line[l["line"].get<int>()] = l;
  ASSERT_EQ(by_line.size(), 2u) << r.out;
  const std::string file = "hang/hang_test.go";
  const json& recv = by_line[Marker(file, "LEAK", "recv")];
  ASSERT_TRUE(recv.is_object()) << r.out;
  EXPECT_EQ(recv["kind"], "hang");
  EXPECT_EQ(recv["test"], "TestHangs");
  EXPECT_EQ(recv["pattern"], "chan-recv-blocked");
  EXPECT_TRUE(recv["creator"].is_null());  // started by package testing
  const json& send = by_line[Marker(file, "LEAK", "send")];
  ASSERT_TRUE(send.is_object()) << r.out;
  EXPECT_EQ(send["kind"], "hang");
  EXPECT_EQ(send["test"], "TestHangs");
  EXPECT_EQ(send["pattern"], "chan-send-blocked");
  EXPECT_EQ(send["creator"]["line"], Marker(file, "GO", "send"));
  EXPECT_NE(send["reasons"].back()["text"].get<std::string>().find("-timeout fired after 3s"),
            std::string::npos);
}

TEST_P(GoTest, RunsUnderVariedSchedulesCountWhereALeakShowed) {
  // The leak needs GOMAXPROCS=1, which the first of three runs has.
  RunResult r = LeakhoundTest({"--format", "json", "--runs", "3", "./flaky"});
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["runs"], 3);
  ASSERT_EQ(report["leaks"].size(), 1u) << r.out;
  const json& l = report["leaks"][0];
  EXPECT_EQ(l["test"], "TestSometimesLeaks");
  EXPECT_EQ(l["seen_in_runs"], 1);
  EXPECT_EQ(l["line"], Marker("flaky/flaky_test.go", "LEAK", "send"));
  EXPECT_NE(r.err.find("run 3 of 3 (GOMAXPROCS=4, -shuffle=on)"), std::string::npos) << r.err;
}

TEST_P(GoTest, BaselineAcceptsKnownLeaksOnly) {
  std::string file = e2e::WorkDir() + "/gotest-baseline-" + GetParam() + ".json";
  std::remove(file.c_str());
  RunResult write = LeakhoundTest({"--quiet", "--write-baseline", file, "./withmain"});
  ASSERT_EQ(write.status, 1) << write.err;
  json written = json::parse(e2e::ReadFile(file));
  ASSERT_EQ(written["leaks"].size(), 1u);
  EXPECT_EQ(written["leaks"][0]["test"], "TestUsesMain");
  // Without --force an existing baseline is kept.
  EXPECT_EQ(LeakhoundTest({"--quiet", "--write-baseline", file, "./withmain"}).status, 4);

  RunResult known = LeakhoundTest({"--format", "json", "--baseline", file, "./withmain"});
  EXPECT_EQ(known.status, 0) << known.err;
  EXPECT_TRUE(json::parse(known.out)["leaks"][0]["baselined"].get<bool>());
  RunResult fresh = LeakhoundTest({"--quiet", "--baseline", file, "./withmain", "./aftermain"});
  EXPECT_EQ(fresh.status, 1) << fresh.err;
  EXPECT_NE(fresh.err.find("1 known from the baseline"), std::string::npos) << fresh.err;
}

TEST_P(GoTest, ModuleWithReplaceDirective) {
  RunResult r = LeakhoundTest({"--format", "json", "./..."}, "/replaced");
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  ASSERT_EQ(report["leaks"].size(), 1u) << r.out;
  const json& l = report["leaks"][0];
  EXPECT_EQ(l["test"], "TestLeaksThroughReplace");
  EXPECT_EQ(l["package"], "example.com/replaced");
  // The goroutine blocks in the replaced module's code.
  EXPECT_EQ(l["file"], ModuleDir() + "/leaky/leaky.go");
  EXPECT_EQ(l["line"], Marker("leaky/leaky.go", "LEAK", "send"));
}

TEST_P(GoTest, PackagesWithTheirOwnLeakChecksKeepWorking) {
  RunResult r = LeakhoundTest({"--format", "json", "./ownchecks"});
  // Their own check still fails the leaking test (and only it); ours
  // reports the same leak.
  ASSERT_EQ(r.status, 9) << r.err;
  EXPECT_NE(r.err.find("--- FAIL: TestLeakWithOwnCheck"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("--- FAIL: TestCleanWithOwnCheck"), std::string::npos) << r.err;
  json report = json::parse(r.out);
  ASSERT_EQ(report["leaks"].size(), 1u) << r.out;
  EXPECT_EQ(report["leaks"][0]["test"], "TestLeakWithOwnCheck");
  EXPECT_EQ(report["leaks"][0]["line"], Marker("ownchecks/ownchecks_test.go", "LEAK", "send"));
}

// A module whose tests use Uber's goleak itself (go.uber.org/goleak
// v1.2.1 from the module proxy): goleak keeps failing tests as before;
// leakhound names the one test that leaked, where goleak also blames the
// clean test that ran after it.
TEST_P(GoTest, PackagesUsingGoleakKeepWorking) {
  RunResult r = LeakhoundTest({"--format", "json", "."}, "/withgoleak");
  ASSERT_EQ(r.status, 9) << r.err;  // goleak failed tests: a test failure
  EXPECT_NE(r.err.find("found unexpected goroutines"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--- FAIL: TestLeaksWithGoleak"), std::string::npos) << r.err;
  json report = json::parse(r.out);
  ExpectOneLeak(report, "TestLeaksWithGoleak", "chan-recv-blocked", "withgoleak/withgoleak_test.go",
                "recv", "worker");
}

TEST_P(GoTest, UntilLeakStopsATestsRepetitionsAtItsFirstLeak) {
  // The flaky test leaks in the first run (GOMAXPROCS=1) only; the series
  // goes on for the others.
  RunResult r = LeakhoundTest({"--format", "json", "--runs", "3", "--until-leak", "./flaky"});
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["runs"], 3);
  ASSERT_EQ(report["leaks"].size(), 1u) << r.out;
  EXPECT_EQ(report["leaks"][0]["seen_in_runs"], 1);

  // A test that leaks every time: its later repetitions, in the same run
  // (-count) and in later runs, are skipped; a clean test keeps running.
  RunResult every = LeakhoundTest({"--format", "json", "--runs", "2", "--until-leak", "./leaky", "--",
                                   "-run", "^(TestSendLeak|TestClean)$", "-count=3", "-v"});
  ASSERT_EQ(every.status, 1) << every.err;
  json e = json::parse(every.out);
  EXPECT_EQ(e["runs"], 2);
  ASSERT_EQ(e["leaks"].size(), 1u) << every.out;
  EXPECT_EQ(e["leaks"][0]["test"], "TestSendLeak");
  EXPECT_EQ(e["leaks"][0]["count"], 1) << every.out;
  EXPECT_EQ(e["leaks"][0]["seen_in_runs"], 1) << every.out;
  EXPECT_NE(every.err.find("this test already leaked"), std::string::npos) << every.err;

  // Without --until-leak every repetition runs and leaks.
  RunResult all = LeakhoundTest({"--format", "json", "--runs", "2", "./leaky", "--",
                                 "-run", "^TestSendLeak$", "-count=3"});
  json a = json::parse(all.out);
  ASSERT_EQ(a["leaks"].size(), 1u) << all.out;
  EXPECT_EQ(a["leaks"][0]["seen_in_runs"], 2) << all.out;
}

TEST_P(GoTest, GoTestFlagsAfterDoubleDash) {
  RunResult r = LeakhoundTest({"--format", "json", "./leaky", "--", "-run", "^TestSendLeak$", "-count=3"});
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  // Three runs of one test leaking at one place: one leak of three.
  ASSERT_EQ(report["leaks"].size(), 1u) << r.out;
  EXPECT_EQ(report["leaks"][0]["test"], "TestSendLeak");
  EXPECT_EQ(report["leaks"][0]["count"], 3);
}

// SARIF from the writer lint uses: rules from the pattern catalogue
// (outlived-test among them), one result per leak at its blocking line
// with the test in the message.
TEST_P(GoTest, SarifHasEveryLeakAtItsBlockingLine) {
  RunResult r = LeakhoundTest({"--quiet", "--format", "sarif", "./leaky", "./initgo"});
  ASSERT_EQ(r.status, 1) << r.err;
  json log = json::parse(r.out);
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  const json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "leakhound");
  std::set<std::string> rules;
  for (const json& rule : run["tool"]["driver"]["rules"]) {
    rules.insert(rule["id"].get<std::string>());
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
  }
  EXPECT_TRUE(rules.count("outlived-test")) << run["tool"]["driver"]["rules"].dump();
  struct Want {
    const char* test;
    const char* file;
    const char* leak;
    const char* rule;
  };
  const Want want[] = {
      {"TestSendLeak", "leaky/leaky.go", "send", "chan-send-blocked"},
      {"TestNilChanLeak", "leaky/leaky.go", "nil", "nil-chan"},
      {"TestGlobalLeak", "leaky/leaky.go", "global", "chan-recv-blocked"},
      {"TestWorkLeaks", "initgo/initgo.go", "work", "chan-send-blocked"},
      {"TestPollLeaks", "initgo/initgo.go", "poll", "outlived-test"},
  };
  // Every leak of the two packages (the 9 of leaky, 2 of initgo).
  EXPECT_EQ(run["results"].size(), 11u) << r.out;
  for (const Want& w : want) {
    SCOPED_TRACE(w.test);
    int found = 0;
    for (const json& res : run["results"]) {
      std::string msg = res["message"]["text"];
      if (msg.find(std::string(w.test) + " leaked") != 0) continue;
      ++found;
      EXPECT_EQ(res["ruleId"], w.rule);
      EXPECT_TRUE(rules.count(res["ruleId"].get<std::string>()));
      EXPECT_EQ(res["level"], "error");
      EXPECT_EQ(res["properties"]["test"], w.test);
      ASSERT_EQ(res["locations"].size(), 1u);
      const json& loc = res["locations"][0]["physicalLocation"];
      EXPECT_EQ(loc["artifactLocation"]["uri"], w.file);
      EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
      EXPECT_EQ(loc["region"]["startLine"], Marker(w.file, "LEAK", w.leak));
    }
    EXPECT_EQ(found, 1) << r.out;
  }
}

// --fail-on: survivors the verdict engine knows as expected (an idle
// keep-alive connection) are info, and fail only at --fail-on info.
TEST_P(GoTest, FailOnSeverity) {
  EXPECT_EQ(LeakhoundTest({"--quiet", "--fail-on", "leak", "./leaky"}).status, 1);
  EXPECT_EQ(LeakhoundTest({"--quiet", "--fail-on", "info", "./clean"}).status, 0);
  EXPECT_EQ(LeakhoundTest({"--quiet", "--fail-on", "bogus", "./clean"}).status, 2);
  // On Go 1.19 the chain comes from GODEBUG=tracebackancestors=1, which
  // leakhound test sets: the server's own goroutines (started in init)
  // are not the test's there either.
  RunResult dflt = LeakhoundTest({"--quiet", "--format", "json", "./expected"});
  EXPECT_EQ(dflt.status, 0) << dflt.out << dflt.err;
  json report = json::parse(dflt.out);
  ASSERT_FALSE(report["leaks"].empty()) << dflt.out;
  for (const json& l : report["leaks"]) EXPECT_EQ(l["severity"], "info") << l.dump();
  EXPECT_NE(dflt.err.find("below --fail-on leak"), std::string::npos) << dflt.err;
  EXPECT_EQ(LeakhoundTest({"--quiet", "--fail-on", "suspect", "./expected"}).status, 0);
  RunResult info = LeakhoundTest({"--quiet", "--fail-on", "info", "./expected"});
  EXPECT_EQ(info.status, 1) << info.out << info.err;
  EXPECT_NE(info.out.find("severity: info"), std::string::npos) << info.out;
}

// Goroutines already running when the tests start (started by init())
// are never any check's, as goleak's IgnoreCurrent: leakhound's checks
// note what exists when each test and TestMain start, so nothing is
// needed to ask for it.
TEST_P(GoTest, GoroutinesFromInitAreNeverReported) {
  RunResult r = LeakhoundTest({"--quiet", "--format", "json", "./initgo"});
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  int init_line = Marker("initgo/initgo.go", "LEAK", "init");
  std::set<std::string> tests;
  for (const json& l : report["leaks"]) {
    EXPECT_NE(l["line"], init_line) << l.dump();
    tests.insert(l["test"].get<std::string>());
  }
  EXPECT_EQ(tests, (std::set<std::string>{"TestWorkLeaks", "TestPollLeaks"})) << r.out;
}

// Go 1.26 has the goroutineleak profile only with the experiment, which
// leakhound turns on unless --no-leak-profile: without it the leaks are
// all still there, with no proof and reasons that say why; with it the
// ones the runtime proved carry the proof. Go 1.19 never has proof.
TEST_P(GoTest, LeakProfileWithAndWithoutTheExperiment) {
  if (GetParam() == "1.27") GTEST_SKIP() << "Go 1.27 always has the profile";
  std::vector<std::vector<std::string>> variants = {{}, {"--no-leak-profile"}};
  for (const auto& extra : variants) {
    bool profile = GetParam() == "1.26" && extra.empty();
    SCOPED_TRACE(profile ? "with the profile" : "without the profile");
    std::vector<std::string> args = {"--quiet", "--format", "json", "./leaky"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = LeakhoundTest(args);
    ASSERT_EQ(r.status, 1) << r.err;
    json report = json::parse(r.out);
    EXPECT_EQ(report["leaks"].size(), 9u) << r.out;
    int proved = 0;
    for (const json& l : report["leaks"]) {
      EXPECT_EQ(l["leak_profile_checked"], profile) << l.dump();
      EXPECT_EQ(l["severity"], "leak");
      proved += l["runtime_proof"].get<bool>();
      bool says_none = false;
      for (const json& why : l["reasons"])
        says_none |= why["text"].get<std::string>().find("no runtime proof sought") != std::string::npos;
      EXPECT_EQ(says_none, !profile) << l.dump();
    }
    if (profile)
      EXPECT_GE(proved, 5) << r.out;  // all but the global channel and, at times, sync waits
    else
      EXPECT_EQ(proved, 0) << r.out;
  }
}

// --race adds one run with go test -race after the --runs ones; the same
// leaks show there and are counted with the others.
TEST_P(GoTest, RaceAddsARaceRun) {
  if (GetParam() != "1.26") GTEST_SKIP() << "race builds are slow: one toolchain is enough";
  RunResult r = LeakhoundTest({"--format", "json", "--race", "./initgo"});
  ASSERT_EQ(r.status, 1) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["runs"], 2);
  EXPECT_NE(r.err.find("run 2 of 2 (GOMAXPROCS=2, -shuffle=on, -race)"), std::string::npos) << r.err;
  ASSERT_EQ(report["leaks"].size(), 2u) << r.out;
  for (const json& l : report["leaks"]) EXPECT_EQ(l["seen_in_runs"], 2) << l.dump();
}

INSTANTIATE_TEST_SUITE_P(Go, GoTest, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
