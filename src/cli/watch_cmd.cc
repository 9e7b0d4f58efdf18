// `leakhound watch`: poll services, keep history, alert; optionally serve
// the dashboard. `leakhound serve`: the dashboard over an existing store.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/memory.h"
#include "cli/commands.h"
#include "config/config.h"
#include "discover/discover.h"
#include "serve/server.h"
#include "store/store.h"
#include "watch/alerts.h"
#include "report/fleet_rank.h"
#include "watch/watcher.h"

namespace leakhound {

namespace {

std::atomic<bool> g_stop{false};
Watcher* g_watcher = nullptr;

void OnSignal(int) { g_stop = true; }

void InstallSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string Secret(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* v = std::getenv(env);
  return v ? v : "";
}

// LeakProf's table: the services to look at first.
void WriteFleetTable(const std::vector<FleetRow>& fleet, std::ostream& out) {
  out << "\nservices by their worst leak:\n";
  out << fmt::format("  {:>3}  {:<24} {:>9}  {:<32} {:>10} {:>9}  {}\n", "#", "service", "score", "worst",
                     "goroutines", "growth/h", "at");
  size_t rank = 0;
  for (const FleetRow& r : fleet) {
    const FindingRecord& w = r.worst;
    std::string file = w.file.substr(w.file.rfind('/') == std::string::npos ? 0 : w.file.rfind('/') + 1);
    out << fmt::format("  {:>3}  {:<24} {:>9.1f}  {:<32} {:>10} {:>9.0f}  {}\n", ++rank, r.target, r.score,
                       fmt::format("{} {} ({:.2f})", w.severity == "leak" ? "LEAK" : "SUSPECT", w.pattern,
                                   w.confidence),
                       r.goroutines, w.growth_per_hour, file.empty() ? "?" : fmt::format("{}:{}", file, w.line));
  }
}

void WriteSummary(const Watcher& w, const std::string& format, double seconds, std::ostream& out) {
  std::vector<TargetStatus> status = w.Status();
  std::vector<Watcher::OpenFinding> open = w.OpenFindings();
  std::vector<std::pair<std::string, const FindingRecord*>> pairs;
  for (const Watcher::OpenFinding& f : open) pairs.emplace_back(f.target, &f.record);
  std::vector<FleetRow> fleet = RankFleet(pairs);
  if (format == "json") {
    nlohmann::json j;
    j["schema"] = "leakhound/watch/v1";
    j["seconds"] = std::round(seconds * 10) / 10;
    j["polls"] = w.polls();
    nlohmann::json targets = nlohmann::json::array();
    for (const TargetStatus& s : status)
      targets.push_back({{"name", s.name}, {"url", s.url}, {"up", s.up}, {"polls", s.polls},
                         {"errors", s.errors}, {"detail_fetches", s.detail_fetches},
                         {"goroutines", s.total}, {"last_error", s.last_error},
                         {"mean_fetch_ms", s.polls ? std::round(s.fetch_seconds * 1e4 / s.polls) / 10 : 0}});
    j["targets"] = targets;
    nlohmann::json findings = nlohmann::json::array();
    for (const Watcher::OpenFinding& f : open) {
      const FindingRecord& r = f.record;
      findings.push_back({{"target", f.target}, {"pattern", r.pattern}, {"title", f.title},
                          {"severity", r.severity}, {"confidence", std::round(r.confidence * 1000) / 1000},
                          {"count", r.count}, {"state", f.state}, {"function", r.function},
                          {"file", r.file}, {"line", r.line},
                          {"creator", {{"function", r.creator_function}, {"file", r.creator_file},
                                       {"line", r.creator_line}}},
                          {"growth_per_hour", r.growth_per_hour},
                          {"reasons", nlohmann::json::parse(r.reasons_json, nullptr, false)}});
    }
    j["findings"] = findings;
    j["fleet"] = FleetJson(fleet);
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  out << fmt::format("watched {} target(s) for {:.0f} s, {} polls\n", status.size(), seconds, w.polls());
  for (const TargetStatus& s : status)
    out << fmt::format("  {:<24} {:<5} {:>7} goroutines  {} polls, {} failed{}\n", s.name,
                       s.up ? "up" : "DOWN", s.total, s.polls, s.errors,
                       s.last_error.empty() ? "" : "  (" + s.last_error + ")");
  if (open.empty()) {
    out << "no leaks found\n";
    return;
  }
  if (status.size() > 1) WriteFleetTable(fleet, out);
  out << fmt::format("\n{} finding(s):\n", open.size());
  for (const Watcher::OpenFinding& f : open) {
    const FindingRecord& r = f.record;
    out << fmt::format("\n{} {} ({:.2f}) {}: {}\n", r.severity == "leak" ? "LEAK" : "SUSPECT",
                       r.pattern, r.confidence, f.target, f.title);
    out << fmt::format("  {} goroutines{} at {}:{}\n    in {}\n", r.count,
                       f.state.empty() ? "" : " in \"" + f.state + "\"", r.file, r.line, r.function);
    if (!r.creator_function.empty())
      out << fmt::format("  started by {} at {}:{}\n", r.creator_function, r.creator_file, r.creator_line);
    if (r.growth_per_hour > 0) out << fmt::format("  growing {:.0f}/hour\n", r.growth_per_hour);
    if (const Pattern* p = FindPattern(r.pattern)) out << "  fix: " << p->fix << "\n";
  }
}

}  // namespace

CLI::App* AddWatchCommand(CLI::App* app, WatchFlags* f) {
  CLI::App* w = app->add_subcommand(
      "watch", "Poll live services' goroutine profiles, keep history, alert on leaks");
  w->add_option("urls", f->urls, "Services (base URL, e.g. http://127.0.0.1:6060)");
  w->add_option("--targets-from", f->targets_from,
                "Targets from Prometheus: prometheus://HOST:PORT[?job=NAME&pprof_port=N] "
                "(its active targets) or file_sd:PATH (file_sd JSON/YAML); repeatable, "
                "followed as they change");
  w->add_option("--config", f->config,
                "Config file with targets: (default: .leakhound.yaml in this folder or a parent)");
  w->add_flag("--no-config", f->no_config, "Ignore any .leakhound.yaml");
  w->add_option("--interval", f->interval, "Time between polls of one target (default 30s)");
  w->add_option("--duration", f->duration, "Stop after this long (default: until Ctrl-C)");
  w->add_option("--db", f->db, "SQLite history file (default leakhound.db)");
  w->add_option("--window", f->window, "Snapshots per target in the series analysis (default 20)");
  w->add_option("--form", f->form,
                "Routine polls: proto (debug=0, default: smallest, states inferable) or 1 (debug=1)")
      ->check(CLI::IsMember({"proto", "1"}));
  w->add_option("--detail-gap", f->detail_gap,
                "Least time between debug=2 fetches of one target (default 5m)");
  w->add_option("--alert-at", f->alert_at, "Alert at: leak (default) or suspect")
      ->check(CLI::IsMember({"leak", "suspect"}));
  w->add_option("--webhook", f->webhook, "POST each alert as JSON to this URL");
  w->add_option("--on-alert", f->command, "Run this shell command per alert (JSON on stdin)");
  w->add_option("--serve", f->serve, "Also serve the dashboard at [HOST:]PORT (default host 127.0.0.1)");
  w->add_option("--token", f->token, "Bearer token for the dashboard's API (default $LEAKHOUND_TOKEN)");
  w->add_flag("--insecure-listen", f->insecure_listen,
              "Allow --serve on a non-loopback address without a token");
  w->add_option("--format", f->format, "Summary at exit: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  w->add_option("--fail-on", f->fail_on, "Exit 1 if a finding at this level is open at exit")
      ->check(CLI::IsMember({"leak", "suspect"}));
  w->add_option("--timeout", f->timeout, "Total time allowed per request (default 10s)");
  w->add_option("--connect-timeout", f->connect_timeout, "Time allowed to connect");
  w->add_option("--max-size", f->max_size_mb, "Largest response accepted, in MiB");
  w->add_option("--ca-file", f->ca_file, "CA bundle to verify the services' TLS certificates");
  w->add_option("--user", f->user, "Basic auth user:password (default $LEAKHOUND_BASIC_AUTH)");
  w->add_option("--bearer", f->bearer, "Bearer token (default $LEAKHOUND_BEARER_TOKEN)");
  w->add_flag("--quiet", f->quiet, "No summary at exit");
  return w;
}

int RunWatch(const WatchFlags& f) {
  TuneAllocatorForLongRuns();  // watch runs for days (base/memory.h)
  Config config;
  if (!LoadConfigFor(f.config, f.no_config, &config)) return kExitConfig;
  WatchOptions options;
  options.watch = config.watch;
  auto duration = [](const std::string& text, const char* flag, long* ms, bool zero_ok) {
    if (text.empty()) return true;
    if (!ParseDuration(text, ms) || (!zero_ok && *ms <= 0)) {
      std::cerr << "leakhound: " << flag << ": expected a duration like 500ms, 30s, 5m or 1h, got \""
                << text << "\"\n";
      return false;
    }
    return true;
  };
  long duration_ms = 0;
  if (!duration(f.interval, "--interval", &options.watch.interval_ms, false) ||
      !duration(f.detail_gap, "--detail-gap", &options.watch.detail_gap_ms, true) ||
      !duration(f.timeout, "--timeout", &options.watch.timeout_ms, false) ||
      !duration(f.duration, "--duration", &duration_ms, false))
    return kExitUsage;
  if (f.window > 0) options.watch.window = std::max<size_t>(2, f.window);
  if (!f.db.empty()) options.watch.db = f.db;
  if (options.watch.db.empty()) options.watch.db = "leakhound.db";
  if (!f.alert_at.empty()) options.watch.alert_at = f.alert_at;
  options.form = !f.form.empty() ? f.form : options.watch.form;
  if (!f.webhook.empty()) options.watch.webhook = f.webhook;
  if (!f.command.empty()) options.watch.command = f.command;

  options.targets = config.targets;
  for (const std::string& url : f.urls) {
    if (!IsUrl(url)) {
      std::cerr << "leakhound: " << url << ": expected an http:// or https:// URL\n";
      return kExitUsage;
    }
    TargetConfig t;
    t.name = url.substr(url.find("://") + 3);
    while (!t.name.empty() && t.name.back() == '/') t.name.pop_back();
    t.url = url;
    for (const TargetConfig& o : options.targets)
      if (o.name == t.name) t.name = url;
    options.targets.push_back(t);
  }
  options.sources = config.sources;
  for (const std::string& spec : f.targets_from) {
    SourceConfig s;
    std::string why;
    if (!ParseSourceSpec(spec, &s, &why)) {
      std::cerr << "leakhound: " << why << "\n";
      return kExitUsage;
    }
    options.sources.push_back(std::move(s));
  }
  if (options.targets.empty() && options.sources.empty()) {
    std::cerr << "leakhound: watch: no targets (give URLs, --targets-from, or targets: or "
                 "sources: in the config file)\n";
    return kExitUsage;
  }
  options.fetch.total_timeout_ms = options.watch.timeout_ms;
  long connect_ms = 0;
  if (!duration(f.connect_timeout, "--connect-timeout", &connect_ms, false)) return kExitUsage;
  options.fetch.connect_timeout_ms =
      connect_ms > 0 ? connect_ms : std::min<long>(5000, options.watch.timeout_ms);
  options.fetch.max_bytes = f.max_size_mb << 20;
  options.fetch.ca_file = f.ca_file;
  options.fetch.basic_auth = Secret(f.user, "LEAKHOUND_BASIC_AUTH");
  options.fetch.bearer_token = Secret(f.bearer, "LEAKHOUND_BEARER_TOKEN");
  options.source_fetch = options.fetch;
  options.source_fetch.basic_auth.clear();  // the services' secrets are not Prometheus's
  options.source_fetch.bearer_token.clear();
  options.analyze.thresholds = config.thresholds;
  options.analyze.ignore = &config.ignore;

  std::string error;
  StoreOpenFault store_fault = StoreOpenFault::kNone;
  std::unique_ptr<Store> store = Store::Open(options.watch.db, &error, true, &store_fault);
  if (!store) {
    std::cerr << "leakhound: " << error << "\n";
    return store_fault == StoreOpenFault::kLocked     ? kExitStoreLocked
           : store_fault == StoreOpenFault::kUnusable ? kExitStore
                                                      : kExitConfig;
  }
  FetchOptions hook_fetch;
  hook_fetch.connect_timeout_ms = 3000;
  hook_fetch.total_timeout_ms = 5000;
  hook_fetch.max_bytes = 1 << 20;
  hook_fetch.ca_file = f.ca_file;
  AlertSink alerts(options.watch.webhook, options.watch.command, hook_fetch);

  InstallSignals();
  Watcher watcher(options, store.get(), &alerts);
  g_watcher = &watcher;
  if (!watcher.ReadSourcesAtStart(&error)) {
    std::cerr << "leakhound: " << error << "\n";
    return kExitConfig;
  }

  DashboardServer server;
  std::string serve_addr = !f.serve.empty() ? f.serve : "";
  if (!serve_addr.empty()) {
    ServeOptions so;
    if (!ParseListenAddress(serve_addr, &so.host, &so.port)) {
      std::cerr << "leakhound: --serve: expected [HOST:]PORT, got \"" << serve_addr << "\"\n";
      return kExitUsage;
    }
    so.token = Secret(f.token.empty() ? config.serve.token : f.token, "LEAKHOUND_TOKEN");
    so.db_path = options.watch.db;
    so.live_status = [&watcher]() { return watcher.Status(); };
    if (std::string why = ExposureError(so, f.insecure_listen || config.serve.insecure_listen);
        !why.empty()) {
      std::cerr << "leakhound: --serve " << why << "\n";
      return kExitInsecureListen;
    }
    // Called from the server's threads; Status() copies under the
    // watcher's lock.
    if (!server.Start(so, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitUsage;
    }
    std::cerr << fmt::format("leakhound: dashboard at http://{}:{}/\n",
                             so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host,
                             server.port());
  }
  std::cerr << fmt::format("leakhound: watching {} target(s){}, every {} ms, history in {}\n",
                           watcher.Status().size(),
                           options.sources.empty() ? "" : fmt::format(" and {} source(s)", options.sources.size()),
                           options.watch.interval_ms, options.watch.db);

  auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
  };
  while (!g_stop) {
    if (duration_ms > 0 && elapsed_ms() >= duration_ms) break;
    // Short waits so a signal or the end of --duration is noticed soon.
    long left = duration_ms > 0 ? duration_ms - elapsed_ms() : 200;
    watcher.Step(static_cast<int>(std::clamp<long>(left, 0, 200)));
    if (!watcher.store_fault().empty()) break;
  }
  server.Stop();
  double seconds = static_cast<double>(elapsed_ms()) / 1000.0;
  if (!f.quiet) WriteSummary(watcher, f.format, seconds, std::cout);
  g_watcher = nullptr;
  if (!watcher.store_fault().empty()) {
    std::cerr << "leakhound: " << watcher.store_fault()
              << " (history written before it is kept)\n";
    return kExitStore;
  }

  if (!f.fail_on.empty()) {
    Severity at;
    ParseSeverity(f.fail_on, &at);
    for (const Watcher::OpenFinding& o : watcher.OpenFindings()) {
      Severity s;
      if (ParseSeverity(o.record.severity, &s) && s >= at) return kExitFindings;
    }
  }
  return kExitOk;
}

CLI::App* AddServeCommand(CLI::App* app, ServeFlags* f) {
  CLI::App* s = app->add_subcommand("serve", "Serve the dashboard and /metrics from a watch history");
  s->add_option("--db", f->db, "SQLite history written by leakhound watch (default leakhound.db)");
  s->add_option("--addr", f->addr, "[HOST:]PORT to listen on (default 127.0.0.1:7070)");
  s->add_option("--token", f->token, "Bearer token for /api and /metrics (default $LEAKHOUND_TOKEN)");
  s->add_flag("--insecure-listen", f->insecure_listen,
              "Allow a non-loopback --addr without a token");
  s->add_option("--window", f->window, "Default span of the charts (default 1h)");
  s->add_option("--config", f->config, "Config file (serve: addr, token)");
  s->add_flag("--no-config", f->no_config, "Ignore any .leakhound.yaml");
  return s;
}

int RunServe(const ServeFlags& f) {
  TuneAllocatorForLongRuns();
  Config config;
  if (!LoadConfigFor(f.config, f.no_config, &config)) return kExitConfig;
  ServeOptions so;
  std::string addr = !f.addr.empty() ? f.addr : !config.serve.addr.empty() ? config.serve.addr : "127.0.0.1:7070";
  if (!ParseListenAddress(addr, &so.host, &so.port)) {
    std::cerr << "leakhound: --addr: expected [HOST:]PORT, got \"" << addr << "\"\n";
    return kExitUsage;
  }
  so.token = Secret(f.token.empty() ? config.serve.token : f.token, "LEAKHOUND_TOKEN");
  so.db_path = !f.db.empty() ? f.db : !config.watch.db.empty() ? config.watch.db : "leakhound.db";
  if (!f.window.empty() && (!ParseDuration(f.window, &so.window_ms) || so.window_ms <= 0)) {
    std::cerr << "leakhound: --window: expected a duration like 15m or 6h\n";
    return kExitUsage;
  }
  if (std::string why = ExposureError(so, f.insecure_listen || config.serve.insecure_listen);
      !why.empty()) {
    std::cerr << "leakhound: " << why << "\n";
    return kExitInsecureListen;
  }
  if (access(so.db_path.c_str(), R_OK) != 0) {
    std::cerr << "leakhound: " << so.db_path << ": no such history (run leakhound watch --db "
              << so.db_path << " first)\n";
    return kExitBadInput;
  }
  InstallSignals();
  DashboardServer server;
  std::string error;
  if (!server.Start(so, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return error.find("cannot listen") != std::string::npos ? kExitUsage : kExitBadInput;
  }
  std::cerr << fmt::format("leakhound: dashboard at http://{}:{}/\nleakhound: history from {}\n",
                           so.host, server.port(), so.db_path);
  while (!g_stop) usleep(100 * 1000);
  server.Stop();
  return kExitOk;
}

}  // namespace leakhound
