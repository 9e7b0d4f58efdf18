// The watcher's discovery: re-reads file_sd files when they change and
// asks the Prometheus API again every refresh, through the same Poller as
// the polls, so a slow Prometheus never holds the loop up. What a source
// gives replaces what it gave before (Watcher::ApplyTargets); when it
// fails, its targets stay as they were and the failure is logged once.
#include <sys/stat.h>

#include <iostream>

#include <fmt/format.h>

#include "base/clock.h"
#include "discover/discover.h"
#include "watch/watcher.h"

namespace leakhound {

void Watcher::InitSources() {
  for (const SourceConfig& c : options_.sources) {
    auto s = std::make_unique<Source>();
    s->config = c;
    sources_.push_back(std::move(s));
  }
}

namespace {

// What changes when a file_sd file is rewritten, renamed over, removed,
// or a file joins or leaves the glob.
std::string FilesSignature(const SourceConfig& c) {
  std::string out;
  for (const std::string& path : FileSdPaths(c)) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      out += path + " missing\n";
      continue;
    }
    out += fmt::format("{} {} {} {}.{}\n", path, st.st_ino, st.st_size, st.st_mtim.tv_sec,
                       st.st_mtim.tv_nsec);
  }
  return out;
}

}  // namespace

bool Watcher::ReadSourcesAtStart(std::string* error) {
  for (auto& s : sources_) {
    if (s->config.kind != "file_sd") continue;
    std::vector<TargetConfig> targets;
    s->files_seen = FilesSignature(s->config);
    if (!ReadFileSd(s->config, &targets, error)) return false;
    s->ok_once = true;
    s->next_due = SteadyMs() + s->config.refresh_ms;
    ApplyTargets(s->config.name, std::move(targets));
  }
  return true;
}

void Watcher::StepSources(int64_t now_ms) {
  for (size_t i = 0; i < sources_.size(); ++i) {
    Source& s = *sources_[i];
    if (s.in_flight || now_ms < s.next_due) continue;
    s.next_due = now_ms + s.config.refresh_ms;
    if (s.config.kind == "prometheus") {
      s.in_flight = true;
      FetchOptions fetch = options_.source_fetch;
      if (!s.config.bearer.empty()) fetch.bearer_token = s.config.bearer;
      if (!s.config.ca_file.empty()) fetch.ca_file = s.config.ca_file;
      poller_.Start(kSourceTag | i, TargetsApiUrl(s.config), fetch);
      continue;
    }
    std::string sig = FilesSignature(s.config);
    if (sig == s.files_seen && s.ok_once) continue;
    std::vector<TargetConfig> targets;
    std::string error;
    if (!ReadFileSd(s.config, &targets, &error)) {
      // Prometheus does the same: a half-written or broken file keeps
      // the targets it gave before. Read again when the file changes.
      if (error != s.last_error) std::cerr << "leakhound: " << error << " (keeping its last targets)\n";
      s.last_error = error;
      s.files_seen = sig;
      continue;
    }
    s.files_seen = sig;
    s.last_error.clear();
    s.ok_once = true;
    ApplyTargets(s.config.name, std::move(targets));
  }
}

void Watcher::HandleSource(size_t index, FetchResult& result) {
  if (index >= sources_.size()) return;
  Source& s = *sources_[index];
  s.in_flight = false;
  std::vector<TargetConfig> targets;
  std::string error;
  if (result.error != FetchError::kNone) {
    error = result.message;
  } else if (ParsePrometheusTargets(result.body, s.config, &targets, &error)) {
    if (!s.last_error.empty() || !s.ok_once)
      std::cerr << fmt::format("leakhound: {}: discovery working\n", s.config.name);
    s.last_error.clear();
    s.ok_once = true;
    ApplyTargets(s.config.name, std::move(targets));
    return;
  }
  // Once per outage: a refused connection's message changes with every
  // try ("after N ms"), and the log must not grow by a line per refresh.
  if (s.last_error.empty())
    std::cerr << fmt::format("leakhound: {}: discovery failed: {}{}\n", s.config.name, error,
                             s.ok_once ? " (keeping its last targets)" : "; trying again every refresh");
  s.last_error = error;
}

}  // namespace leakhound
