// End to end on real Go output: testdata/go/nobodyleft is built and run by
// each Go toolchain (1.19, 1.26, 1.27); with the source, the built
// leakhound must prove every goroutine parked on a channel or WaitGroup
// that only its own function's code can reach, once every goroutine
// running that code is parked too ("nobody left to wake it"), list the
// component, and prove nothing where someone can still reach the object
// (the function is asleep, a timer case, a channel stored where others
// can send). Without the source, or with a source that no longer
// matches the dump, nothing is proven this way.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "finding_at.h"
#include "run_util.h"

namespace {

using nlohmann::json;

const std::string kDir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/nobodyleft";

class NobodyLeft : public testing::TestWithParam<std::string> {
 public:
  static std::string Dump(const std::string& version) {
    e2e::RunResult run = e2e::Run({e2e::BuildGo("nobodyleft", version)});
    EXPECT_EQ(run.status, 0) << run.err;
    std::string moved = std::regex_replace(run.out, std::regex(kDir + "/"), "/nonexistent/nobodyleft/");
    std::string path = e2e::WorkDir() + "/nobodyleft-go" + version + ".txt";
    e2e::WriteFile(path, moved);
    return path;
  }
  static std::string SourceDir(const std::string& name, const std::string& text) {
    std::string dir = e2e::WorkDir() + "/nobodyleft-src-" + name;
    std::filesystem::create_directories(dir);
    e2e::WriteFile(dir + "/main.go", text);
    return dir;
  }
  static int Proven(const json& r) {
    int n = 0;
    for (const json& f : r["findings"])
      n += !f["proof"].is_null() && f["proof"]["marker"] == "nobody-left";
    return n;
  }
};

TEST_P(NobodyLeft, ProvesWhatNobodyCanReach) {
  std::string dump = Dump(GetParam());
  std::string src = SourceDir("as-built", e2e::ReadFile(kDir + "/main.go"));
  json r = e2e::AnalyzeJson({"--source", src, dump});
  auto leak = e2e::Markers(kDir + "/main.go", "LEAK");
  auto live = e2e::Markers(kDir + "/main.go", "LIVE");
  ASSERT_EQ(leak.size(), 6u);
  ASSERT_EQ(live.size(), 4u);

  auto component_lines = [](const json& f) {
    std::set<int> lines;
    for (const json& m : f["proof"]["component"]) lines.insert(m["line"].get<int>());
    return lines;
  };
  for (const auto& [tag, line] : leak) {
    json f = e2e::FindingAt(r, "main.go", line);
    ASSERT_FALSE(f.is_null()) << tag << "\n" << r.dump();
    EXPECT_EQ(f["severity"], "leak") << tag << f.dump();
    ASSERT_FALSE(f["proof"].is_null()) << tag << f.dump();
    EXPECT_EQ(f["proof"]["marker"], "nobody-left") << tag;
    EXPECT_EQ(f["proof"]["by"], "leakhound") << tag;
    EXPECT_TRUE(component_lines(f).count(line)) << tag << f.dump();
  }
  // The sender and the receiver of Exchange are one component: each
  // lists both.
  for (const char* tag : {"pair-send", "pair-recv"}) {
    json f = e2e::FindingAt(r, "main.go", leak[tag]);
    EXPECT_EQ(component_lines(f), (std::set<int>{leak["pair-send"], leak["pair-recv"]})) << tag;
  }
  // consume got its channel from Import's go statement: the proof names
  // both functions.
  std::string range_text = e2e::FindingAt(r, "main.go", leak["range"])["proof"]["text"];
  EXPECT_NE(range_text.find("Import"), std::string::npos) << range_text;
  EXPECT_NE(range_text.find("consume"), std::string::npos) << range_text;
  // numbers returns its channel to First's range: the proof names the
  // caller that shares it.
  std::string returned_text = e2e::FindingAt(r, "main.go", leak["returned"])["proof"]["text"];
  EXPECT_NE(returned_text.find("First (ranges over its result"), std::string::npos) << returned_text;
  json wg = e2e::FindingAt(r, "main.go", leak["wg"]);
  EXPECT_EQ(wg["proof"]["component"][0]["op"], "WaitGroup.Wait");

  for (const auto& [tag, line] : live) {
    json f = e2e::FindingAt(r, "main.go", line);
    EXPECT_TRUE(f.is_null() || f["proof"].is_null()) << tag << f.dump();
  }
  EXPECT_EQ(Proven(r), 6);

  e2e::RunResult text = e2e::Leakhound({"analyze", "--no-config", "--source", src, dump});
  EXPECT_NE(text.out.find("nobody is left to wake it"), std::string::npos) << text.out;
}

TEST_P(NobodyLeft, NoProofWithoutMatchingSource) {
  std::string dump = Dump(GetParam());
  std::string original = e2e::ReadFile(kDir + "/main.go");
  EXPECT_EQ(Proven(e2e::AnalyzeJson({"--no-source", dump})), 0);
  json stale = e2e::AnalyzeJson({"--source", SourceDir("stale", "// edited\n" + original), dump});
  EXPECT_EQ(Proven(stale), 0) << stale.dump();
  // Fetch's result channel handed to a registry: it leaves the function,
  // so its sender is no longer proven; the others stand.
  std::string fixed = std::regex_replace(original, std::regex("result := make\\(chan string\\)"),
                                         "result := make(chan string); registry = append(registry, nil); keep(result)");
  ASSERT_NE(fixed, original);
  fixed += "\nfunc keep(chan string) {}\n";
  json r = e2e::AnalyzeJson({"--source", SourceDir("escapes", fixed), dump});
  auto leak = e2e::Markers(kDir + "/main.go", "LEAK");
  json f = e2e::FindingAt(r, "main.go", leak["abandoned"]);
  ASSERT_FALSE(f.is_null());
  EXPECT_TRUE(f["proof"].is_null()) << f.dump();
  EXPECT_EQ(Proven(r), 5);

  // Another file of the package names numbers: it may call it and keep
  // the channel, so the returned channel's sender is not proven.
  std::string dir = SourceDir("sibling", original);
  e2e::WriteFile(dir + "/more.go", "package main\n\nvar kept = numbers\n");
  json sib = e2e::AnalyzeJson({"--source", dir, dump});
  json g = e2e::FindingAt(sib, "main.go", leak["returned"]);
  ASSERT_FALSE(g.is_null());
  EXPECT_TRUE(g["proof"].is_null()) << g.dump();
  EXPECT_EQ(Proven(sib), 5);
}

// The HTML page lists each nobody-left component (tests/browser/
// waitfor.test.mjs, in Debian's chromium); one toolchain feeds it.
TEST(NobodyLeftHtml, ListsEachComponentInChromium) {
  std::string dump = NobodyLeft::Dump("1.26");
  std::string src = NobodyLeft::SourceDir("html", e2e::ReadFile(kDir + "/main.go"));
  e2e::RunResult a = e2e::Leakhound({"analyze", "--no-config", "--format", "html", "--source", src, dump});
  ASSERT_EQ(a.status, 0) << a.err;
  std::string html = e2e::WorkDir() + "/nobodyleft.html";
  e2e::WriteFile(html, a.out);
  std::string w = LEAKHOUND_WORK_DIR;
  e2e::RunOptions o;
  o.timeout_ms = 300'000;
  e2e::RunResult r = e2e::Run({std::string(LEAKHOUND_SOURCE_DIR) + "/tests/browser/waitfor.sh",
                               w.substr(0, w.rfind('/')), html, "nobodyleft"},
                              o);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Go, NobodyLeft, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
