// The dashboard in a real browser: Debian's chromium, driven by
// playwright-core (tests/browser/run.sh), over both the live page served by
// `leakhound watch --serve` and the file `leakhound analyze --format html`
// writes. Screenshots land in BUILD/artifacts/ as test artifacts.
#include <sys/stat.h>

#include <regex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "run_util.h"

namespace e2e {
namespace {

std::string BuildDir() {
  std::string w = LEAKHOUND_WORK_DIR;
  return w.substr(0, w.rfind('/'));
}

// The browser checks the page, not the Go output (the watch tests run
// the demo under all three toolchains), so one toolchain feeds it.
TEST(Dashboard, LiveAndFileViewsRenderInChromium) {
  std::string demo = BuildGo("demo", "1.26");
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url = svc.ready_line();
  std::thread load([&] {
    RunOptions o;
    o.timeout_ms = 60'000;
    e2e::Run({demo, "-load", url, "-rate", "30", "-duration", "9s"}, o);
  });
  std::string db = WorkDir() + "/dashboard.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  // A second leaking service, so the page ranks a fleet of two.
  Service fleet({BuildGo("fleet", "1.26"), "-n", "1", "-leak-every", "50ms"}, "http://");
  Service watch({e2e::LeakhoundBinary(), "watch", url, "http://" + fleet.ready_line(), "--no-config", "--interval", "1s", "--db", db,
                 "--serve", "127.0.0.1:0", "--token", "s3cret"},
                "dashboard at ", true);
  std::string dash = watch.ready_line();
  usleep(8000 * 1000);
  load.join();

  std::string html = WorkDir() + "/report.html";
  RunResult a = Leakhound({"analyze", url, "--no-config", "--format", "html"});
  ASSERT_EQ(a.status, 0) << a.err;
  WriteFile(html, a.out);
  EXPECT_EQ(a.out.find("<script src="), std::string::npos);  // self-contained

  std::string artifacts = BuildDir() + "/artifacts";
  std::remove((artifacts + "/dashboard.png").c_str());
  std::remove((artifacts + "/dashboard-live.png").c_str());
  RunOptions o;
  o.timeout_ms = 300'000;
  RunResult r = e2e::Run({std::string(LEAKHOUND_SOURCE_DIR) + "/tests/browser/run.sh", BuildDir(), html,
                     dash + "#token=s3cret"},
                    o);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  struct stat st;
  EXPECT_EQ(stat((artifacts + "/dashboard.png").c_str(), &st), 0);
  EXPECT_EQ(stat((artifacts + "/dashboard-live.png").c_str(), &st), 0);
  std::string summary;
  EXPECT_EQ(watch.SignalAndWait(SIGTERM, 10'000, &summary), 0);
  // The text summary ranks the services too: one row per service with an
  // open finding (as listed below the table), worst first, ranks 1..n.
  // (Under ASan one of the two may not have its finding open by now, so
  // the rows are checked against the findings, not counted.)
  size_t table = summary.find("services by their worst leak:");
  ASSERT_NE(table, std::string::npos) << summary;
  std::istringstream in(summary.substr(table));
  std::string line;
  std::getline(in, line);
  std::getline(in, line);  // the column header
  std::set<std::string> ranked, with_findings;
  std::regex row(R"(^\s+(\d+)  (127\.0\.0\.1:\d+) +[0-9.]+  (LEAK|SUSPECT) )");
  std::regex finding(R"(^(LEAK|SUSPECT) \S+ \([0-9.]+\) (127\.0\.0\.1:\d+): )");
  int rank = 0;
  std::string first_severity;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("leakhound:", 0) == 0) continue;  // stderr, interleaved
    if (std::regex_search(line, m, row)) {
      EXPECT_EQ(std::stoi(m[1]), ++rank) << line;
      ranked.insert(m[2]);
      if (first_severity.empty()) first_severity = m[3];
    } else if (std::regex_search(line, m, finding)) {
      with_findings.insert(m[2]);
    }
  }
  EXPECT_GE(rank, 1) << summary;
  EXPECT_EQ(first_severity, "LEAK") << summary;
  EXPECT_EQ(ranked, with_findings) << summary;
}

}  // namespace
}  // namespace e2e
