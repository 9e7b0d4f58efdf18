// Counts and blanks as people read them (src/base/words.h): "1 goroutine",
// never "1 goroutines"; a state or Go version the dump did not give reads
// "unknown", never "[]" or nothing.
#include <gtest/gtest.h>

#include <sstream>

#include "analyze/verdict.h"
#include "base/words.h"
#include "dump/dump.h"
#include "report/report.h"

namespace leakhound {
namespace {

TEST(Words, Plural) {
  EXPECT_EQ(Plural(1, "goroutine"), "1 goroutine");
  EXPECT_EQ(Plural(0, "goroutine"), "0 goroutines");
  EXPECT_EQ(Plural(2, "bucket"), "2 buckets");
  EXPECT_EQ(Plural(1, "process", "processes"), "1 process");
  EXPECT_EQ(Plural(3, "process", "processes"), "3 processes");
  EXPECT_EQ(OrUnknown(""), "unknown");
  EXPECT_EQ(OrUnknown("select"), "select");
}

// One debug=1 record whose frames hide the operation: no state, and
// nothing in it dates the Go version.
std::string Report(const std::string& format) {
  DumpSet set;
  ReadError e = ReadDumpBytes(
      "goroutine profile: total 1\n1 @ 0x4a1f25\n#\t0x4a1f25\tmain.main+0x25\t/app/main.go:5\n\n",
      "d1.txt", &set);
  EXPECT_FALSE(e) << e.message;
  Verdict v = AnalyzeSeries({&set.snapshots.at(0)}, {}, {});
  AnalyzeView view;
  view.input = &set;
  view.snapshot = v.current;
  view.verdict = &v;
  view.buckets_total = v.buckets.size();
  for (const Bucket& b : v.buckets) view.buckets.push_back(&b);
  std::ostringstream out;
  if (format == "json") WriteJson(view, out);
  else WriteText(view, {}, out);
  return out.str();
}

TEST(Words, TextReportSaysOneGoroutineAndUnknown) {
  std::string t = Report("text");
  EXPECT_NE(t.find(": 1 goroutine, Go unknown, 1 bucket\n"), std::string::npos) << t;
  EXPECT_NE(t.find("[unknown]"), std::string::npos) << t;
  EXPECT_EQ(t.find("[]"), std::string::npos) << t;
  EXPECT_EQ(t.find("1 goroutines"), std::string::npos) << t;
  EXPECT_NE(t.find("0 leaks, 0 suspects"), std::string::npos) << t;
}

TEST(Words, JsonSaysUnknown) {
  std::string j = Report("json");
  EXPECT_NE(j.find("\"state\": \"unknown\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"text\": \"unknown\""), std::string::npos) << j;
  EXPECT_EQ(j.find("\"state\": \"\""), std::string::npos) << j;
}

}  // namespace
}  // namespace leakhound
