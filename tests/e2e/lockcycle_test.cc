// End to end on real Go output: testdata/go/lockcycle is built and run by
// each Go toolchain (1.19, 1.26, 1.27); the built leakhound reads its dump
// with the source and must prove the three lock cycles (a double lock
// through a call, AB-BA, a recursive RLock behind a queued writer) with
// the right pattern, goroutines, objects and lines, name the holder of the
// lock that is held across a channel send without calling it a proof,
// and prove nothing about a lock held by a goroutine that is only asleep.
// The same dump without the source, with a source that no longer matches
// it, or with a fixed source, proves nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <regex>

#include "finding_at.h"
#include "run_util.h"

namespace {

using nlohmann::json;

const std::string kDir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/lockcycle";

class LockCycle : public testing::TestWithParam<std::string> {
 public:
  // The program's dump, its paths moved under /nonexistent so only the
  // --source folder of a test can supply the source.
  static std::string Dump(const std::string& version) {
    e2e::RunResult run = e2e::Run({e2e::BuildGo("lockcycle", version)});
    EXPECT_EQ(run.status, 0) << run.err;
    std::string moved = std::regex_replace(run.out, std::regex(kDir + "/"), "/nonexistent/lockcycle/");
    std::string path = e2e::WorkDir() + "/lockcycle-go" + version + ".txt";
    e2e::WriteFile(path, moved);
    return path;
  }
  // A --source folder holding main.go as `text`.
  static std::string SourceDir(const std::string& name, const std::string& text) {
    std::string dir = e2e::WorkDir() + "/lockcycle-src-" + name;
    std::filesystem::create_directories(dir);
    e2e::WriteFile(dir + "/main.go", text);
    return dir;
  }
  static int Proven(const json& r) {
    int n = 0;
    for (const json& f : r["findings"]) n += !f["proof"].is_null();
    return n;
  }
};

TEST_P(LockCycle, ProvesEachCycleAndNothingElse) {
  std::string dump = Dump(GetParam());
  std::string original = e2e::ReadFile(kDir + "/main.go");
  std::string src = SourceDir("as-built", original);
  json r = e2e::AnalyzeJson({"--source", src, dump});
  auto leak = e2e::Markers(kDir + "/main.go", "LEAK");
  auto held = e2e::Markers(kDir + "/main.go", "HELD");
  auto live = e2e::Markers(kDir + "/main.go", "LIVE");

  auto at = [&](int line) { return e2e::FindingAt(r, "main.go", line); };
  auto proof_of = [&](int line) {
    json f = at(line);
    EXPECT_FALSE(f.is_null()) << "no finding at line " << line << "\n" << r.dump();
    if (f.is_null() || f["proof"].is_null()) return json();
    EXPECT_EQ(f["severity"], "leak") << f.dump();
    EXPECT_EQ(f["proof"]["marker"], "wait-for-cycle");
    EXPECT_EQ(f["proof"]["by"], "leakhound");
    return f;
  };

  // Ledger.Add -> Total: one goroutine waits for the lock it took itself.
  json self = proof_of(leak["self-relock"]);
  ASSERT_FALSE(self.is_null());
  EXPECT_EQ(self["pattern"], "mutex-held");
  ASSERT_EQ(self["proof"]["cycle"].size(), 1u);
  json step = self["proof"]["cycle"][0];
  EXPECT_EQ(step["goroutine"], step["holder"]);
  EXPECT_EQ(step["wants"]["line"], leak["self-relock"]);
  EXPECT_EQ(step["held"]["line"], held["self-first"]);
  EXPECT_EQ(step["wants"]["object"], step["held"]["object"]);

  // move(a, b) and move(b, a): two goroutines, each holding the other's.
  json abba = proof_of(leak["second-account"]);
  ASSERT_FALSE(abba.is_null());
  EXPECT_EQ(abba["pattern"], "lock-order-inversion");
  ASSERT_EQ(abba["proof"]["cycle"].size(), 2u);
  json s0 = abba["proof"]["cycle"][0], s1 = abba["proof"]["cycle"][1];
  EXPECT_EQ(s0["holder"], s1["goroutine"]);
  EXPECT_EQ(s1["holder"], s0["goroutine"]);
  EXPECT_NE(s0["wants"]["object"], s1["wants"]["object"]);
  EXPECT_EQ(s0["wants"]["object"], s0["held"]["object"]);  // the same lock, under two names
  EXPECT_EQ(s1["wants"]["object"], s1["held"]["object"]);
  EXPECT_EQ(s0["wants"]["lock"], "to.mu");
  EXPECT_EQ(s0["held"]["lock"], "from.mu");
  EXPECT_EQ(s0["held"]["line"], held["first-account"]);
  int abba_findings = 0;
  for (const json& f : r["findings"]) abba_findings += f["pattern"] == "lock-order-inversion";
  EXPECT_EQ(abba_findings, 2) << "one per creation site, both proven";

  // Audit waits for account a, which a mover of the cycle holds: proven
  // too, and listed after the cycle it waits behind.
  json behind = proof_of(leak["behind-cycle"]);
  ASSERT_FALSE(behind.is_null());
  EXPECT_EQ(behind["pattern"], "mutex-held");
  ASSERT_EQ(behind["proof"]["cycle"].size(), 3u) << "its own wait, then the cycle's two";
  json first_step = behind["proof"]["cycle"][0];
  EXPECT_EQ(first_step["wants"]["line"], leak["behind-cycle"]);
  EXPECT_EQ(first_step["held"]["line"], held["first-account"]);
  EXPECT_NE(behind["proof"]["text"].get<std::string>().find("in a wait-for cycle that can never move"),
            std::string::npos);
  size_t abba_at = 0, behind_at = 0;
  for (size_t i = 0; i < r["findings"].size(); ++i) {
    const json& f = r["findings"][i];
    if (f["blocking_frame"].is_null()) continue;
    if (f["blocking_frame"]["line"] == leak["second-account"] && !abba_at) abba_at = i + 1;
    if (f["blocking_frame"]["line"] == leak["behind-cycle"]) behind_at = i + 1;
  }
  EXPECT_LT(abba_at, behind_at) << "the cycle first, what waits behind it after";

  // Index.Report -> Size: a read lock taken again behind queued writer Put.
  for (const char* tag : {"second-read", "writer"}) {
    json f = proof_of(leak[tag]);
    ASSERT_FALSE(f.is_null()) << tag;
    EXPECT_EQ(f["pattern"], "rwmutex-recursive-read") << tag;
    ASSERT_EQ(f["proof"]["cycle"].size(), 2u);
    bool queued = false;
    for (const json& c : f["proof"]["cycle"]) {
      queued = queued || c["queued_writer"].get<bool>();
      if (!c["held"].is_null()) {
        EXPECT_TRUE(c["held"]["read"].get<bool>());
        EXPECT_EQ(c["held"]["line"], held["first-read"]);
      }
    }
    EXPECT_TRUE(queued) << f.dump();
  }

  // Outbox: the second Send waits for o.mu, which the first holds while
  // blocked on a send. Evidence that raises both, but no cycle.
  json waiter = at(leak["outbox-lock"]);
  json sender = at(leak["outbox-send"]);
  ASSERT_FALSE(waiter.is_null());
  ASSERT_FALSE(sender.is_null());
  EXPECT_TRUE(waiter["proof"].is_null());
  EXPECT_TRUE(sender["proof"].is_null());
  std::string waiter_why = waiter["reasons"].dump(), sender_why = sender["reasons"].dump();
  EXPECT_NE(waiter_why.find("which goroutine"), std::string::npos) << waiter_why;
  EXPECT_NE(waiter_why.find("blocked [chan send]"), std::string::npos) << waiter_why;
  EXPECT_NE(sender_why.find("holds o.mu"), std::string::npos) << sender_why;
  EXPECT_GT(waiter["confidence"].get<double>(), 0.5);
  // The holder is the root: listed before the goroutine waiting for it.
  EXPECT_GT(sender["confidence"].get<double>(), waiter["confidence"].get<double>());

  // Clock: the holder sleeps and wakes by itself; nothing is proven, and
  // the waiter is not raised by it.
  json clock = at(live["clock-reader"]);
  ASSERT_FALSE(clock.is_null());
  EXPECT_TRUE(clock["proof"].is_null());
  EXPECT_LE(clock["confidence"].get<double>(), 0.4) << clock.dump();
  EXPECT_TRUE(at(live["sleeper"]).is_null() || at(live["sleeper"])["severity"] == "info");

  EXPECT_EQ(Proven(r), 6) << "two for AB-BA, one behind it, two for the RLock cycle, one self-lock";

  // The text report prints the proof line for a person.
  e2e::RunResult text = e2e::Leakhound({"analyze", "--no-config", "--source", src, dump});
  EXPECT_NE(text.out.find("proof: goroutine"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("which it took itself at main.go:" + std::to_string(held["self-first"])),
            std::string::npos)
      << text.out;
}

TEST_P(LockCycle, NoProofWithoutMatchingSource) {
  std::string dump = Dump(GetParam());
  std::string original = e2e::ReadFile(kDir + "/main.go");
  // Without the source: the dump alone shows no holder.
  json bare = e2e::AnalyzeJson({"--no-source", dump});
  EXPECT_EQ(Proven(bare), 0) << bare.dump();
  // ... but its addresses show shapes: the AB-BA pair waits each for a
  // mutex in the struct the other works on (leak, no proof), and the
  // double lock's caller works on the struct of the mutex it waits for,
  // which no other goroutine touches (suspect). The Audit that waits
  // behind the pair and the Outbox and Clock waiters show neither.
  auto marks = e2e::Markers(kDir + "/main.go", "LEAK");
  auto live = e2e::Markers(kDir + "/main.go", "LIVE");
  auto reasons = [&](int line) {
    json f = e2e::FindingAt(bare, "main.go", line);
    return f.is_null() ? std::string() : f["reasons"].dump();
  };
  json abba = e2e::FindingAt(bare, "main.go", marks["second-account"]);
  ASSERT_FALSE(abba.is_null());
  EXPECT_EQ(abba["severity"], "leak") << abba.dump();
  EXPECT_NE(reasons(marks["second-account"]).find("AB-BA shape"), std::string::npos);
  json relock = e2e::FindingAt(bare, "main.go", marks["self-relock"]);
  ASSERT_FALSE(relock.is_null());
  EXPECT_EQ(relock["severity"], "suspect");
  EXPECT_NE(reasons(marks["self-relock"]).find("a caller on its own stack"), std::string::npos);
  for (int line : {marks["behind-cycle"], marks["outbox-lock"], live["clock-reader"]}) {
    EXPECT_EQ(reasons(line).find("AB-BA shape"), std::string::npos) << line;
    EXPECT_EQ(reasons(line).find("a caller on its own stack"), std::string::npos) << line;
  }
  // The read lock taken again under Report, with Put queued to write on
  // the same Index: the RWMutex recursion shape, on the reader only, and
  // it ranks the reader above the writer it blocks.
  EXPECT_NE(reasons(marks["second-read"]).find("RWMutex recursion shape"), std::string::npos)
      << reasons(marks["second-read"]);
  EXPECT_NE(reasons(marks["second-read"]).find("Report"), std::string::npos);
  for (int line : {marks["writer"], marks["self-relock"], marks["behind-cycle"], live["clock-reader"]})
    EXPECT_EQ(reasons(line).find("RWMutex recursion shape"), std::string::npos) << line;
  {
    json reader = e2e::FindingAt(bare, "main.go", marks["second-read"]);
    json writer = e2e::FindingAt(bare, "main.go", marks["writer"]);
    ASSERT_FALSE(reader.is_null());
    ASSERT_FALSE(writer.is_null());
    EXPECT_GT(reader["confidence"].get<double>(), writer["confidence"].get<double>());
    // The JSON points at the goroutine each shape pairs it with.
    ASSERT_EQ(reader["shape_with"].size(), 1u) << reader.dump();
    EXPECT_EQ(reader["shape_with"][0]["kind"], "queued-writer");
    EXPECT_EQ(reader["shape_with"][0]["blocking_frame"]["line"], marks["writer"]);
    EXPECT_TRUE(writer["shape_with"].empty());
    ASSERT_EQ(abba["shape_with"].size(), 1u) << abba.dump();
    EXPECT_EQ(abba["shape_with"][0]["kind"], "ab-ba");
    EXPECT_EQ(abba["shape_with"][0]["blocking_frame"]["line"], marks["second-account"]);
    EXPECT_TRUE(relock["shape_with"].empty());
  }
  // A source edited since the build (a line inserted at the top): every
  // frame's line now lands in another function, so nothing read there is
  // trusted.
  json stale = e2e::AnalyzeJson({"--source", SourceDir("stale", "// edited\n" + original), dump});
  EXPECT_EQ(Proven(stale), 0) << stale.dump();
  // The fixed program, same lines: Add releases l.mu before it calls Total.
  std::string fixed = std::regex_replace(
      original, std::regex("l\\.entries = append\\(l\\.entries, v\\)"),
      "l.entries = append(l.entries, v); l.mu.Unlock()");
  ASSERT_NE(fixed, original);
  json r = e2e::AnalyzeJson({"--source", SourceDir("fixed", fixed), dump});
  auto leak = e2e::Markers(kDir + "/main.go", "LEAK");
  json self = e2e::FindingAt(r, "main.go", leak["self-relock"]);
  ASSERT_FALSE(self.is_null());
  EXPECT_TRUE(self["proof"].is_null()) << self.dump();
  EXPECT_EQ(Proven(r), 5) << "the other cycles stand";
}

// The HTML page draws each cycle (tests/browser/waitfor.test.mjs, in
// Debian's chromium). The page is what is checked, so one toolchain feeds it.
TEST(LockCycleHtml, DrawsEachCycleInChromium) {
  std::string dump = LockCycle::Dump("1.26");
  std::string src = LockCycle::SourceDir("html", e2e::ReadFile(kDir + "/main.go"));
  e2e::RunResult a = e2e::Leakhound({"analyze", "--no-config", "--format", "html", "--source", src, dump});
  ASSERT_EQ(a.status, 0) << a.err;
  std::string html = e2e::WorkDir() + "/lockcycle.html";
  e2e::WriteFile(html, a.out);
  std::string w = LEAKHOUND_WORK_DIR;
  e2e::RunOptions o;
  o.timeout_ms = 300'000;
  e2e::RunResult r = e2e::Run({std::string(LEAKHOUND_SOURCE_DIR) + "/tests/browser/waitfor.sh",
                               w.substr(0, w.rfind('/')), html, "lockcycle-waitfor"},
                              o);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  std::cout << r.out;
}

INSTANTIATE_TEST_SUITE_P(Go, LockCycle, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
