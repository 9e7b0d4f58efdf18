// Dumps as people paste them, from real Go programs on every toolchain:
// a debug=2 dump of testdata/go/leaky re-typed the way issues and chats
// re-type it (TABs as 4 or 8 spaces, "> " quotes, "│ " boxes, locations
// cut to "..."), and the CI log of testdata/go/hangtest: `go test
// -timeout 2s ./...` over three packages whose tests hang, three test
// binaries, three dumps in one log, three processes.
#include <gtest/gtest.h>

#include <sstream>

#include "run_util.h"
#include "../common/pasted.h"

namespace {

using e2e::Leakhound;
using e2e::RunOptions;
using e2e::RunResult;
using nlohmann::json;

class Paste : public testing::TestWithParam<std::string> {};

std::string Tmp(const std::string& name, const std::string& data) {
  std::string p = e2e::WorkDir() + "/paste-" + name;
  e2e::WriteFile(p, data);
  return p;
}

// A real debug=2 dump of testdata/go/leaky by Go `go`.
const std::string& LeakyDump(const std::string& go) {
  static std::map<std::string, std::string> texts;
  auto it = texts.find(go);
  if (it != texts.end()) return it->second;
  RunResult r = e2e::Run({e2e::BuildGo("leaky", go), "-mode", "debug2"});
  EXPECT_EQ(r.status, 0) << r.err;
  return texts[go] = r.out;
}

// The CI log of the hanging tests, as `go test` prints it.
const std::string& HangLog(const std::string& go) {
  static std::map<std::string, std::string> logs;
  auto it = logs.find(go);
  if (it != logs.end()) return it->second;
  const e2e::Toolchain& tc = e2e::GoToolchain(go);
  RunOptions o;
  o.env = e2e::GoEnv(tc);
  o.cwd = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/hangtest";
  o.timeout_ms = 600'000;
  RunResult r = e2e::Run({tc.go, "test", "-count=1", "-timeout", "2s", "./..."}, o);
  EXPECT_EQ(r.status, 1) << r.out.substr(0, 500) << r.err.substr(0, 500);
  return logs[go] = r.out + r.err;
}

using pasted::EachLine;
using pasted::Prefixed;
using pasted::Spaces;

// What a report says about its buckets, in a form two reports compare by.
std::string Buckets(const json& report) {
  std::ostringstream out;
  auto frame = [&](const json& f) {
    out << f["function"].get<std::string>() << " " << f["file"].get<std::string>() << ":"
        << f["line"].get<int>() << "\n";
  };
  for (const json& b : report["buckets"]) {
    out << b["count"].get<int>() << " [" << b["state"].get<std::string>() << "] ids";
    for (const json& id : b["ids"]) out << " " << id.get<uint64_t>();
    out << " cut=" << b["stack_cut"].get<bool>() << " elided=" << b["elided_frames"].get<int>()
        << "\n";
    for (const json& f : b["frames"]) {
      out << "  ";
      frame(f);
    }
    if (!b["creator"].is_null()) {
      out << "  created by ";
      frame(b["creator"]);
    }
  }
  return out.str();
}

TEST_P(Paste, PastedFormsReadLikeTheTabForm) {
  const std::string& dump = LeakyDump(GetParam());
  json tab = e2e::AnalyzeJson({Tmp("tab-go" + GetParam() + ".txt", dump)});
  std::string want = Buckets(tab);
  ASSERT_GT(tab["buckets"].size(), 10u);
  ASSERT_NE(want.find(".go:"), std::string::npos);
  struct Form {
    const char* name;
    std::string text;
  };
  const Form forms[] = {
      {"4spaces", Spaces(dump, 4)},
      {"8spaces", Spaces(dump, 8)},
      {"quoted", Prefixed(dump, "> ")},
      {"quoted-4spaces", Prefixed(Spaces(dump, 4), "> ")},
      {"boxed", Prefixed(dump, "\xe2\x94\x82 ")},
      {"boxed-8spaces", Prefixed(Spaces(dump, 8), "\xe2\x94\x82 ")},
      {"codeblock-4spaces", Prefixed(Spaces(dump, 4), "    ")},
      // ...with the first line's indent lost, as when pasted after "```".
      {"codeblock-first-line", Prefixed(Spaces(dump, 4), "    ").substr(4)},
  };
  for (const Form& f : forms) {
    SCOPED_TRACE(f.name);
    json r = e2e::AnalyzeJson({Tmp(std::string(f.name) + "-go" + GetParam() + ".txt", f.text)});
    EXPECT_EQ(Buckets(r), want);
    EXPECT_EQ(r["snapshot"]["total_goroutines"], tab["snapshot"]["total_goroutines"]);
    EXPECT_FALSE(r["snapshot"]["truncated"].get<bool>());
    EXPECT_EQ(r["findings"].size(), tab["findings"].size());
    EXPECT_TRUE(r["inputs"][0]["warnings"].empty()) << r["inputs"][0]["warnings"];
  }
}

// The location line of the first frame of the first goroutine blocked in
// main.consume, replaced by `cut`.
std::string CutConsumeLocation(const std::string& dump, const std::string& cut) {
  size_t fn = dump.find("\nmain.consume(");
  EXPECT_NE(fn, std::string::npos);
  size_t loc = dump.find('\n', fn + 1) + 1;
  size_t end = dump.find('\n', loc);
  return dump.substr(0, loc) + cut + dump.substr(end);
}

TEST_P(Paste, CutLocationKeepsTheFunction) {
  const std::string& dump = LeakyDump(GetParam());
  for (const std::string cut : {"...", "\t...", "        ..."}) {
    SCOPED_TRACE(cut);
    json r = e2e::AnalyzeJson({Tmp("cut-go" + GetParam() + ".txt", Spaces(CutConsumeLocation(dump, cut), 4))});
    EXPECT_FALSE(r["snapshot"]["truncated"].get<bool>()) << "the text goes on after the cut";
    EXPECT_TRUE(r["inputs"][0]["warnings"].empty()) << r["inputs"][0]["warnings"];
    json cut_bucket;
    for (const json& b : r["buckets"])
      if (b["stack_cut"].get<bool>()) {
        EXPECT_TRUE(cut_bucket.is_null()) << "one goroutine was cut";
        cut_bucket = b;
      }
    ASSERT_FALSE(cut_bucket.is_null());
    EXPECT_EQ(cut_bucket["count"], 1);
    EXPECT_EQ(cut_bucket["frames"][0]["function"], "main.consume");
    EXPECT_EQ(cut_bucket["frames"][0]["file"], "?");
    EXPECT_EQ(cut_bucket["frames"][0]["line"], 0);
    EXPECT_EQ(cut_bucket["elided_frames"], 0) << "not the runtime's elision";
    bool noted = false;
    for (const json& n : r["snapshot"]["notes"])
      noted = noted || n.get<std::string>().find("cut in the text") != std::string::npos;
    EXPECT_TRUE(noted) << r["snapshot"]["notes"];
  }
}

TEST_P(Paste, TextEndingAfterAFunctionLine) {
  const std::string& dump = LeakyDump(GetParam());
  size_t fn = dump.find("\nmain.consume(");
  ASSERT_NE(fn, std::string::npos);
  std::string cut = Prefixed(Spaces(dump.substr(0, dump.find('\n', fn + 1) + 1), 8), "> ");
  std::string path = Tmp("end-go" + GetParam() + ".txt", cut);
  json r = e2e::AnalyzeJson({path});
  EXPECT_TRUE(r["snapshot"]["truncated"].get<bool>());
  bool found = false;
  for (const json& b : r["buckets"]) {
    if (!b["stack_cut"].get<bool>()) continue;
    found = true;
    EXPECT_EQ(b["frames"].back()["function"], "main.consume");
    EXPECT_EQ(b["frames"].back()["file"], "?");
    EXPECT_EQ(b["elided_frames"], 0);
  }
  EXPECT_TRUE(found);
  RunResult text = Leakhound({"analyze", "--no-config", "--top", "1000", path});
  EXPECT_EQ(text.out.find("elided by the runtime"), std::string::npos) << "no false runtime note";
  EXPECT_NE(text.out.find("cut in the text"), std::string::npos);
  EXPECT_NE(text.out.find("(location cut)"), std::string::npos);
}

// The chan-send bucket of each process: package a leaves 1 goroutine
// blocked, b 2, c 3 (testdata/go/hangtest).
void CheckHangProcesses(const json& r) {
  EXPECT_EQ(r["inputs"][0]["dumps"], 3);
  EXPECT_EQ(r["series"]["chosen"], "separate");
  EXPECT_EQ(r["series"]["processes"], 3);
  EXPECT_NE(r["series"]["why"].get<std::string>().find("ends its process"), std::string::npos);
  ASSERT_EQ(r["processes"].size(), 3u);
  for (size_t p = 0; p < 3; ++p) {
    SCOPED_TRACE(p);
    const json& one = r["processes"][p];
    EXPECT_EQ(one["snapshot"]["kind"], "panic");
    EXPECT_NE(one["snapshot"]["preamble"].get<std::string>().find("test timed out"), std::string::npos);
    EXPECT_EQ(one["series"]["snapshots"], 1) << "a process is not a series of the three";
    EXPECT_EQ(one["series"]["dumps"], json::array({p + 1}));
    std::string pkg = std::string("hangtest/") + static_cast<char>('a' + p) + ".";
    uint64_t sending = 0;
    for (const json& b : one["buckets"])
      if (b["state"] == "chan send" && b["frames"][0]["function"].get<std::string>().starts_with(pkg))
        sending += b["count"].get<uint64_t>();
    EXPECT_EQ(sending, p + 1);
    for (const json& f : one["findings"])
      EXPECT_TRUE(f["growth"].is_null()) << "no growth across separate processes";
  }
}

TEST_P(Paste, CiLogOfThreeTestBinariesIsThreeProcesses) {
  const std::string& log = HangLog(GetParam());
  ASSERT_NE(log.find("panic: test timed out after 2s"), std::string::npos) << log.substr(0, 2000);
  CheckHangProcesses(e2e::AnalyzeJson({Tmp("ci-go" + GetParam() + ".log", log)}));
  // The same log pasted into an issue as a quote, TABs as spaces.
  CheckHangProcesses(
      e2e::AnalyzeJson({Tmp("ci-quoted-go" + GetParam() + ".log", Prefixed(Spaces(log, 4), "> "))}));

  std::string path = Tmp("ci-go" + GetParam() + ".log", log);
  RunResult text = Leakhound({"analyze", "--no-config", path});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("Series: 3 dumps analysed separately as 3 processes"), std::string::npos)
      << text.out.substr(0, 600);
  EXPECT_NE(text.out.find("=== Process 3 of 3 ==="), std::string::npos);
  // Told they are one process, they are a series of three again.
  json same = e2e::AnalyzeJson({"--series", "same", path});
  EXPECT_EQ(same["series"]["snapshots"], 3);
  EXPECT_EQ(same["series"]["chosen"], "same");
  json separate = e2e::AnalyzeJson({"--series", "separate", path});
  EXPECT_EQ(separate["series"]["processes"], 3);
  EXPECT_EQ(Leakhound({"analyze", "--series", "sometimes", path}).status, 2);
  // diff compares the last dump of each side, and says so.
  RunResult d = Leakhound({"diff", "--format", "json", path, path});
  ASSERT_EQ(d.status, 0) << d.err;
  json dj = json::parse(d.out);
  EXPECT_NE(dj["note"].get<std::string>().find("holds 3 dumps: its last is compared"), std::string::npos)
      << dj["note"];
  EXPECT_EQ(dj["new"]["total_goroutines"], separate["snapshot"]["total_goroutines"]);
}

INSTANTIATE_TEST_SUITE_P(Go, Paste, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
