// Targets for `leakhound watch` from what Prometheus already knows.
//
// A fleet's services are listed once, in Prometheus's service discovery;
// leakhound reads that list instead of keeping its own. Two sources:
//   - a Prometheus server's /api/v1/targets (its active targets, after its
//     relabelling: instance, job, scheme and the other target labels);
//   - Prometheus file_sd files (JSON or YAML lists of {targets, labels}),
//     the same files a Prometheus server reads.
// This file only turns those documents into TargetConfigs; the watcher
// fetches and re-reads them and applies the changes (src/watch).
//
// Where pprof lives: a service's /debug/pprof/ is often on its metrics
// address, so by default the pprof base URL is SCHEME://INSTANCE. A target
// label says otherwise (leakhound_pprof_url: a whole base URL, or
// leakhound_pprof_port: the instance's host on another port), and so does
// the source's own rule (pprof_port, pprof_scheme); the label wins.
#ifndef LEAKHOUND_DISCOVER_DISCOVER_H_
#define LEAKHOUND_DISCOVER_DISCOVER_H_

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace leakhound {

// Parses a --targets-from argument:
//   prometheus://HOST:PORT[/PREFIX][?job=J&pprof_port=N&pprof_scheme=S&refresh=D]
//   prometheus+https://HOST:PORT[...]       (the API over TLS)
//   file_sd:PATH[?job=...]                  (PATH may end in a * glob)
// On failure returns false with a one-line `error`.
bool ParseSourceSpec(const std::string& spec, SourceConfig* out, std::string* error);

// The URL of the source's active-targets API.
std::string TargetsApiUrl(const SourceConfig& source);

// Targets from the body of GET /api/v1/targets. Keeps the active targets
// of the source's job (all jobs when none is set). False with a one-line
// `error` ("URL: ...") when the body is not that API's answer.
bool ParsePrometheusTargets(std::string_view body, const SourceConfig& source,
                            std::vector<TargetConfig>* out, std::string* error);

// Targets from one file_sd document (`path` names it in errors and picks
// JSON for *.json, YAML otherwise). False with `error` "PATH:LINE: ...".
bool ParseFileSd(std::string_view text, const std::string& path, const SourceConfig& source,
                 std::vector<TargetConfig>* out, std::string* error);

// The files a file_sd source names now: its path, or what the glob in
// its last element matches, in name order.
std::vector<std::string> FileSdPaths(const SourceConfig& source);

// Reads every file the source's path names (a glob in its last element is
// expanded), in name order. False with `error` on the first unreadable or
// malformed file; a glob that matches nothing gives no targets.
bool ReadFileSd(const SourceConfig& source, std::vector<TargetConfig>* out, std::string* error);

// Sorts and deduplicates what one source gave: the same pprof URL twice is
// one target; an instance listed under two jobs is named JOB/INSTANCE.
void FinishTargets(std::vector<TargetConfig>* targets);

}  // namespace leakhound

#endif  // LEAKHOUND_DISCOVER_DISCOVER_H_
