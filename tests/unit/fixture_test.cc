// Hand-derived dumps of Go versions we cannot run here (testdata/dumps):
// each X.txt cites, in the text before the dump, the Go runtime source it
// follows, and X.expect.json states -- written by hand from that source,
// never copied from leakhound's output -- what must be read from it.
//
// X.expect.json (every key but "dumps", "kind", "truncated", "total" is
// optional; facts are about the last dump in the file):
//   dumps, kind, truncated, total, warnings (default 0)
//   ids: every goroutine id of the dump, ascending, repeats kept
//   per_dump: [{total, ids, kind}] for each dump in input order
//   go_version: {min, max}: minor versions, null = unbounded
//   preamble (exact) / preamble_contains
//   goroutines: [{id, state, wait_minutes, flags: [locked|leaked|scan|
//     durable|bubble] (exact set), bubble, frames, first (innermost
//     function), top / file / line / top_offset / package (of the first
//     frame outside runtime and stdlib), elided, elided_unknown,
//     unavailable, creator (null = none), creator_file, creator_line,
//     creator_id, args_elided, inlined_frames}]
//   buckets (exact grouping): [{state, top, leaked, count, ids,
//     creator_ids, min_wait, max_wait, locked_to_thread, pattern, severity}]
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "analyze/buckets.h"
#include "analyze/verdict.h"
#include "dump/dump.h"
#include "model/func_name.h"

