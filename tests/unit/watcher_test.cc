// The watch loop against a scripted HTTP service on 127.0.0.1: what gets
// recorded as findings, and when (hysteresis, suspects after warm-up).
#include <httplib.h>

#include <atomic>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "store/store.h"
#include "watch/watcher.h"

namespace leakhound {
namespace {

std::string G(uint64_t id, const std::string& state, const std::string& fn, const std::string& at) {
  return "goroutine " + std::to_string(id) + " [" + state + "]:\nruntime.gopark(...)\n\t/go/src/runtime/proc.go:363 +0x1d\n" +
         (state == "chan send" ? "runtime.chansend1(...)\n\t/go/src/runtime/chan.go:145 +0x1d\n"
                               : "runtime.chanrecv1(...)\n\t/go/src/runtime/chan.go:442 +0x1d\n") +
         fn + "(...)\n\t" + at + " +0x1d\ncreated by main.serve\n\t/app/main.go:10 +0x85\n\n";
}

// Serves dumps[k] for the k-th routine poll (the last one after that);
// debug=2 requests get the current one without advancing.
class ScriptedService {
 public:
  // `details`, when given, is what debug=2 serves instead (same index).
  explicit ScriptedService(std::vector<std::string> dumps, std::vector<std::string> details = {})
      : dumps_(std::move(dumps)), details_(std::move(details)) {
    server_.Get("/debug/pprof/goroutine", [this](const httplib::Request& req, httplib::Response& res) {
      bool detail = req.get_param_value("debug") == "2";
      size_t k = detail ? served_ - 1 : served_++;
      const auto& from = detail && !details_.empty() ? details_ : dumps_;
      res.set_content(from[std::min(k, from.size() - 1)], "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ScriptedService() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  size_t served() const { return served_; }

 private:
  std::vector<std::string> dumps_, details_;
  httplib::Server server_;
  int port_ = 0;
  std::atomic<size_t> served_{0};
  std::thread thread_;
};

std::string Dump(int leaking, int pool) {
  std::string s = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n\n";
  for (int i = 0; i < leaking; ++i) s += G(100 + static_cast<uint64_t>(i), "chan send", "main.fetch", "/app/fetch.go:42");
  for (int i = 0; i < pool; ++i) s += G(10000 + static_cast<uint64_t>(i), "chan receive", "main.worker", "/app/pool.go:12");
  return s;
}

// Runs the watcher until the service has answered `polls` routine polls.
// One target, polled every 20 ms, debug=2 fetched whenever suspicious.
WatchOptions FastOptions(const ScriptedService& svc) {
  WatchOptions o;
  TargetConfig t;
  t.name = "svc";
  t.url = svc.url();
  o.targets = {t};
  o.watch.interval_ms = 20;
  o.watch.detail_gap_ms = 0;
  return o;
}

std::vector<StoredFinding> Watch(ScriptedService& svc, size_t polls, Store* store) {
  Watcher w(FastOptions(svc), store, nullptr);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (w.polls() < polls && std::chrono::steady_clock::now() < deadline) w.Step(20);
  EXPECT_EQ(w.polls(), polls);
  return store->Findings(0, false);
}

std::string TempDb(const std::string& name) {
  std::string p = ::testing::TempDir() + "/lh_watcher_" + name + ".db";
  for (const char* s : {"", "-wal", "-shm"}) std::remove((p + s).c_str());
  return p;
}

TEST(Watcher, OnePollWithoutAFindingDoesNotResolveIt) {
  // Growing leak; gone for one poll (a bad sample); back again.
  std::vector<std::string> dumps;
  for (int k = 0; k < 6; ++k) dumps.push_back(Dump(40 + 10 * k, 0));
  dumps.push_back(Dump(0, 0));
  for (int k = 6; k < 9; ++k) dumps.push_back(Dump(40 + 10 * k, 0));
  ScriptedService svc(dumps);
  std::string err;
  auto store = Store::Open(TempDb("hysteresis"), &err);
  ASSERT_TRUE(store) << err;
  auto findings = Watch(svc, dumps.size(), store.get());
  size_t rows = 0;
  for (const StoredFinding& f : findings)
    if (f.pattern == "chan-send-blocked") {
      ++rows;
      EXPECT_EQ(f.resolved_ms, 0) << "resolved after a single missing poll";
      EXPECT_EQ(f.line, 42);
    }
  EXPECT_EQ(rows, 1u);
}

TEST(Watcher, AFindingGoneForFourPollsIsResolved) {
  std::vector<std::string> dumps;
  for (int k = 0; k < 6; ++k) dumps.push_back(Dump(40 + 10 * k, 0));
  for (int k = 0; k < 5; ++k) dumps.push_back(Dump(0, 0));
  ScriptedService svc(dumps);
  std::string err;
  auto store = Store::Open(TempDb("resolve"), &err);
  ASSERT_TRUE(store) << err;
  auto findings = Watch(svc, dumps.size(), store.get());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].resolved_ms, 0);
}

TEST(Watcher, SuspectsWaitForFourSnapshots) {
  // Twenty receivers: a suspect in one picture (not a small pool), flat
  // across the series, which is what a healthy worker pool looks like.
  std::vector<std::string> dumps(8, Dump(0, 20));
  {
    // The premise: one picture of it alone is a suspect.
    DumpSet set;
    ASSERT_FALSE(ReadDumpBytes(dumps[0], "one", &set));
    Verdict v = AnalyzeSeries({&set.snapshots.back()}, {}, {});
    bool suspect = false;
    for (const Finding& f : v.findings) suspect = suspect || f.severity == Severity::kSuspect;
    ASSERT_TRUE(suspect);
  }
  ScriptedService svc(dumps);
  std::string err;
  auto store = Store::Open(TempDb("warmup"), &err);
  ASSERT_TRUE(store) << err;
  auto findings = Watch(svc, 3, store.get());
  EXPECT_TRUE(findings.empty()) << findings.size() << " finding(s) before 4 snapshots";
}

TEST(Watcher, ADetailArrivingAfterThePollStillNamesTheCreator) {
  // The leak shows first on the last routine poll, in a form without
  // creators; the debug=2 fetch it triggers lands after that poll was
  // reported, and must still fill in the go statement.
  auto strip = [](std::string d) {
    for (size_t at; (at = d.find("created by main.serve\n\t/app/main.go:10 +0x85\n")) != std::string::npos;)
      d.erase(at, std::string("created by main.serve\n\t/app/main.go:10 +0x85\n").size());
    return d;
  };
  std::vector<std::string> dumps, details;
  for (int k = 0; k < 5; ++k) details.push_back(Dump(k < 4 ? 0 : 200, 0));
  for (const std::string& d : details) dumps.push_back(strip(d));
  ScriptedService svc(dumps, details);
  Watcher w(FastOptions(svc), nullptr, nullptr);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (w.polls() < 5 && std::chrono::steady_clock::now() < deadline) w.Step(20);
  ASSERT_EQ(w.polls(), 5u);
  auto open = w.OpenFindings();
  ASSERT_FALSE(open.empty()) << "premise: the last poll raises the leak";
  ASSERT_EQ(open[0].record.creator_line, 0) << "premise: routine polls carry no creator";
  while (w.Status()[0].detail_fetches < 1 && std::chrono::steady_clock::now() < deadline) w.Step(20);
  open = w.OpenFindings();
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open[0].record.creator_function, "main.serve");
  EXPECT_EQ(open[0].record.creator_line, 10);
}

}  // namespace
}  // namespace leakhound

namespace leakhound {
namespace {

// Twelve replicas show the same leak at once: their debug=2 fetches (the
// large form) take turns, at most four in flight, and every replica gets
// its own in the end.
TEST(Watcher, DetailFetchesAcrossAFleetTakeTurns) {
  std::atomic<int> in_flight{0}, most{0}, details{0};
  std::string dump = Dump(60, 0);
  std::vector<std::unique_ptr<httplib::Server>> servers;
  std::vector<std::thread> threads;
  WatchOptions o;
  o.watch.interval_ms = 50;
  o.watch.detail_gap_ms = 60'000;  // one detail per target
  for (int i = 0; i < 12; ++i) {
    auto srv = std::make_unique<httplib::Server>();
    srv->Get("/debug/pprof/goroutine", [&](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("debug") == "2") {
        int now = ++in_flight;
        for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        --in_flight;
        ++details;
      }
      res.set_content(dump, "text/plain");
    });
    int port = srv->bind_to_any_port("127.0.0.1");
    threads.emplace_back([s = srv.get()] { s->listen_after_bind(); });
    TargetConfig t;
    t.name = "replica-" + std::to_string(i);
    t.url = "http://127.0.0.1:" + std::to_string(port);
    o.targets.push_back(t);
    servers.push_back(std::move(srv));
  }
  {
    Watcher w(o, nullptr, nullptr);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (details.load() < 12 && std::chrono::steady_clock::now() < deadline) w.Step(20);
    for (int k = 0; k < 10; ++k) w.Step(20);  // no more than one each
  }
  for (auto& s : servers) s->stop();
  for (auto& t : threads) t.join();
  EXPECT_EQ(details.load(), 12);
  EXPECT_LE(most.load(), 4);
  EXPECT_GE(most.load(), 2) << "the fetches should overlap up to the cap";
}

}  // namespace
}  // namespace leakhound
