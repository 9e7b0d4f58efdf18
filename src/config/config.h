// .leakhound.yaml: thresholds, ignore rules and source roots.
//
//   thresholds: {leak: 0.7, suspect: 0.4, count: 100, wait_minutes: 10,
//                small_pool: 8, growth_r2: 0.8, min_growth: 3}
//   ignore:
//     - top_function: github.com/acme/pool.(*Pool).worker
//     - pattern: chan-recv-blocked
//       creator: main.startWorkers
//       reason: workers wait for jobs by design
//     - regex: '^go\.etcd\.io/'
//   source: [., ../vendor-src]
//   targets:                       # for `leakhound watch`
//     - name: api-1
//       url: http://10.0.0.5:6060
//       interval: 15s              # default: watch.interval
//       bearer_env: API_TOKEN      # or bearer:, basic_auth_env:, basic_auth:
//       ca_file: /etc/ssl/internal.pem
//       labels: {team: payments}
//   sources:                       # targets from Prometheus's discovery
//     - prometheus: http://127.0.0.1:9090
//       job: api                   # only this job's active targets
//       pprof_port: 6060           # pprof is not on the metrics port
//       refresh: 30s
//       bearer_env: PROM_TOKEN     # if the API asks for a token; ca_file: too
//     - file_sd: /etc/prometheus/targets/*.json
//   watch: {interval: 30s, window: 20, detail_gap: 5m, timeout: 10s, form: proto,
//           db: leakhound.db, alert_at: leak, webhook: https://..., command: ./page.sh,
//           retention: {full: 6h, step: 5m, max: 30d}, store_buckets: 50}
//   serve: {addr: 127.0.0.1:7070, token_env: LEAKHOUND_TOKEN, insecure_listen: false}
//
// Unknown keys are errors: a typo must not silently disable a rule.
#ifndef LEAKHOUND_CONFIG_CONFIG_H_
#define LEAKHOUND_CONFIG_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "analyze/verdict.h"

namespace leakhound {

// One service for `leakhound watch` to poll.
struct TargetConfig {
  std::string name;
  std::string url;
  long interval_ms = 0;  // 0: WatchConfig::interval_ms
  std::string bearer;
  std::string basic_auth;  // "user:password"
  std::string ca_file;
  std::map<std::string, std::string> labels;
  std::string origin;  // "FILE:LINE"
  std::string source;  // SourceConfig::name of the discovery that gave it; empty: listed
};

// Where `leakhound watch` learns targets it is not given (src/discover):
// a Prometheus server's active targets or Prometheus file_sd files.
struct SourceConfig {
  std::string kind;   // "prometheus" | "file_sd"
  std::string where;  // the API's base URL, or a file path (last element may be a glob)
  std::string job;    // only targets whose job label is this; empty: all
  long refresh_ms = 30'000;  // file_sd: how often the files' times are checked
  std::string pprof_port;    // pprof on this port of the instance's host
  std::string pprof_scheme;  // http | https; default: the target's scheme
  std::string bearer;        // for the Prometheus API (bearer_env:), not the services
  std::string ca_file;       // CA bundle for the Prometheus API's TLS
  std::string name;    // how logs name it: "prometheus://HOST:PORT?job=J", "file_sd:PATH"
  std::string origin;  // "FILE:LINE" or "--targets-from"
};

struct WatchConfig {
  long interval_ms = 30'000;
  long detail_gap_ms = 300'000;  // least time between debug=2 fetches of one target
  long timeout_ms = 10'000;      // per fetch
  size_t window = 20;            // snapshots per target in the series analysis
  size_t store_buckets = 50;     // buckets per snapshot kept in the store
  std::string db;                // default "leakhound.db"
  std::string alert_at = "leak"; // suspect | leak
  std::string form = "proto";    // routine polls: proto | 1
  std::string webhook;
  std::string command;
  long retention_full_ms = 6 * 3'600'000L;
  long retention_step_ms = 5 * 60'000L;
  long retention_max_ms = 30 * 86'400'000L;
};

struct ServeConfig {
  std::string addr;   // default 127.0.0.1:7070
  std::string token;  // bearer token the server asks for; empty: none
  bool insecure_listen = false;  // allow a non-loopback addr without a token
};

struct Config {
  std::string path;  // empty when no file was found
  Thresholds thresholds;
  std::vector<IgnoreRule> ignore;
  std::vector<std::string> source_roots;  // relative to the file's folder
  std::vector<TargetConfig> targets;
  std::vector<SourceConfig> sources;
  WatchConfig watch;
  ServeConfig serve;
};

// Looks for .leakhound.yaml in `dir` and its parents; empty if none.
std::string FindConfigFile(const std::string& dir);

// Reads `path` into `out`. On failure returns false and sets `error` to
// one line "PATH:LINE: message".
bool LoadConfig(const std::string& path, Config* out, std::string* error);

}  // namespace leakhound

#endif  // LEAKHOUND_CONFIG_CONFIG_H_