namespace leakhound {
namespace {

using nlohmann::json;

std::string DumpsDir() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/dumps"; }

std::vector<std::string> Fixtures() {
  std::vector<std::string> out;
  DIR* d = opendir(DumpsDir().c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.ends_with(".txt")) out.push_back(name.substr(0, name.size() - 4));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int MinorOrZero(const json& v) { return v.is_null() ? 0 : v.get<int>(); }

std::vector<uint64_t> SortedIds(const Snapshot& s) {
  std::vector<uint64_t> ids;
  for (const Goroutine& g : s.goroutines()) ids.push_back(g.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::set<std::string> FlagNames(const Goroutine& g) {
  std::set<std::string> out;
  if (g.has(kLockedToThread)) out.insert("locked");
  if (g.has(kLeaked)) out.insert("leaked");
  if (g.has(kScan)) out.insert("scan");
  if (g.has(kDurable)) out.insert("durable");
  if (g.has(kInBubble)) out.insert("bubble");
  return out;
}

std::string TopFunction(const Snapshot& s, const Stack& st) {
  int top = TopUserFrame(s, st);
  return top < 0 ? std::string() : std::string(s.str(st.frames[static_cast<size_t>(top)].function));
}

void CheckGoroutine(const Snapshot& s, const json& eg) {
  uint64_t id = eg.at("id");
  SCOPED_TRACE("goroutine " + std::to_string(id));
  const Goroutine* g = nullptr;
  size_t matches = 0;
  for (const Goroutine& x : s.goroutines())
    if (x.id == id) {
      g = &x;
      ++matches;
    }
  ASSERT_EQ(matches, 1u) << "goroutine ids are unique within one dump";
  const Stack& st = s.stack_of(*g);
  if (eg.contains("state")) { EXPECT_EQ(s.str(g->state), eg["state"].get<std::string>()); }
  if (eg.contains("wait_minutes")) { EXPECT_EQ(g->wait_minutes, eg["wait_minutes"].get<int>()); }
  if (eg.contains("flags")) {
    EXPECT_EQ(FlagNames(*g), eg["flags"].get<std::set<std::string>>());
  }
  if (eg.contains("bubble")) { EXPECT_EQ(g->bubble, eg["bubble"].get<int64_t>()); }
  if (eg.contains("frames")) { EXPECT_EQ(st.frames.size(), eg["frames"].get<size_t>()); }
  if (eg.contains("first")) {
    ASSERT_FALSE(st.frames.empty());
    EXPECT_EQ(s.str(st.frames[0].function), eg["first"].get<std::string>());
  }
  if (eg.contains("elided")) { EXPECT_EQ(st.elided_frames, eg["elided"].get<uint32_t>()); }
  if (eg.contains("elided_unknown")) { EXPECT_EQ(st.elided_unknown, eg["elided_unknown"].get<bool>()); }
  if (eg.contains("unavailable")) { EXPECT_EQ(st.unavailable, eg["unavailable"].get<bool>()); }
  if (eg.contains("cut")) { EXPECT_EQ(st.cut, eg["cut"].get<bool>()); }
  if (eg.contains("top")) {
    int top = TopUserFrame(s, st);
    ASSERT_GE(top, 0);
    const Frame& f = st.frames[static_cast<size_t>(top)];
    EXPECT_EQ(s.str(f.function), eg["top"].get<std::string>());
    if (eg.contains("file")) { EXPECT_EQ(s.str(f.file), eg["file"].get<std::string>()); }
    if (eg.contains("line")) { EXPECT_EQ(f.line, eg["line"].get<uint32_t>()); }
    if (eg.contains("top_offset")) { EXPECT_EQ(f.pc_offset, eg["top_offset"].get<uint32_t>()); }
    if (eg.contains("package")) {
      EXPECT_EQ(ParseFuncName(s.str(f.function)).package, eg["package"].get<std::string>());
    }
  }
  if (eg.contains("creator")) {
    if (eg["creator"].is_null()) {
      EXPECT_FALSE(st.has_creator);
    } else {
      ASSERT_TRUE(st.has_creator);
      EXPECT_EQ(s.str(st.creator.function), eg["creator"].get<std::string>());
    }
  }
  if (eg.contains("creator_file")) {
    ASSERT_TRUE(st.has_creator);
    EXPECT_EQ(s.str(st.creator.file), eg["creator_file"].get<std::string>());
  }
  if (eg.contains("creator_line")) {
    ASSERT_TRUE(st.has_creator);
    EXPECT_EQ(st.creator.line, eg["creator_line"].get<uint32_t>());
  }
  if (eg.contains("creator_id")) { EXPECT_EQ(g->creator_id, eg["creator_id"].get<uint64_t>()); }
  if (eg.contains("args_elided")) {
    bool any = false;
    for (const Frame& f : st.frames) any = any || f.args_elided;
    EXPECT_EQ(any, eg["args_elided"].get<bool>());
  }
  if (eg.contains("inlined_frames")) {
    size_t n = 0;
    for (const Frame& f : st.frames) n += f.inlined;
    EXPECT_EQ(n, eg["inlined_frames"].get<size_t>());
    for (const Frame& f : st.frames)
      if (f.inlined) { EXPECT_EQ(f.pc_offset, 0u) << "inlined frames have no +0x"; }
  }
}

void CheckBuckets(const Snapshot& s, const json& expected) {
  std::vector<Bucket> buckets = MakeBuckets(s, Grouping::kExact);
  std::vector<const Snapshot*> series = {&s};
  Verdict v = AnalyzeSeries(series, {}, {});
  for (const json& eb : expected) {
    SCOPED_TRACE(eb.dump());
    std::vector<const Bucket*> found;
    for (const Bucket& b : buckets) {
      if (s.str(b.state) != eb.at("state").get<std::string>()) continue;
      if (TopFunction(s, s.stacks()[b.stack]) != eb.at("top").get<std::string>()) continue;
      if (eb.contains("leaked") && b.leaked != eb["leaked"].get<bool>()) continue;
      if (eb.contains("ids") && b.ids != eb["ids"].get<std::vector<uint64_t>>()) continue;
      found.push_back(&b);
    }
    ASSERT_EQ(found.size(), 1u) << "no single bucket with that state and top frame";
    const Bucket& b = *found[0];
    EXPECT_EQ(b.count, eb.at("count").get<uint64_t>());
    if (eb.contains("creator_ids")) {
      EXPECT_EQ(b.creator_ids, eb["creator_ids"].get<std::vector<uint64_t>>());
    }
    if (eb.contains("min_wait")) { EXPECT_EQ(b.min_wait, eb["min_wait"].get<int>()); }
    if (eb.contains("max_wait")) { EXPECT_EQ(b.max_wait, eb["max_wait"].get<int>()); }
    if (eb.contains("locked_to_thread")) {
      EXPECT_EQ(b.locked_to_thread, eb["locked_to_thread"].get<uint64_t>());
    }
    if (eb.contains("pattern")) {
      // The verdict's buckets are the same grouping; find this one there.
      const Finding* f = nullptr;
      for (const Finding& x : v.findings) {
        const Bucket& vb = v.buckets[x.bucket];
        if (vb.state == b.state && vb.leaked == b.leaked && vb.ids == b.ids) f = &x;
      }
      ASSERT_NE(f, nullptr) << "no finding for the bucket";
      EXPECT_EQ(std::string(f->pattern->id), eb["pattern"].get<std::string>());
      if (eb.contains("severity")) {
        EXPECT_STREQ(SeverityName(f->severity), eb["severity"].get<std::string>().c_str());
      }
    }
  }
}

class Fixture : public testing::TestWithParam<std::string> {};

TEST_P(Fixture, ReadsAsExpected) {
  const std::string base = DumpsDir() + "/" + GetParam();
  std::ifstream in(base + ".expect.json");
  ASSERT_TRUE(in) << "missing " << base << ".expect.json";
  const json ex = json::parse(in);

  // The text before the dump says where its format comes from.
  std::string text = ReadAll(base + ".txt");
  std::string head = text.substr(0, std::min<size_t>(text.size(), 1500));
  EXPECT_NE(head.find("src/"), std::string::npos) << "header cites no Go source file";
  EXPECT_NE(head.find("go1."), std::string::npos) << "header names no Go version";

  DumpSet set;
  ReadError err = ReadDumpFile(base + ".txt", {}, &set);
  ASSERT_FALSE(err) << err.message;
  std::string warnings;
  for (const std::string& w : set.warnings) warnings += w + "\n";
  EXPECT_EQ(set.warnings.size(), ex.value("warnings", size_t{0})) << warnings;
  ASSERT_EQ(set.snapshots.size(), ex.at("dumps").get<size_t>());
  if (ex.contains("per_dump")) {
    const json& pd = ex["per_dump"];
    ASSERT_EQ(pd.size(), set.snapshots.size());
    for (size_t i = 0; i < pd.size(); ++i) {
      SCOPED_TRACE("dump " + std::to_string(i + 1));
      const Snapshot& d = set.snapshots[i];
      if (pd[i].contains("total")) { EXPECT_EQ(d.total_goroutines(), pd[i]["total"].get<uint64_t>()); }
      if (pd[i].contains("ids")) { EXPECT_EQ(SortedIds(d), pd[i]["ids"].get<std::vector<uint64_t>>()); }
      if (pd[i].contains("kind")) {
        EXPECT_STREQ(DumpKindName(d.kind), pd[i]["kind"].get<std::string>().c_str());
      }
    }
  }

  const Snapshot& s = set.snapshots.back();
  EXPECT_STREQ(DumpKindName(s.kind), ex.at("kind").get<std::string>().c_str());
  EXPECT_EQ(s.truncated, ex.at("truncated").get<bool>());
  EXPECT_EQ(s.total_goroutines(), ex.at("total").get<uint64_t>());
  if (ex.contains("ids")) { EXPECT_EQ(SortedIds(s), ex["ids"].get<std::vector<uint64_t>>()); }
  if (ex.contains("go_version")) {
    const json& v = ex["go_version"];
    if (v.contains("min")) { EXPECT_EQ(s.go_version.min_minor, MinorOrZero(v["min"])) << "min"; }
    if (v.contains("max")) { EXPECT_EQ(s.go_version.max_minor, MinorOrZero(v["max"])) << "max"; }
  }
  if (ex.contains("preamble")) { EXPECT_EQ(s.preamble, ex["preamble"].get<std::string>()); }
  if (ex.contains("preamble_contains")) {
    EXPECT_NE(s.preamble.find(ex["preamble_contains"].get<std::string>()), std::string::npos)
        << s.preamble;
  }
  if (ex.contains("goroutines")) {
    for (const json& eg : ex["goroutines"]) CheckGoroutine(s, eg);
  }
  if (ex.contains("buckets")) CheckBuckets(s, ex["buckets"]);
}

std::string TestName(const testing::TestParamInfo<std::string>& p) {
  std::string name;
  for (char c : p.param) name.push_back(isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Dumps, Fixture, testing::ValuesIn(Fixtures()), TestName);

TEST(Fixtures, EnoughAndEachHasExpectations) {
  std::vector<std::string> names = Fixtures();
  // 19: the hand-derived go1.25 synctest fixtures gave way to real
  // recordings from Go 1.26/1.27 (tests/e2e/forms_test.cc).
  EXPECT_GE(names.size(), 19u);
  for (const std::string& n : names) {
    std::ifstream in(DumpsDir() + "/" + n + ".expect.json");
    EXPECT_TRUE(in) << n;
  }
}

}  // namespace
}  // namespace leakhound
