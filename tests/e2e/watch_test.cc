// leakhound watch / serve against real Go services started here on
// 127.0.0.1: testdata/go/demo leaks under load, testdata/go/busy is busy
// but healthy. Every assertion goes through the built binary and the HTTP
// it serves; the store is checked with SQLite directly.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "loopback_server.h"
#include "run_util.h"

namespace e2e {
namespace {

using Json = nlohmann::json;

std::string DemoSource() { return std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/demo/main.go"; }

// PRAGMA integrity_check and a row count, straight from SQLite.
std::string Integrity(const std::string& db, long* snapshots) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return "cannot open";
  std::string result;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  *snapshots = -1;
  if (sqlite3_prepare_v2(h, "SELECT count(*) FROM snapshots", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    *snapshots = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return result;
}

// Load on the demo's leaky endpoints for `seconds`, in the background.
class Load {
 public:
  Load(const std::string& demo, const std::string& url, int seconds, int rate = 30)
      : thread_([=] {
          RunOptions o;
          o.timeout_ms = (seconds + 30) * 1000;
          Run({demo, "-load", url, "-rate", std::to_string(rate), "-duration",
               std::to_string(seconds) + "s"},
              o);
        }) {}
  ~Load() { thread_.join(); }

 private:
  std::thread thread_;
};

const Json* FindFinding(const Json& findings, const std::string& pattern) {
  for (const Json& f : findings)
    if (f["pattern"] == pattern) return &f;
  return nullptr;
}

class Watch : public testing::TestWithParam<std::string> {};

TEST_P(Watch, FlagsTheLeakingServiceAtItsLineAndAlerts) {
  std::string demo = BuildGo("demo", GetParam());
  auto markers = Markers(DemoSource(), "LEAK");
  ASSERT_TRUE(markers.count("checkout-send")) << "marker missing in " << DemoSource();
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url = svc.ready_line();
  std::string db = Fresh("watch-leak.db");
  std::string alert_file = WorkDir() + "/alert.json";
  std::remove(alert_file.c_str());
  Load load(demo, url, 10);
  RunResult r = Leakhound({"watch", url, "--no-config", "--interval", "1s", "--duration", "9s",
                           "--db", db, "--format", "json", "--detail-gap", "0", "--on-alert",
                           "cat > '" + alert_file + "'"});
  ASSERT_EQ(r.status, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["targets"].size(), 1u);
  EXPECT_TRUE(j["targets"][0]["up"].get<bool>());
  EXPECT_GE(j["targets"][0]["polls"].get<int>(), 6);
  EXPECT_GE(j["targets"][0]["detail_fetches"].get<int>(), 1) << "debug=2 never fetched on suspicion";
  const Json* f = FindFinding(j["findings"], "chan-send-blocked");
  ASSERT_NE(f, nullptr) << j["findings"].dump(2);
  EXPECT_EQ((*f)["severity"], "leak") << f->dump(2);
  EXPECT_EQ((*f)["line"].get<int>(), markers["checkout-send"]) << f->dump(2);
  EXPECT_NE((*f)["file"].get<std::string>().find("demo/main.go"), std::string::npos);
  // debug=2 told what debug=1 cannot: the wait reason and the go statement.
  EXPECT_EQ((*f)["state"], "chan send") << f->dump(2);
  EXPECT_GT((*f)["creator"]["line"].get<int>(), 0) << f->dump(2);
  EXPECT_GT((*f)["growth_per_hour"].get<double>(), 0);

  // The alert hook got the finding as JSON, and the log line went to stderr.
  Json alert = Json::parse(ReadFile(alert_file));
  EXPECT_EQ(alert["schema"], "leakhound/alert/v1");
  EXPECT_EQ(alert["severity"], "leak");
  EXPECT_NE(r.err.find("ALERT"), std::string::npos) << r.err;

  long snapshots = 0;
  EXPECT_EQ(Integrity(db, &snapshots), "ok");
  EXPECT_GE(snapshots, 6);
}

TEST_P(Watch, BusyHealthyServiceIsNotFlagged) {
  std::string busy = BuildGo("busy", GetParam());
  Service svc({busy, "-addr", "127.0.0.1:0", "-selfload"}, "listening on ");
  std::string url = svc.ready_line();
  RunResult r = Leakhound({"watch", url, "--no-config", "--interval", "1s", "--duration", "10s",
                           "--db", Fresh("watch-busy.db"), "--format", "json", "--fail-on", "leak"});
  Json j = Json::parse(r.out);
  EXPECT_EQ(r.status, 0) << j["findings"].dump(2);
  EXPECT_GE(j["targets"][0]["polls"].get<int>(), 8);
  for (const Json& f : j["findings"]) EXPECT_NE(f["severity"], "leak") << f.dump(2);
}

TEST(WatchInput, DeadTargetIsAGapNotACrash) {
  std::string url = "http://127.0.0.1:" + std::to_string(FreePort());
  std::string db = Fresh("watch-dead.db");
  RunResult r = Leakhound({"watch", url, "--no-config", "--interval", "300ms", "--duration", "2s",
                           "--db", db, "--format", "json", "--timeout", "1s"});
  ASSERT_EQ(r.status, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_FALSE(j["targets"][0]["up"].get<bool>());
  EXPECT_GE(j["targets"][0]["errors"].get<int>(), 3);
  EXPECT_NE(r.err.find("down"), std::string::npos) << r.err;
  // Logged once when it went down, not once per poll.
  size_t lines = 0;
  for (size_t at = r.err.find(" down: "); at != std::string::npos; at = r.err.find(" down: ", at + 1)) ++lines;
  EXPECT_EQ(lines, 1u) << r.err;
  long snapshots = 0;
  EXPECT_EQ(Integrity(db, &snapshots), "ok");
  EXPECT_GE(snapshots, 3);  // the gaps are recorded
}

TEST_P(Watch, SlowTargetDoesNotDelayTheOthers) {
  // A listener that accepts and never answers: each poll of it can only
  // end by timeout, while the demo must keep being polled on time.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  listen(fd, 16);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::string stuck = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  std::string demo = BuildGo("demo", GetParam());
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  RunResult r = Leakhound({"watch", svc.ready_line(), stuck, "--no-config", "--interval", "500ms",
                           "--duration", "4s", "--timeout", "3s", "--db", Fresh("watch-slow.db"),
                           "--format", "json"});
  close(fd);
  ASSERT_EQ(r.status, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_GE(j["targets"][0]["polls"].get<int>(), 6) << j.dump(2);
  EXPECT_FALSE(j["targets"][1]["up"].get<bool>());
}

// A webhook receiver: answers `status` to every POST and keeps the bodies.
class Webhook {
 public:
  explicit Webhook(int status) : status_(status), server_([this](int c) { Answer(c); }) {}
  std::string url() const { return server_.url() + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> l(mu_);
    return bodies_;
  }

 private:
  void Answer(int c) {
    // The head, then as many bytes as its Content-Length says.
    std::string req = e2e::LoopbackServer::ReadUntil(c, [](const std::string& r) {
      size_t head = r.find("\r\n\r\n");
      if (head == std::string::npos) return false;
      std::smatch m;
      std::string h = r.substr(0, head);
      std::regex re("[Cc]ontent-[Ll]ength: *([0-9]+)");
      size_t want = std::regex_search(h, m, re) ? head + 4 + std::stoul(m[1]) : head + 4;
      return r.size() >= want;
    });
    size_t head = req.find("\r\n\r\n");
    {
      std::lock_guard<std::mutex> l(mu_);
      bodies_.push_back(head == std::string::npos ? "" : req.substr(head + 4));
    }
    std::string resp = "HTTP/1.1 " + std::to_string(status_) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = write(c, resp.data(), resp.size());
    (void)w;
  }
  int status_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
  e2e::LoopbackServer server_;  // last: its thread starts once the rest is set
};

TEST_P(Watch, WebhookGetsTheAlertAndIsRetried) {
  std::string demo = BuildGo("demo", GetParam());
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url = svc.ready_line();
  Webhook ok(200), failing(500);
  {
    Load load(demo, url, 8);
    RunResult r = Leakhound({"watch", url, "--no-config", "--interval", "1s", "--duration", "7s",
                             "--db", Fresh("watch-hook.db"), "--webhook", ok.url(), "--quiet"});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  auto bodies = ok.bodies();
  ASSERT_GE(bodies.size(), 1u);
  Json alert = Json::parse(bodies[0]);
  EXPECT_EQ(alert["pattern"], "chan-send-blocked") << bodies[0];
  EXPECT_NE(alert["file"].get<std::string>().find("demo/main.go"), std::string::npos);

  Service svc2({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url2 = svc2.ready_line();
  {
    Load load(demo, url2, 8);
    RunResult r = Leakhound({"watch", url2, "--no-config", "--interval", "1s", "--duration", "7s",
                             "--db", Fresh("watch-hook2.db"), "--webhook", failing.url(), "--quiet"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("webhook"), std::string::npos) << r.err;
  }
  // Three tries for the first alert (the queue is drained at exit).
  EXPECT_GE(failing.bodies().size(), 3u);
}

TEST_P(Watch, SigkillMidPollLeavesAValidStore) {
  std::string demo = BuildGo("demo", GetParam());
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url = svc.ready_line();
  std::string db = Fresh("watch-kill.db");
  Load load(demo, url, 6, 50);
  for (int round = 0; round < 3; ++round) {
    Service watch({e2e::LeakhoundBinary(), "watch", url, "--no-config", "--interval", "100ms", "--db", db},
                  "watching ", true);
    usleep(1500 * 1000);
    watch.Stop();  // SIGKILL, whatever it was doing
    long snapshots = 0;
    ASSERT_EQ(Integrity(db, &snapshots), "ok") << "round " << round;
    EXPECT_GE(snapshots, 1);
  }
  // And the store opens and grows again after the kills.
  long before = 0, after = 0;
  Integrity(db, &before);
  RunResult r = Leakhound({"watch", url, "--no-config", "--interval", "200ms", "--duration", "1s",
                           "--db", db, "--quiet"});
  EXPECT_EQ(r.status, 0) << r.err;
  Integrity(db, &after);
  EXPECT_GT(after, before);
}

TEST_P(Watch, ServesDashboardMetricsAndStopsCleanlyOnSigterm) {
  std::string demo = BuildGo("demo", GetParam());
  Service svc({demo, "-addr", "127.0.0.1:0"}, "listening on ");
  std::string url = svc.ready_line();
  std::string db = Fresh("watch-serve.db");
  Load load(demo, url, 8);
  Service watch({e2e::LeakhoundBinary(), "watch", url, "--no-config", "--interval", "1s", "--db", db,
                 "--serve", "127.0.0.1:0", "--token", "t0ken", "--format", "json"},
                "dashboard at ", true);
  std::string dash = watch.ready_line();  // http://127.0.0.1:PORT/
  ASSERT_EQ(dash.rfind("http://127.0.0.1:", 0), 0u) << dash;
  usleep(7000 * 1000);

  // The page needs no token and loads nothing from elsewhere.
  RunResult page = Curl({"-D", "-", dash});
  EXPECT_NE(page.out.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(page.out.find("<script src=\"http"), std::string::npos);
  // Data needs the token.
  RunResult denied = Curl({"-o", "/dev/null", "-w", "%{http_code}", dash + "api/dashboard"});
  EXPECT_EQ(denied.out, "401");
  RunResult api = Curl({"-H", "Authorization: Bearer t0ken", dash + "api/dashboard"});
  ASSERT_EQ(api.status, 0) << api.err;
  Json doc = Json::parse(api.out);
  EXPECT_EQ(doc["schema"], "leakhound/dashboard/v1");
  ASSERT_EQ(doc["targets"].size(), 1u);
  EXPECT_GE(doc["targets"][0]["totals"].size(), 5u);
  EXPECT_NE(FindFinding(doc["findings"], "chan-send-blocked"), nullptr) << api.out.substr(0, 2000);
  RunResult metrics = Curl({"-H", "Authorization: Bearer t0ken", dash + "metrics"});
  EXPECT_NE(metrics.out.find("# TYPE leakhound_goroutines gauge"), std::string::npos) << metrics.out;
  EXPECT_NE(metrics.out.find("leakhound_open_findings{target="), std::string::npos) << metrics.out;
  EXPECT_NE(metrics.out.find("leakhound_scrape_errors_total{target="), std::string::npos);
  EXPECT_NE(metrics.out.find("pattern=\"chan-send-blocked\""), std::string::npos);

  std::string rest;
  int status = watch.SignalAndWait(SIGTERM, 10000, &rest);
  EXPECT_EQ(status, 0) << rest;
  EXPECT_NE(rest.find("\"schema\": \"leakhound/watch/v1\""), std::string::npos) << rest;
  long snapshots = 0;
  EXPECT_EQ(Integrity(db, &snapshots), "ok");
  // Closed cleanly: the write-ahead log was checkpointed into the file.
  struct stat st;
  EXPECT_TRUE(stat((db + "-wal").c_str(), &st) != 0 || st.st_size == 0);

  // `leakhound serve` reads the same history afterwards.
  Service serve({e2e::LeakhoundBinary(), "serve", "--no-config", "--db", db, "--addr", "127.0.0.1:0"},
                "dashboard at ", true);
  RunResult again = Curl({serve.ready_line() + "api/dashboard"});
  Json doc2 = Json::parse(again.out);
  EXPECT_NE(FindFinding(doc2["findings"], "chan-send-blocked"), nullptr);
  RunResult m2 = Curl({serve.ready_line() + "metrics"});
  EXPECT_NE(m2.out.find("leakhound_scrape_errors{target="), std::string::npos) << m2.out;
}

TEST(Serve, MissingHistoryAndBusyPortAreClearErrors) {
  RunResult r = Leakhound({"serve", "--no-config", "--db", WorkDir() + "/no-such.db", "--addr", "127.0.0.1:0"});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("no-such.db"), std::string::npos);
  RunResult bad = Leakhound({"serve", "--no-config", "--addr", "nope:port"});
  EXPECT_EQ(bad.status, 2) << bad.err;
  RunResult w = Leakhound({"watch", "--no-config", "ftp://x"});
  EXPECT_EQ(w.status, 2) << w.err;
  RunResult none = Leakhound({"watch", "--no-config"});
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("no targets"), std::string::npos);
}

TEST(WatchInput, RefusesAFileThatIsNotAStoreAndLeavesItAlone) {
  std::string path = WorkDir() + "/notes.txt";
  WriteFile(path, "my precious notes\n");
  RunResult r = Leakhound({"watch", "http://127.0.0.1:1", "--no-config", "--db", path, "--duration", "1s"});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(path), "my precious notes\n");
}

INSTANTIATE_TEST_SUITE_P(Go, Watch, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
}  // namespace e2e
