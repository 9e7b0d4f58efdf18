#include "serve/server.h"

#include <arpa/inet.h>

#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/duration.h"
#include "base/words.h"
#include "report/fleet_rank.h"
#include "patterns/pattern.h"
#include "report/html_report.h"
#include "serve/gate.h"

namespace leakhound {

namespace {

using Json = nlohmann::json;

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Json ParseOr(const std::string& text, Json fallback) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

Json SeriesJson(const std::vector<SeriesPoint>& points) {
  Json out = Json::array();
  for (const SeriesPoint& p : points)
    out.push_back(Json::array({p.time_ms, p.ok ? Json(p.value) : Json(nullptr)}));
  return out;
}

// One entry of the document's "buckets", with its count series.
Json BucketJson(Store& store, int64_t target_id, const std::string& target, const StoredBucket& b,
                double growth_per_hour, int64_t since_ms) {
  Json jb;
  jb["target"] = target;
  jb["signature"] = b.signature;
  jb["state"] = b.state;
  jb["count"] = b.count;
  jb["function"] = b.top_function;
  jb["file"] = b.top_file;
  jb["line"] = b.top_line;
  jb["creator"] = b.creator;
  jb["stack"] = b.stack_text;
  jb["growth_per_hour"] = growth_per_hour;
  jb["growing"] = growth_per_hour > 0;
  jb["series"] = SeriesJson(store.BucketSeries(target_id, b.signature, since_ms));
  return jb;
}

// Prometheus label values: backslash, quote and newline escaped.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// `given` against the `secret`, in time that depends only on the secret's
// length: no early return on the first differing byte, nor on a length
// mismatch (which would tell a prober the token's length, then each byte
// by timing).
bool SameSecret(std::string_view given, std::string_view secret) {
  if (secret.empty()) return false;
  unsigned diff = given.size() == secret.size() ? 0 : 1;
  for (size_t i = 0; i < secret.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(secret[i]);
  }
  // Keep the compiler from turning the loop back into an early exit.
  volatile unsigned sink = diff;
  return sink == 0;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    // ::ffff:127.x.y.z
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::string ExposureError(const ServeOptions& o, bool insecure_ok) {
  if (!o.token.empty() || insecure_ok || IsLoopbackHost(o.host)) return "";
  std::string shown = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  return fmt::format(
      "{}:{}: refusing to serve goroutine stacks beyond this machine without a token "
      "(set --token or $LEAKHOUND_TOKEN, or pass --insecure-listen)",
      shown, o.port);
}

bool ParseListenAddress(const std::string& text, std::string* host, int* port) {
  std::string h = "127.0.0.1", p = text;
  size_t colon = text.rfind(':');
  if (colon != std::string::npos) {
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.empty()) h = "127.0.0.1";
  }
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
    return false;
  int n = std::stoi(p);
  if (n > 65535) return false;
  *host = h;
  *port = n;
  return true;
}

Json DashboardFromStore(Store& store, const DashboardQuery& q) {
  Json doc;
  doc["schema"] = "leakhound/dashboard/v1";
  doc["generated_ms"] = q.now_ms;
  doc["live"] = true;
  Json targets = Json::array(), buckets = Json::array(), findings = Json::array();
  std::map<int64_t, std::string> names;
  for (const StoredTarget& t : store.Targets()) {
    names[t.id] = t.name;
    if (!q.target.empty() && t.name != q.target) continue;
    Json jt;
    jt["name"] = t.name;
    jt["url"] = t.url;
    jt["labels"] = ParseOr(t.labels_json, Json::object());
    std::optional<SnapshotRecord> last = store.LatestSnapshot(t.id);
    jt["up"] = last && last->ok;
    jt["last_error"] = last && !last->ok ? last->error : "";
    jt["last_poll_ms"] = last ? last->time_ms : 0;
    uint64_t total = 0;
    Json by_state = Json::object();
    // The last good snapshot says where goroutines are; a gap says only
    // that the target is down.
    std::optional<SnapshotRecord> good = last;
    if (last && !last->ok) good.reset();
    if (good) {
      total = good->total;
      for (const StateCount& sc : good->by_state) by_state[sc.state] = sc.count;
      // The largest buckets, so a target without findings still shows
      // where its goroutines are.
      size_t shown = 0;
      for (const StoredBucket& b : good->buckets) {
        if (shown++ >= 5) break;
        buckets.push_back(BucketJson(store, t.id, t.name, b, 0, q.since_ms));
      }
    }
    jt["total"] = total;
    jt["by_state"] = by_state;
    jt["totals"] = SeriesJson(store.TotalSeries(t.id, q.since_ms));
    targets.push_back(std::move(jt));
  }

  size_t listed = 0;
  for (const StoredFinding& f : store.Findings(0, false)) {
    if (f.resolved_ms != 0 && f.resolved_ms < q.since_ms) continue;
    const std::string& target = names[f.target_id];
    if (!q.target.empty() && target != q.target) continue;
    if (!q.pattern.empty() && f.pattern != q.pattern) continue;
    if (++listed > 500) break;
    const Pattern* p = FindPattern(f.pattern);
    Json jf;
    jf["target"] = target;
    jf["id"] = std::to_string(f.id);
    jf["pattern"] = f.pattern;
    jf["title"] = p ? p->title : f.pattern;
    jf["severity"] = f.severity;
    jf["confidence"] = std::round(f.confidence * 1000) / 1000;
    jf["count"] = f.count;
    jf["state"] = f.state;
    jf["function"] = f.function;
    jf["file"] = f.file;
    jf["line"] = f.line;
    jf["creator_function"] = f.creator_function;
    jf["creator_file"] = f.creator_file;
    jf["creator_line"] = f.creator_line;
    jf["explanation"] = p ? p->explanation : "";
    jf["fix"] = p ? p->fix : "";
    jf["fix_snippet"] = p ? p->fix_snippet : "";
    jf["reasons"] = ParseOr(f.reasons_json, Json::array());
    jf["stack"] = f.stack_text;
    jf["first_seen_ms"] = f.first_seen_ms;
    jf["last_seen_ms"] = f.last_seen_ms;
    jf["status"] = f.resolved_ms == 0 ? "open" : "resolved";
    jf["growth_per_hour"] = f.growth_per_hour;
    findings.push_back(std::move(jf));
    if (f.resolved_ms == 0) {
      // The finding's bucket gets its growth chart.
      bool have = false;
      for (Json& b : buckets)
        if (b["target"] == target && b["signature"] == f.signature) {
          b["growth_per_hour"] = f.growth_per_hour;
          b["growing"] = f.growth_per_hour > 0;
          have = true;
        }
      if (!have) {
        StoredBucket b;
        b.signature = f.signature;
        b.state = f.state;
        b.count = f.count;
        b.top_function = f.function;
        b.top_file = f.file;
        b.top_line = f.line;
        b.creator = f.creator_function;
        b.stack_text = f.stack_text;
        buckets.push_back(BucketJson(store, f.target_id, target, b, f.growth_per_hour, q.since_ms));
      }
    }
  }
  // LeakProf's view: the services by their worst open finding.
  std::vector<StoredFinding> open_findings = store.Findings(0, true);
  std::vector<std::pair<std::string, const FindingRecord*>> pairs;
  for (const StoredFinding& f : open_findings)
    if (q.target.empty() || names[f.target_id] == q.target) pairs.emplace_back(names[f.target_id], &f);
  doc["fleet"] = FleetJson(RankFleet(pairs));
  doc["targets"] = std::move(targets);
  doc["buckets"] = std::move(buckets);
  doc["findings"] = std::move(findings);
  return doc;
}

std::string MetricsFromStore(Store& store, const std::vector<TargetStatus>* live) {
  std::ostringstream out;
  std::vector<StoredTarget> targets = store.Targets();
  if (live) {
    // A live watch speaks for the targets it watches now: one that
    // discovery removed must not stay "up" with open findings forever.
    std::set<std::string> watched;
    for (const TargetStatus& s : *live) watched.insert(s.name);
    std::erase_if(targets, [&](const StoredTarget& t) { return watched.count(t.name) == 0; });
  }
  std::map<int64_t, std::optional<SnapshotRecord>> latest;
  for (const StoredTarget& t : targets) latest[t.id] = store.LatestSnapshot(t.id);

  out << "# HELP leakhound_target_up 1 if the last poll of the target succeeded.\n"
         "# TYPE leakhound_target_up gauge\n";
  for (const StoredTarget& t : targets) {
    const auto& l = latest[t.id];
    out << fmt::format("leakhound_target_up{{target=\"{}\"}} {}\n", Label(t.name), l && l->ok ? 1 : 0);
  }
  out << "# HELP leakhound_goroutines Goroutines in the target's last good snapshot, by state.\n"
         "# TYPE leakhound_goroutines gauge\n";
  for (const StoredTarget& t : targets) {
    const auto& l = latest[t.id];
    if (!l || !l->ok) continue;
    for (const StateCount& sc : l->by_state)
      out << fmt::format("leakhound_goroutines{{target=\"{}\",state=\"{}\"}} {}\n", Label(t.name),
                         Label(OrUnknown(sc.state)), sc.count);
  }
  out << "# HELP leakhound_bucket_goroutines Goroutines in each of the target's largest buckets "
         "(same stack and state).\n"
         "# TYPE leakhound_bucket_goroutines gauge\n";
  for (const StoredTarget& t : targets) {
    const auto& l = latest[t.id];
    if (!l || !l->ok) continue;
    size_t n = 0;
    for (const StoredBucket& b : l->buckets) {
      if (n++ >= 10) break;
      out << fmt::format(
          "leakhound_bucket_goroutines{{target=\"{}\",bucket=\"{}\",function=\"{}\",location=\"{}:{}\","
          "state=\"{}\"}} {}\n",
          Label(t.name), b.signature, Label(b.top_function), Label(b.top_file), b.top_line,
          Label(OrUnknown(b.state)), b.count);
    }
  }
  out << "# HELP leakhound_open_findings Open findings by target, pattern and severity.\n"
         "# TYPE leakhound_open_findings gauge\n";
  std::map<std::tuple<int64_t, std::string, std::string>, uint64_t> open;
  for (const StoredFinding& f : store.Findings(0, true)) ++open[{f.target_id, f.pattern, f.severity}];
  std::map<int64_t, std::string> names;
  for (const StoredTarget& t : targets) names[t.id] = t.name;
  for (const auto& [key, n] : open)
    if (names.count(std::get<0>(key)))
      out << fmt::format("leakhound_open_findings{{target=\"{}\",pattern=\"{}\",severity=\"{}\"}} {}\n",
                         Label(names[std::get<0>(key)]), Label(std::get<1>(key)),
                         Label(std::get<2>(key)), n);
  if (live) {
    out << "# HELP leakhound_scrape_errors_total Failed polls since leakhound started.\n"
           "# TYPE leakhound_scrape_errors_total counter\n";
    for (const TargetStatus& s : *live)
      out << fmt::format("leakhound_scrape_errors_total{{target=\"{}\"}} {}\n", Label(s.name), s.errors);
    out << "# HELP leakhound_polls_total Polls since leakhound started.\n"
           "# TYPE leakhound_polls_total counter\n";
    for (const TargetStatus& s : *live)
      out << fmt::format("leakhound_polls_total{{target=\"{}\"}} {}\n", Label(s.name), s.polls);
  } else {
    out << "# HELP leakhound_scrape_errors Failed polls in the retained history.\n"
           "# TYPE leakhound_scrape_errors gauge\n";
    for (const StoredTarget& t : targets) {
      uint64_t errors = 0;
      for (const SeriesPoint& p : store.TotalSeries(t.id, 0)) errors += p.ok ? 0 : 1;
      out << fmt::format("leakhound_scrape_errors{{target=\"{}\"}} {}\n", Label(t.name), errors);
    }
  }
  return out.str();
}

DashboardServer::DashboardServer() = default;

std::string DashboardServer::Cached(const std::string& key, const std::function<std::string()>& render) {
  // The store changes once per poll (a second or more apart): an answer
  // kept for 250 ms turns a scrape storm or many open pages into one store
  // read per quarter second, not one per request.
  constexpr int64_t kFreshMs = 250;
  std::lock_guard<std::mutex> lock(store_mu_);
  int64_t now = WallMs();
  auto it = cache_.find(key);
  if (it != cache_.end() && now - it->second.first >= 0 && now - it->second.first < kFreshMs)
    return it->second.second;
  // Keys carry query strings a client chooses: bound the map.
  if (cache_.size() >= 64) cache_.clear();
  std::string body = render();
  cache_[key] = {now, body};
  return body;
}

DashboardServer::~DashboardServer() { Stop(); }

bool DashboardServer::Start(const ServeOptions& options, std::string* error) {
  options_ = options;
  store_ = Store::Open(options.db_path, error);
  if (!store_) return false;
  http_ = std::make_unique<GatedServer>(options.limits);
  httplib::Server& s = *http_;
  // Nothing is uploaded (the gate refuses any body; this is a second
  // fence). Time is bounded by the gate (serve/gate_limits.h: idle 5 s,
  // head 3 s, request 10 s): httplib's read, write and keep-alive
  // timeouts only apply to its own connection loop, which the gate
  // replaces.
  s.set_payload_max_length(64 * 1024);
  s.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                         {"Referrer-Policy", "no-referrer"},
                         {"X-Frame-Options", "DENY"}});
  auto authorized = [this](const httplib::Request& req) {
    if (options_.token.empty()) return true;
    std::string h = req.get_header_value("Authorization");
    return h.starts_with("Bearer ") && SameSecret(std::string_view(h).substr(7), options_.token);
  };
  // Every path but the page and the health check returns data (or may
  // one day): the token is checked before routing, so a new route, an
  // unknown path or another method is guarded too.
  s.set_pre_routing_handler([authorized](const httplib::Request& req, httplib::Response& res) {
    if ((req.path == "/" || req.path == "/healthz") && (req.method == "GET" || req.method == "HEAD"))
      return httplib::Server::HandlerResponse::Unhandled;
    if (authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content("unauthorized\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  std::string page = RenderDashboardPage(true);
  s.Get("/", [page](const httplib::Request&, httplib::Response& res) {
    // Scripts and styles are inlined in the page; nothing loads from
    // elsewhere, and data only comes from this origin.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "connect-src 'self'; img-src data:");
    res.set_content(page, "text/html; charset=utf-8");
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  s.Get("/api/dashboard", [this](const httplib::Request& req, httplib::Response& res) {
    DashboardQuery q;
    q.target = req.get_param_value("target");
    q.pattern = req.get_param_value("pattern");
    q.now_ms = WallMs();
    long window = options_.window_ms;
    std::string since = req.get_param_value("window");
    if (!since.empty() && (!ParseDuration(since, &window) || window <= 0)) {
      res.status = 400;
      res.set_content("window: expected a duration like 15m or 6h\n", "text/plain");
      return;
    }
    q.since_ms = q.now_ms - window;
    std::string body = Cached("d\n" + q.target + "\n" + q.pattern + "\n" + std::to_string(window), [&] {
      return DashboardFromStore(*store_, q).dump(-1, ' ', false, Json::error_handler_t::replace);
    });
    res.set_header("Cache-Control", "no-store");
    res.set_content(body, "application/json");
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string text = Cached("m", [&] {
      std::vector<TargetStatus> live;
      if (options_.live_status) live = options_.live_status();
      return MetricsFromStore(*store_, options_.live_status ? &live : nullptr);
    });
    res.set_content(text, "text/plain; version=0.0.4");
  });

  if (options.port == 0) {
    port_ = s.bind_to_any_port(options.host);
    if (port_ < 0) port_ = 0;
  } else {
    port_ = s.bind_to_port(options.host, options.port) ? options.port : 0;
  }
  if (port_ == 0) {
    *error = fmt::format("{}:{}: cannot listen (address in use or not local?)", options.host,
                         options.port);
    http_.reset();
    store_.reset();
    return false;
  }
  http_->WidenBacklog(512);
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  return true;
}

void DashboardServer::Stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
  if (http_) http_->StopGate();
  http_.reset();
  store_.reset();
}

}  // namespace leakhound
