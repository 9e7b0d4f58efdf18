// Hand-derived dumps of Go versions we cannot run here (testdata/dumps):
// each X.txt cites the Go runtime source it follows, and X.expect.json
// states, written by hand from that source, what must be read from it.
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "analyze/buckets.h"
#include "analyze/verdict.h"
#include "dump/dump.h"
#include "model/func_name.h"

namespace leakhound {
namespace {

using nlohmann::json;

std::vector<std::string> Fixtures() {
  std::vector<std::string> out;
  std::string dir = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/dumps";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.ends_with(".txt")) out.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

const Goroutine* ById(const Snapshot& s, uint64_t id) {
  for (const Goroutine& g : s.goroutines())
    if (g.id == id) return &g;
  return nullptr;
}

void Check(const std::string& path) {
  std::string expect_path = path.substr(0, path.size() - 4) + ".expect.json";
  std::ifstream in(expect_path);
  ASSERT_TRUE(in) << "missing " << expect_path;
  json ex = json::parse(in);

  DumpSet set;
  ReadError err = ReadDumpFile(path, {}, &set);
  ASSERT_FALSE(err) << err.message;
  ASSERT_EQ(set.snapshots.size(), ex["dumps"].get<size_t>());
  const Snapshot& s = set.snapshots.back();
  EXPECT_STREQ(DumpKindName(s.kind), ex["kind"].get<std::string>().c_str());
  EXPECT_EQ(s.truncated, ex["truncated"].get<bool>());
  EXPECT_EQ(s.total_goroutines(), ex["total"].get<uint64_t>());
  if (ex.contains("go_version")) {
    const json& v = ex["go_version"];
    if (v.contains("min")) { EXPECT_EQ(s.go_version.min_minor, v["min"].get<int>()); }
    if (v.contains("max")) { EXPECT_EQ(s.go_version.max_minor, v["max"].get<int>()); }
  }
  if (ex.contains("preamble_contains")) {
    EXPECT_NE(s.preamble.find(ex["preamble_contains"].get<std::string>()), std::string::npos)
        << s.preamble;
  }

  for (const json& eg : ex["goroutines"]) {
    uint64_t id = eg["id"];
    SCOPED_TRACE("goroutine " + std::to_string(id));
    const Goroutine* g = ById(s, id);
    ASSERT_NE(g, nullptr);
    const Stack& st = s.stack_of(*g);
    EXPECT_EQ(s.str(g->state), eg["state"].get<std::string>());
    if (eg.contains("wait_minutes")) { EXPECT_EQ(g->wait_minutes, eg["wait_minutes"].get<int>()); }
    if (eg.contains("flags")) {
      std::set<std::string> want = eg["flags"].get<std::set<std::string>>();
      EXPECT_EQ(g->has(kLockedToThread), want.count("locked") > 0);
      EXPECT_EQ(g->has(kLeaked), want.count("leaked") > 0);
      if (want.count("bubble")) { EXPECT_TRUE(g->has(kInBubble)); }
    }
    if (eg.contains("bubble")) { EXPECT_EQ(g->bubble, eg["bubble"].get<int64_t>()); }
    if (eg.contains("frames")) { EXPECT_EQ(st.frames.size(), eg["frames"].get<size_t>()); }
    if (eg.contains("elided")) { EXPECT_EQ(st.elided_frames, eg["elided"].get<uint32_t>()); }
    if (eg.contains("unavailable")) { EXPECT_EQ(st.unavailable, eg["unavailable"].get<bool>()); }
    int top = TopUserFrame(s, st);
    if (eg.contains("top")) {
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

  if (!ex.contains("buckets")) return;
  std::vector<const Snapshot*> series = {&s};
  Verdict v = AnalyzeSeries(series, {}, {});
  for (const json& eb : ex["buckets"]) {
    SCOPED_TRACE(eb.dump());
    const Bucket* found = nullptr;
    size_t index = 0;
    for (size_t i = 0; i < v.buckets.size(); ++i) {
      const Bucket& b = v.buckets[i];
      const Stack& st = s.stacks()[b.stack];
      int top = TopUserFrame(s, st);
      if (s.str(b.state) == eb["state"].get<std::string>() && top >= 0 &&
          s.str(st.frames[static_cast<size_t>(top)].function) == eb["top"].get<std::string>()) {
        found = &b;
        index = i;
      }
    }
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->count, eb["count"].get<uint64_t>());
    if (eb.contains("leaked")) { EXPECT_EQ(found->leaked, eb["leaked"].get<bool>()); }
    if (eb.contains("pattern")) {
      const Finding* f = nullptr;
      for (const Finding& x : v.findings)
        if (x.bucket == index) f = &x;
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(std::string(f->pattern->id), eb["pattern"].get<std::string>());
      if (eb.contains("severity")) {
        EXPECT_STREQ(SeverityName(f->severity), eb["severity"].get<std::string>().c_str());
      }
    }
  }
}

TEST(Fixtures, AllHandDerivedDumps) {
  std::vector<std::string> files = Fixtures();
  ASSERT_GE(files.size(), 8u);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    Check(f);
  }
}

}  // namespace
}  // namespace leakhound
