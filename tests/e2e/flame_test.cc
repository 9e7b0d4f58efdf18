// The stack view (web/flame.js) in a real browser: Debian's chromium driven
// by playwright-core (tests/browser/flame.sh) over pages written by
// `leakhound analyze --format html`: the demo service's live dump (one
// snapshot, then a series of two) and a dump of 100k distinct stacks from
// bench/gen_dump. Screenshots land in BUILD/artifacts/flame-*.png.
#include <sys/stat.h>

#include <thread>

#include <gtest/gtest.h>

#include "run_util.h"

namespace e2e {
namespace {

std::string BuildDir() {
  std::string w = LEAKHOUND_WORK_DIR;
  return w.substr(0, w.rfind('/'));
}

RunResult Browser(const std::vector<std::string>& flags, const std::string& html, const std::string& name) {
  std::string artifact = BuildDir() + "/artifacts/" + name + ".png";
  std::remove(artifact.c_str());
  std::vector<std::string> argv = {std::string(LEAKHOUND_SOURCE_DIR) + "/tests/browser/flame.sh"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {BuildDir(), html, name});
  RunOptions o;
  o.timeout_ms = 300'000;
  RunResult r = e2e::Run(argv, o);
  struct stat st;
  EXPECT_EQ(stat(artifact.c_str(), &st), 0) << artifact;
  return r;
}

// The browser checks the page, not the Go output, so one toolchain feeds it.
TEST(Flame, DemoStackViewInChromium) {
  std::string demo = BuildGo("demo", "1.26");
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url = svc.ready_line();
  RunOptions load;
  load.timeout_ms = 60'000;
  RunResult l = e2e::Run({demo, "-load", url, "-rate", "40", "-duration", "3s"}, load);
  ASSERT_EQ(l.status, 0) << l.out << l.err;

  // One snapshot: no time axis; the stack view and the state table.
  std::string one = WorkDir() + "/flame-demo.html";
  RunResult a = Leakhound({"analyze", url, "--no-config", "--format", "html"});
  ASSERT_EQ(a.status, 0) << a.err;
  WriteFile(one, a.out);
  // One snapshot without wait times: the demo's leaks are suspects yet.
  RunResult r = Browser({"--single", "--expect", "suspect"}, one, "flame-demo");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  std::cout << r.out;

  // Two snapshots of the same process: the chart stays, the view is added.
  std::string two = WorkDir() + "/flame-demo-series.html";
  RunResult b = Leakhound({"analyze", url, url, "--no-config", "--format", "html"});
  ASSERT_EQ(b.status, 0) << b.err;
  WriteFile(two, b.out);
  r = Browser({"--expect", "suspect"}, two, "flame-demo-series");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

#ifdef LEAKHOUND_GEN_DUMP
TEST(Flame, HundredThousandStacksStayResponsive) {
  std::string dump = WorkDir() + "/flame-100k.txt";
  RunOptions o;
  o.timeout_ms = 300'000;
  RunResult g = e2e::Run({"/bin/sh", "-c",
                          std::string("'") + LEAKHOUND_GEN_DUMP +
                              "' --shape deep --goroutines 100002 --stacks 100000 --every-stack > '" + dump + "'"},
                         o);
  ASSERT_EQ(g.status, 0) << g.err;
  std::string html = WorkDir() + "/flame-100k.html";
  RunResult a = Leakhound({"analyze", dump, "--no-config", "--format", "html"}, o);
  ASSERT_EQ(a.status, 0) << a.err;
  WriteFile(html, a.out);
  std::remove(dump.c_str());
  RunResult r = Browser({"--single", "--min-stacks", "100000"}, html, "flame-100k");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  std::cout << r.out;
}
#endif

}  // namespace
}  // namespace e2e
