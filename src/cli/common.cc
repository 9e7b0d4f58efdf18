#include "cli/common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace leakhound {

namespace {

// Draws "reading [#####.....] 42% 512/1200 MB" on stderr, in place.
class ProgressBar {
 public:
  void Update(uint64_t done, uint64_t total) {
    if (total == 0) return;
    int pct = static_cast<int>(done * 100 / total);
    if (pct == last_pct_) return;
    last_pct_ = pct;
    int filled = pct * 30 / 100;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(30 - filled), '.');
    std::fprintf(stderr, "\rreading [%s] %3d%% %llu/%llu MB", bar.c_str(), pct,
                 static_cast<unsigned long long>(done >> 20),
                 static_cast<unsigned long long>(total >> 20));
    std::fflush(stderr);
    drawn_ = true;
  }
  ~ProgressBar() {
    if (drawn_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  int last_pct_ = -1;
  bool drawn_ = false;
};

int ExitFor(FetchError e) {
  switch (e) {
    case FetchError::kNone: return kExitOk;
    case FetchError::kBadUrl: return kExitUsage;
    case FetchError::kUnreachable: return kExitUnreachable;
    case FetchError::kTimeout: return kExitTimeout;
    case FetchError::kHttpStatus: return kExitHttpStatus;
    case FetchError::kTooLarge: return kExitTooLarge;
  }
  return kExitUnreachable;
}

// Wall time of a fetch, read once and then advanced by the steady clock:
// the samples of one run are in capture order even if the system clock
// is stepped back between them (NTP on a freshly booted machine).
double Now() {
  using namespace std::chrono;
  static const auto wall0 = system_clock::now();
  static const auto steady0 = steady_clock::now();
  return duration<double>(wall0.time_since_epoch() + (steady_clock::now() - steady0)).count();
}

// Modification times of a series of files, when every input is a file
// with one dump and they increase in the order given.
std::vector<double> FileTimes(const std::vector<std::string>& paths,
                              const std::vector<DumpSet>& sets) {
  std::vector<double> times;
  for (size_t i = 0; i < paths.size(); ++i) {
    struct stat st;
    if (paths[i] == "-" || stat(paths[i].c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        sets[i].snapshots.size() != 1)
      return {};
    double t = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
    if (!times.empty() && t <= times.back()) return {};
    times.push_back(t);
  }
  return times;
}

}  // namespace

void AddNetFlags(CLI::App* app, NetFlags* f) {
  const char* group = "Live services (URL inputs)";
  app->add_option("--form", f->form,
                  "Profile form to fetch: 2 = full tracebacks with wait reasons and minutes "
                  "(stops the world while the service prints; cut at 64 MB), 1 = counts per "
                  "stack, proto = gzipped protobuf (the cheapest)")
      ->check(CLI::IsMember({"2", "1", "proto"}))
      ->capture_default_str()
      ->group(group);
  app->add_option("--profile", f->profile,
                  "goroutine, or goroutineleak (Go 1.26+: goroutines the GC proved leaked)")
      ->check(CLI::IsMember({"goroutine", "goroutineleak"}))
      ->capture_default_str()
      ->group(group);
  app->add_option("--samples", f->samples, "Fetch N snapshots from each URL, a series")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str()
      ->group(group);
  app->add_option("--interval", f->interval, "Time between samples")
      ->capture_default_str()
      ->group(group);
  app->add_option("--timeout", f->timeout, "Total time allowed per request")
      ->capture_default_str()
      ->group(group);
  app->add_option("--connect-timeout", f->connect_timeout, "Time allowed to connect")
      ->capture_default_str()
      ->group(group);
  app->add_option("--max-size", f->max_size_mb, "Largest response accepted, in MiB")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str()
      ->group(group);
  app->add_option("--ca-file", f->ca_file, "CA bundle to verify the service's TLS certificate")
      ->check(CLI::ExistingFile)
      ->group(group);
  app->add_option("--user", f->user, "Basic auth user:password (default $LEAKHOUND_BASIC_AUTH)")
      ->group(group);
  app->add_option("--bearer", f->bearer, "Bearer token (default $LEAKHOUND_BEARER_TOKEN)")
      ->group(group);
}

bool LoadConfigFor(const std::string& flag_path, bool no_config, Config* config) {
  if (no_config) return true;
  std::string path = flag_path;
  if (path.empty()) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) path = FindConfigFile(cwd);
  }
  std::string error;
  if (!path.empty() && !LoadConfig(path, config, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return false;
  }
  return true;
}

int LoadInputs(const std::vector<std::string>& inputs, const NetFlags& net, LoadedInputs* out) {
  if (std::count(inputs.begin(), inputs.end(), "-") > 1) {
    std::cerr << "leakhound: standard input (-) can be given only once\n";
    return kExitUsage;
  }
  FetchOptions fetch;
  long interval_ms = 0;
  if (!ParseDuration(net.timeout, &fetch.total_timeout_ms) || fetch.total_timeout_ms <= 0 ||
      !ParseDuration(net.connect_timeout, &fetch.connect_timeout_ms) ||
      fetch.connect_timeout_ms <= 0 || !ParseDuration(net.interval, &interval_ms)) {
    std::cerr << "leakhound: durations are like 500ms, 30s, 2m, 1h\n";
    return kExitUsage;
  }
  fetch.max_bytes = net.max_size_mb << 20;
  fetch.ca_file = net.ca_file;
  fetch.basic_auth = net.user;
  fetch.bearer_token = net.bearer;
  if (fetch.basic_auth.empty() && std::getenv("LEAKHOUND_BASIC_AUTH"))
    fetch.basic_auth = std::getenv("LEAKHOUND_BASIC_AUTH");
  if (fetch.bearer_token.empty() && std::getenv("LEAKHOUND_BEARER_TOKEN"))
    fetch.bearer_token = std::getenv("LEAKHOUND_BEARER_TOKEN");

  bool any_url = false, all_times = true;
  std::vector<std::string> file_paths;
  for (const std::string& input : inputs) {
    if (IsUrl(input)) {
      any_url = true;
      std::string url = ProfileUrl(input, net.profile, net.form);
      for (int k = 0; k < net.samples; ++k) {
        if (k > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
        double t = Now();
        FetchResult res = HttpGet(url, fetch);
        if (res.error != FetchError::kNone) {
          std::cerr << "leakhound: " << res.message << "\n";
          if (res.status == 404 && url.find("/debug/pprof/goroutineleak") != std::string::npos)
            std::cerr << "leakhound: the service has no goroutineleak profile: it needs Go 1.27+, "
                         "or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile (use "
                         "--profile goroutine)\n";
          return ExitFor(res.error);
        }
        if (url.find("/debug/pprof/goroutineleak") != std::string::npos) out->leak_checked = true;
        out->sets.emplace_back();
        ReadError err = ReadDumpBytes(res.body, url, &out->sets.back());
        if (err) {
          std::string why = err.message;
          if (res.content_type.find("html") != std::string::npos)
            why = url + ": the server sent an HTML page (" + res.content_type +
                  "), not a goroutine profile";
          std::cerr << "leakhound: " << why << "\n";
          return kExitBadInput;
        }
        for (Snapshot& s : out->sets.back().snapshots)
          if (s.capture_time_unix_ns == 0) s.capture_time_unix_ns = static_cast<int64_t>(t * 1e9);
        out->times.push_back(t);
        file_paths.push_back("");
      }
      continue;
    }
    all_times = false;
    ReadOptions options;
    ProgressBar bar;
    if (!net.no_progress && isatty(STDERR_FILENO)) {
      options.progress = [&bar](uint64_t done, uint64_t total) {
        if (total >= (100u << 20)) bar.Update(done, total);
      };
    }
    out->sets.emplace_back();
    ReadError err = ReadDumpFile(input, options, &out->sets.back());
    if (err) {
      std::cerr << "leakhound: " << err.message << "\n";
      return kExitBadInput;
    }
    out->times.push_back(0);
    file_paths.push_back(input);
  }
  for (const DumpSet& set : out->sets)
    for (const std::string& w : set.warnings) std::cerr << "leakhound: warning: " << w << "\n";
  if (!any_url) {
    out->times = FileTimes(file_paths, out->sets);
  } else if (!all_times) {
    out->times.clear();  // mixing files and URLs: order only
  }
  return kExitOk;
}

bool CompileAll(const std::vector<std::string>& patterns, const char* flag,
                std::vector<std::unique_ptr<RE2>>* out) {
  for (const std::string& p : patterns) {
    auto re = std::make_unique<RE2>(p, RE2::Quiet);
    if (!re->ok()) {
      std::cerr << "leakhound: " << flag << " \"" << p << "\": " << re->error() << "\n";
      return false;
    }
    out->push_back(std::move(re));
  }
  return true;
}

bool AnyFunctionMatches(const Snapshot& s, const Stack& stack, const RE2& re) {
  for (const Frame& f : stack.frames)
    if (RE2::PartialMatch(s.str(f.function), re)) return true;
  return stack.has_creator && RE2::PartialMatch(s.str(stack.creator.function), re);
}

bool WantColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
         !(term && std::string(term) == "dumb");
}

}  // namespace leakhound
