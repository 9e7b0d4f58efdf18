// `leakhound serve` and `watch --serve`: the dashboard, its JSON and
// Prometheus metrics, read from the store.
//
// Binds 127.0.0.1 unless told otherwise (and refuses other addresses
// without a token unless --insecure-listen): goroutine stacks name internal
// code paths. With a token set, every path but / and /healthz (/api/*,
// /metrics, anything else) needs
// "Authorization: Bearer TOKEN"; the page itself holds no data and loads
// without it (it reads the token from the URL fragment, #token=..., which
// browsers never send to the server).
#ifndef LEAKHOUND_SERVE_SERVER_H_
#define LEAKHOUND_SERVE_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "watch/watcher.h"

#include "serve/gate_limits.h"

namespace leakhound {

class GatedServer;

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 7070;  // 0: any free port
  std::string token;
  std::string db_path;
  int64_t window_ms = 3'600'000;  // default span of the charts
  // Live per-target counters when the server runs inside `watch`.
  std::function<std::vector<TargetStatus>()> live_status;
  GateLimits limits;  // threads, connections, deadlines (serve/gate.h)
};

struct DashboardQuery {
  std::string target;   // empty: all
  std::string pattern;  // empty: all
  int64_t since_ms = 0;
  int64_t now_ms = 0;
};

// The dashboard document (docs/dashboard-schema.md) from the store.
nlohmann::json DashboardFromStore(Store& store, const DashboardQuery& q);
// Prometheus text exposition format 0.0.4.
std::string MetricsFromStore(Store& store, const std::vector<TargetStatus>* live);
// "host:port" or ":port" or "port" -> parts; false if malformed.
bool ParseListenAddress(const std::string& text, std::string* host, int* port);
// 127.0.0.0/8, ::1 (also v4-mapped) and "localhost".
bool IsLoopbackHost(const std::string& host);
// Why listening on o.host without a token is refused (one line), or empty
// when it is fine: a loopback host, a token set, or --insecure-listen.
std::string ExposureError(const ServeOptions& o, bool insecure_ok);

class DashboardServer {
 public:
  DashboardServer();
  ~DashboardServer();
  // Opens its own store connection and starts listening on a background
  // thread. False with a one-line *error if the store or the port fails.
  bool Start(const ServeOptions& options, std::string* error);
  void Stop();
  int port() const { return port_; }

 private:
  ServeOptions options_;
  std::unique_ptr<Store> store_;
  // Rendered under store_mu_, or the copy rendered less than 250 ms ago.
  std::string Cached(const std::string& key, const std::function<std::string()>& render);

  std::mutex store_mu_;  // one SQLite connection, many handler threads; guards cache_
  std::map<std::string, std::pair<int64_t, std::string>> cache_;  // key -> (wall ms, body)
  std::unique_ptr<GatedServer> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace leakhound

#endif  // LEAKHOUND_SERVE_SERVER_H_
