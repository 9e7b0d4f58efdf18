// A dump of more goroutines than a snapshot keeps one by one (a million),
// read by the built binary: the identical goroutines past that are folded
// into runs (Snapshot::TryExtendLast), and the report still counts every
// goroutine, lists their ids and says what was folded. The cost figures
// are bench/hostile.sh's (many-goroutines).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "run_util.h"

namespace {

using nlohmann::json;

TEST(Fold, MillionsOfIdenticalGoroutinesAreCountedAndTheirIdsKept) {
  // Over a million per half: large files are read in two halves at once.
  const uint64_t n = 2'400'000;
  std::string path = e2e::WorkDir() + "/fold-2400k.txt";
  {
    std::string text;
    text.reserve(n * 56);
    char line[128];
    for (uint64_t id = 1; id <= n; ++id) {
      // One goroutine in another state in the middle breaks the run.
      const char* state = id == 2'300'000 ? "chan send" : "chan receive";
      std::snprintf(line, sizeof line, "goroutine %llu [%s]:\nmain.f()\n\t/app/main.go:10 +0x1d\n\n",
                    static_cast<unsigned long long>(id), state);
      text += line;
    }
    e2e::WriteFile(path, text);
  }
  json r = e2e::AnalyzeJson({path});
  const json& snap = r["snapshot"];
  EXPECT_EQ(snap["total_goroutines"], n);
  bool noted = false;
  for (const json& note : snap["notes"])
    noted = noted || note.get<std::string>().find("kept as one entry per run") != std::string::npos;
  EXPECT_TRUE(noted) << snap["notes"].dump();
  json recv, send;
  for (const json& f : r["findings"]) {
    if (f["state"] == "chan receive") recv = f;
    if (f["state"] == "chan send") send = f;
  }
  ASSERT_FALSE(recv.is_null());
  ASSERT_FALSE(send.is_null());
  EXPECT_EQ(recv["count"], n - 1);
  EXPECT_EQ(send["count"], 1);
  EXPECT_EQ(send["ids"], json::array({2'300'000}));
  ASSERT_FALSE(recv["ids"].empty());
  EXPECT_EQ(recv["ids"][0], 1);
  // Every id is known: the listed ones plus the omitted ones make the count.
  EXPECT_EQ(recv["ids"].size() + recv["ids_omitted"].get<uint64_t>(), n - 1) << recv["ids_omitted"];

  // The same dump against itself: no change, every goroutine the same one.
  e2e::RunResult d = e2e::Leakhound({"diff", "--format", "json", path, path});
  ASSERT_EQ(d.status, 0) << d.err;
  json dj = json::parse(d.out);
  EXPECT_EQ(dj["total_delta"], 0) << d.out.substr(0, 2000);
  std::remove(path.c_str());
}

}  // namespace
