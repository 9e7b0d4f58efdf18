#include "watch/alerts.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace leakhound {

namespace {

using Json = nlohmann::json;

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Runs `sh -c command` with the alert in its environment and as JSON on
// its stdin; kills it after `timeout_s`. True when it exited 0.
bool RunCommand(const std::string& command, const Alert& a, const std::string& json,
                int timeout_s) {
  int in[2];
  if (pipe(in) != 0) return false;
  pid_t pid = fork();
  if (pid < 0) {
    close(in[0]);
    close(in[1]);
    return false;
  }
  if (pid == 0) {
    dup2(in[0], 0);
    close(in[0]);
    close(in[1]);
    setenv("LEAKHOUND_TARGET", a.target.c_str(), 1);
    setenv("LEAKHOUND_URL", a.url.c_str(), 1);
    setenv("LEAKHOUND_PATTERN", a.finding.pattern.c_str(), 1);
    setenv("LEAKHOUND_SEVERITY", a.finding.severity.c_str(), 1);
    setenv("LEAKHOUND_LOCATION", fmt::format("{}:{}", a.finding.file, a.finding.line).c_str(), 1);
    setenv("LEAKHOUND_COUNT", std::to_string(a.finding.count).c_str(), 1);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  // The command may not read its stdin; a full pipe must not block us
  // (and a closed one raises no SIGPIPE: see the constructor).
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  ssize_t ignored = write(in[1], json.data(), json.size());
  (void)ignored;
  close(in[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return false;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      std::cerr << "leakhound: alert command killed after " << timeout_s << " s\n";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::string AlertJson(const Alert& a) {
  const StoredFinding& f = a.finding;
  Json j;
  j["schema"] = "leakhound/alert/v1";
  j["target"] = a.target;
  j["url"] = a.url;
  j["time_ms"] = a.time_ms;
  j["pattern"] = f.pattern;
  j["title"] = a.title;
  j["severity"] = f.severity;
  j["confidence"] = std::round(f.confidence * 1000) / 1000;
  j["count"] = f.count;
  j["growth_per_hour"] = f.growth_per_hour;
  j["function"] = f.function;
  j["file"] = f.file;
  j["line"] = f.line;
  j["creator"] = {{"function", f.creator_function}, {"file", f.creator_file}, {"line", f.creator_line}};
  j["first_seen_ms"] = f.first_seen_ms;
  j["fingerprint"] = f.fingerprint;
  j["fix"] = a.fix;
  j["reasons"] = Json::parse(f.reasons_json.empty() ? "[]" : f.reasons_json, nullptr, false);
  if (j["reasons"].is_discarded()) j["reasons"] = Json::array();
  return Dump(j);
}

std::string AlertLine(const Alert& a) {
  const StoredFinding& f = a.finding;
  std::string growth = f.growth_per_hour > 0 ? fmt::format(", +{:.0f}/h", f.growth_per_hour) : "";
  return fmt::format("leakhound: ALERT {} {} {} ({:.2f}) {} goroutines{} at {}:{} in {}", a.target,
                     f.severity, f.pattern, f.confidence, f.count, growth, f.file, f.line,
                     f.function);
}

AlertSink::AlertSink(std::string webhook, std::string command, FetchOptions fetch)
    : webhook_(std::move(webhook)), command_(std::move(command)), fetch_(std::move(fetch)) {
  // A command that exits without reading its stdin must not kill us.
  if (!command_.empty()) signal(SIGPIPE, SIG_IGN);
  if (!webhook_.empty() || !command_.empty()) thread_ = std::thread([this] { Loop(); });
}

AlertSink::~AlertSink() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AlertSink::Raise(Alert alert) {
  std::cerr << AlertLine(alert) << "\n";
  if (!thread_.joinable()) return;
  std::lock_guard<std::mutex> lock(mu_);
  // A storm of alerts must not grow memory without bound.
  if (queue_.size() >= 1000) {
    ++failed_;
    return;
  }
  queue_.push_back(std::move(alert));
  cv_.notify_one();
}

void AlertSink::Loop() {
  auto stop_by = std::chrono::steady_clock::time_point::max();
  while (true) {
    Alert a;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && stop_by == std::chrono::steady_clock::time_point::max())
        stop_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      if (queue_.empty() || std::chrono::steady_clock::now() > stop_by) {
        failed_ += queue_.size();
        return;
      }
      a = std::move(queue_.front());
      queue_.pop_front();
    }
    if (Deliver(a)) ++delivered_;
    else ++failed_;
  }
}

bool AlertSink::Deliver(const Alert& a) {
  std::string json = AlertJson(a);
  bool ok = true;
  if (!webhook_.empty()) {
    bool sent = false;
    for (int attempt = 0; attempt < 3 && !sent; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(attempt));
      FetchResult r = HttpPost(webhook_, json, "application/json", fetch_);
      sent = r.error == FetchError::kNone;
      if (!sent) std::cerr << "leakhound: webhook: " << r.message << "\n";
    }
    ok = sent;
  }
  if (!command_.empty() && !RunCommand(command_, a, json, 30)) {
    std::cerr << "leakhound: alert command failed: " << command_ << "\n";
    ok = false;
  }
  return ok;
}

}  // namespace leakhound
