// leakhound with Prometheus, all real: Debian's prometheus server started
// here on 127.0.0.1 scrapes testdata/go/fleet's ports and leakhound's own
// /metrics with the shipped rules (deploy/prometheus/leakhound-rules.yml);
// leakhound finds the fleet through Prometheus's /api/v1/targets, and the
// test reads Prometheus's HTTP API until the leak alert fires for the
// leaking service. Also file_sd: targets come and go as the file changes.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "loopback_server.h"
#include "run_util.h"

namespace e2e {
namespace {

using Json = nlohmann::json;

std::string RulesFile() { return std::string(LEAKHOUND_SOURCE_DIR) + "/deploy/prometheus/leakhound-rules.yml"; }

// The "http://HOST:PORT" lines a fleet printed before "ready".
std::vector<std::string> FleetUrls(const Service& fleet) {
  std::vector<std::string> urls;
  std::istringstream in(fleet.seen());
  for (std::string line; std::getline(in, line);)
    if (line.rfind("http://", 0) == 0) urls.push_back(line);
  return urls;
}

std::string Instance(const std::string& url) { return url.substr(url.find("://") + 3); }

Json GetJson(const std::string& url, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = extra;
  args.push_back(url);
  RunResult r = Curl(args);
  if (r.status != 0) return Json();
  return Json::parse(r.out, nullptr, false);
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      char hex[4];
      snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

Json PromQuery(int port, const std::string& expr) {
  return GetJson("http://127.0.0.1:" + std::to_string(port) + "/api/v1/query?query=" + UrlEncode(expr));
}

// Prometheus's config: 1 s scrapes and rule evaluations so the test takes
// seconds, the shipped rules file as it is.
void WritePrometheusConfig(const std::string& path, const std::string& leakhound,
                           const std::vector<std::string>& fleet) {
  std::string targets;
  for (const std::string& u : fleet) targets += (targets.empty() ? "\"" : ", \"") + Instance(u) + "\"";
  WriteFile(path, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                  "rule_files: [\"" + RulesFile() + "\"]\n"
                  "scrape_configs:\n"
                  "  - job_name: leakhound\n"
                  "    static_configs: [{targets: [\"" + leakhound + "\"]}]\n"
                  "  - job_name: fleet\n"
                  "    static_configs: [{targets: [" + targets + "], labels: {team: payments}}]\n");
}

// Debian's prometheus on a free loopback port, its data in a fresh folder.
std::unique_ptr<Service> StartPrometheus(int port, const std::string& config) {
  std::string bin = LEAKHOUND_PROMETHEUS;
  if (bin.empty()) throw std::runtime_error("prometheus not found: run scripts/install-deps.sh");
  return std::make_unique<Service>(
      std::vector<std::string>{bin, "--config.file=" + config,
                               "--web.listen-address=127.0.0.1:" + std::to_string(port),
                               "--storage.tsdb.path=" + Fresh("prom-data"), "--log.level=info"},
      "Server is ready to receive web requests", true);
}

// Waits up to `seconds` for `done`, checking every 500 ms.
template <typename F>
bool Eventually(int seconds, F done) {
  for (int i = 0; i < seconds * 2; ++i) {
    if (done()) return true;
    usleep(500 * 1000);
  }
  return done();
}

TEST(Prometheus, DiscoversTheFleetThroughPrometheusAndTheLeakAlertFires) {
  std::string fleet_bin = BuildGo("fleet", "1.26");
  int leak_line = Markers(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/fleet/main.go", "LEAK")["fleet-growing"];
  ASSERT_GT(leak_line, 0);
  Service leaky({fleet_bin, "-n", "2", "-leak-every", "50ms"}, "ready");
  Service healthy({fleet_bin, "-n", "1", "-leak-every", "0"}, "ready");
  std::vector<std::string> leaky_urls = FleetUrls(leaky), healthy_urls = FleetUrls(healthy);
  ASSERT_EQ(leaky_urls.size(), 2u) << leaky.seen();
  ASSERT_EQ(healthy_urls.size(), 1u) << healthy.seen();

  // leakhound first, pointed at a Prometheus that is not up yet: it must
  // keep trying, not give up.
  int prom_port = FreePort();
  std::string db = Fresh("prom-watch.db");
  Service watch({LeakhoundBinary(), "watch", "--no-config", "--targets-from",
                 "prometheus://127.0.0.1:" + std::to_string(prom_port) + "?job=fleet&refresh=1s", "--interval",
                 "300ms", "--db", db, "--serve", "127.0.0.1:0", "--format", "json"},
                "dashboard at ", true);
  std::string dash = watch.ready_line();
  std::string lh_addr = dash.substr(7, dash.size() - 8);  // HOST:PORT of http://HOST:PORT/

  std::string config = WorkDir() + "/prometheus.yml";
  std::vector<std::string> fleet = leaky_urls;
  fleet.push_back(healthy_urls[0]);
  WritePrometheusConfig(config, lh_addr, fleet);
  std::unique_ptr<Service> prom = StartPrometheus(prom_port, config);

  // The alert, read from Prometheus: GoroutineLeak firing for a leaky port.
  std::set<std::string> leaky_instances = {Instance(leaky_urls[0]), Instance(leaky_urls[1])};
  std::string healthy_instance = Instance(healthy_urls[0]);
  Json fired;
  bool firing = Eventually(120, [&] {
    Json alerts = GetJson("http://127.0.0.1:" + std::to_string(prom_port) + "/api/v1/alerts");
    if (!alerts.is_object() || alerts["status"] != "success") return false;
    for (const Json& a : alerts["data"]["alerts"]) {
      EXPECT_NE(a["labels"].value("target", ""), healthy_instance) << a.dump();
      if (a["labels"]["alertname"] == "GoroutineLeak" && a["state"] == "firing" &&
          leaky_instances.count(a["labels"].value("target", ""))) {
        fired = a;
        return true;
      }
    }
    return false;
  });
  ASSERT_TRUE(firing) << "no GoroutineLeak alert; leakhound's metrics:\n"
                      << Curl({dash + "metrics"}).out.substr(0, 3000);
  EXPECT_EQ(fired["labels"]["pattern"], "chan-send-blocked") << fired.dump();
  EXPECT_EQ(fired["labels"]["severity"], "warning");

  // leakhound found all three through Prometheus, with their labels, and
  // names the leak's line.
  Json doc = GetJson(dash + "api/dashboard");
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> names;
  for (const Json& t : doc["targets"]) names.insert(t.value("name", ""));
  for (const std::string& u : fleet) EXPECT_TRUE(names.count(Instance(u))) << doc["targets"].dump();
  bool at_line = false;
  for (const Json& f : doc["findings"])
    if (leaky_instances.count(f.value("target", "")) && f.value("line", 0) == leak_line &&
        Basename(f.value("file", "")) == "main.go")
      at_line = true;
  EXPECT_TRUE(at_line) << doc["findings"].dump().substr(0, 3000);
  // LeakProf's view: the leaking services first, the healthy one with no leak.
  ASSERT_GE(doc["fleet"].size(), 1u) << doc.dump().substr(0, 2000);
  EXPECT_TRUE(leaky_instances.count(doc["fleet"][0].value("target", ""))) << doc["fleet"].dump();
  EXPECT_EQ(doc["fleet"][0]["worst"]["severity"], "leak");
  for (const Json& row : doc["fleet"]) {
    if (row["target"] == healthy_instance) {
      EXPECT_EQ(row["leaks"], 0) << row.dump();
    }
    EXPECT_LE(row["score"].get<double>(), doc["fleet"][0]["score"].get<double>());
  }

  // The Grafana dashboard's queries all run on this Prometheus, and its
  // per-service panel shows the fleet.
  Json grafana = Json::parse(ReadFile(std::string(LEAKHOUND_SOURCE_DIR) + "/deploy/grafana/leakhound-dashboard.json"));
  size_t queries = 0;
  for (const Json& panel : grafana["panels"]) {
    for (const Json& t : panel["targets"]) {
      std::string expr = t["expr"];
      for (auto [from, to] : {std::pair<std::string, std::string>{"$target", ".*"}, {"$__rate_interval", "1m"}})
        for (size_t at; (at = expr.find(from)) != std::string::npos;) expr.replace(at, from.size(), to);
      Json r = PromQuery(prom_port, expr);
      ASSERT_TRUE(r.is_object()) << expr;
      EXPECT_EQ(r["status"], "success") << panel["title"] << ": " << expr << " -> " << r.dump();
      ++queries;
      if (panel["title"] == "Goroutines by service") {
        // The alert can fire before Prometheus has scraped leakhound after
        // its first good poll of every service: wait for all three.
        std::set<std::string> shown;
        bool all = Eventually(30, [&] {
          Json now = PromQuery(prom_port, expr);
          shown.clear();
          if (now.is_object())
            for (const Json& s : now["data"]["result"]) shown.insert(s["metric"].value("target", ""));
          for (const std::string& u : fleet)
            if (!shown.count(Instance(u))) return false;
          return true;
        });
        EXPECT_TRUE(all) << r.dump();
      }
    }
  }
  EXPECT_GE(queries, 8u);

  // Discovery follows Prometheus: drop the healthy service from its
  // config, reload it, and leakhound stops watching it without a restart.
  WritePrometheusConfig(config, lh_addr, leaky_urls);
  kill(prom->pid(), SIGHUP);
  bool gone = Eventually(30, [&] {
    RunResult m = Curl({dash + "metrics"});
    return m.status == 0 && m.out.find("leakhound_target_up{target=\"" + healthy_instance + "\"}") == std::string::npos &&
           m.out.find("leakhound_target_up{target=\"" + *leaky_instances.begin() + "\"}") != std::string::npos;
  });
  EXPECT_TRUE(gone) << Curl({dash + "metrics"}).out.substr(0, 2000);

  std::string rest;
  EXPECT_EQ(watch.SignalAndWait(SIGTERM, 15000, &rest), 0) << rest;
  Json summary = Json::parse(rest.substr(std::min(rest.find("{\n"), rest.size())), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << rest;
  EXPECT_EQ(summary["targets"].size(), 2u) << summary["targets"].dump();
  ASSERT_GE(summary["fleet"].size(), 1u) << rest;
  EXPECT_TRUE(leaky_instances.count(summary["fleet"][0].value("target", ""))) << summary["fleet"].dump();
  std::string log = watch.seen() + rest;
  EXPECT_NE(log.find("discovery failed"), std::string::npos) << "the first tries, before Prometheus was up";
  EXPECT_NE(log.find("discovery working"), std::string::npos) << log;
  EXPECT_NE(rest.find("(+0 -1)"), std::string::npos) << rest;
}

// A Prometheus API behind a proxy that asks for a token (bearer_env: in
// the config), and one that answers something else: the token is sent to
// the API and only there, and garbage is one log line, not a crash.
TEST(Prometheus, TokenForTheApiAndAnswersThatAreNotPrometheus) {
  std::string fleet_bin = BuildGo("fleet", "1.26");
  Service svc({fleet_bin, "-n", "1", "-leak-every", "0"}, "ready");
  std::string instance = Instance(FleetUrls(svc).at(0));
  std::atomic<int> refused{0}, answered{0};
  LoopbackServer api([&](int fd) {
    std::string req = LoopbackServer::ReadUntil(fd, [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; });
    std::string body = "{\"status\":\"success\",\"data\":{\"activeTargets\":[{\"labels\":{\"instance\":\"" +
                       instance + "\",\"job\":\"api\"},\"scrapeUrl\":\"http://" + instance + "/metrics\"}]}}";
    bool ok = req.find("Authorization: Bearer p-t0ken\r\n") != std::string::npos &&
              req.rfind("GET /api/v1/targets?state=active ", 0) == 0;
    (ok ? answered : refused)++;
    std::string resp = ok ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body
                          : "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = write(fd, resp.data(), resp.size());
    (void)w;
  });
  LoopbackServer html([&](int fd) {
    LoopbackServer::ReadUntil(fd, [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; });
    std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\n<html>login</html>\n";
    ssize_t w = write(fd, resp.data(), resp.size());
    (void)w;
  });
  std::string config = WorkDir() + "/prom-token.yaml";
  WriteFile(config, "sources:\n  - prometheus: " + api.url() + "\n    bearer_env: LH_PROM_TOKEN\n    refresh: 500ms\n"
                    "  - prometheus: " + html.url() + "\n    refresh: 500ms\n");
  RunOptions o;
  o.env = {"LH_PROM_TOKEN=p-t0ken"};
  RunResult r = Leakhound({"watch", "--config", config, "--interval", "300ms", "--duration", "3s", "--db",
                           Fresh("prom-token.db"), "--format", "json"},
                          o);
  ASSERT_EQ(r.status, 0) << r.err;
  Json summary = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(summary.is_object()) << r.out;
  ASSERT_EQ(summary["targets"].size(), 1u) << r.out;
  EXPECT_EQ(summary["targets"][0]["name"], instance);
  EXPECT_GT(summary["targets"][0]["polls"].get<int>(), 2);
  EXPECT_GE(answered.load(), 3);
  EXPECT_EQ(refused.load(), 0);
  // The garbage source: logged once, however many refreshes failed.
  std::string said = html.url() + "/api/v1/targets?state=active: not JSON";
  size_t at = r.err.find(said);
  ASSERT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not JSON", at + said.size()), std::string::npos) << r.err;

  // Without the token the API refuses, and leakhound says so.
  o.env = {"LH_PROM_TOKEN="};
  RunResult no = Leakhound({"watch", "--config", config, "--duration", "1s", "--db", Fresh("prom-token2.db")}, o);
  EXPECT_EQ(no.status, 4) << no.err;
  EXPECT_NE(no.err.find("bearer_env: environment variable LH_PROM_TOKEN is not set"), std::string::npos) << no.err;
}

// file_sd, the same files Prometheus reads: a target added to the file is
// polled, a target removed is dropped, a broken rewrite keeps the last
// good list, and a missing file at start is a one-line error.
TEST(FileSd, TargetsComeAndGoAsTheFileChanges) {
  std::string fleet_bin = BuildGo("fleet", "1.26");
  Service a({fleet_bin, "-n", "1", "-leak-every", "0"}, "ready");
  Service b({fleet_bin, "-n", "1", "-leak-every", "0"}, "ready");
  std::string ia = Instance(FleetUrls(a).at(0)), ib = Instance(FleetUrls(b).at(0));
  std::string dir = Fresh("file-sd");
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "'").c_str()), 0);
  std::string path = dir + "/fleet.json";
  auto write = [&](const std::string& text) {  // as tools do: a new file renamed over
    WriteFile(path + ".tmp", text);
    ASSERT_EQ(std::rename((path + ".tmp").c_str(), path.c_str()), 0);
  };

  RunResult missing = Leakhound({"watch", "--no-config", "--targets-from", "file_sd:" + path, "--duration", "1s",
                                 "--db", Fresh("file-sd-missing.db")});
  EXPECT_EQ(missing.status, 4) << missing.err;
  EXPECT_NE(missing.err.find(path + ": no such file"), std::string::npos) << missing.err;
  write("[{\"targets\": [\"" + ia + "\",]}]\n");
  RunResult bad = Leakhound({"watch", "--no-config", "--targets-from", "file_sd:" + path, "--duration", "1s",
                             "--db", Fresh("file-sd-bad.db")});
  EXPECT_EQ(bad.status, 4) << bad.err;
  EXPECT_NE(bad.err.find(path + ":1: "), std::string::npos) << bad.err;

  write("[\n  {\"targets\": [\"" + ia + "\"], \"labels\": {\"job\": \"api\", \"team\": \"payments\"}}\n]\n");
  std::string db = Fresh("file-sd.db");
  Service watch({LeakhoundBinary(), "watch", "--no-config", "--targets-from", "file_sd:" + dir + "/*.json?refresh=200ms",
                 "--interval", "200ms", "--db", db, "--serve", "127.0.0.1:0", "--format", "json"},
                "dashboard at ", true);
  std::string dash = watch.ready_line();
  auto polled = [&](const std::string& name) {
    Json doc = GetJson(dash + "api/dashboard");
    if (!doc.is_object()) return false;
    for (const Json& t : doc["targets"])
      if (t.value("name", "") == name && t["totals"].size() >= 2) return true;
    return false;
  };
  auto watched = [&](const std::string& name) {
    RunResult m = Curl({dash + "metrics"});
    return m.out.find("leakhound_target_up{target=\"" + name + "\"} 1") != std::string::npos;
  };
  EXPECT_TRUE(Eventually(20, [&] { return polled(ia) && watched(ia); }));

  // b joins; then a broken rewrite changes nothing; then a leaves.
  write("[{\"targets\": [\"" + ia + "\", \"" + ib + "\"], \"labels\": {\"job\": \"api\"}}]\n");
  EXPECT_TRUE(Eventually(20, [&] { return polled(ib) && watched(ib) && watched(ia); }));
  write("[\n  {\"targets\": [\"" + ib + "\"],\n   \"labels\": {\"job\": \"api\",}}\n]\n");
  usleep(1000 * 1000);
  EXPECT_TRUE(watched(ia) && watched(ib));
  write("[{\"targets\": [\"" + ib + "\"], \"labels\": {\"job\": \"api\"}}]\n");
  EXPECT_TRUE(Eventually(20, [&] { return !watched(ia) && watched(ib); }));

  std::string rest;
  EXPECT_EQ(watch.SignalAndWait(SIGTERM, 15000, &rest), 0) << rest;
  Json summary = Json::parse(rest.substr(std::min(rest.find("{\n"), rest.size())), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << rest;
  ASSERT_EQ(summary["targets"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["targets"][0]["name"], ib);
  EXPECT_GT(summary["targets"][0]["polls"].get<int>(), 2);
  EXPECT_NE(rest.find("keeping its last targets"), std::string::npos) << rest;
  EXPECT_NE(rest.find(dir + "/fleet.json:3:"), std::string::npos) << rest;
}

}  // namespace
}  // namespace e2e
