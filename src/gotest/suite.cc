#include "gotest/suite.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "gotest/check_source.h"
#include "gotest/hang.h"
#include "gotest/runs.h"

namespace leakhound {

namespace {

bool CountGiven(const std::vector<std::string>& flags) {
  for (const std::string& g : flags)
    if (g == "-count" || g == "--count" || g.starts_with("-count=") || g.starts_with("--count="))
      return true;
  return false;
}

// The minor version of the toolchain `go` runs ("go1.19.13" -> 19), or -1.
int GoMinor(const std::string& go) {
  GoRun version = RunGo({go, "env", "GOVERSION"}, {}, -1, -1, true);
  if (version.status != 0 || !version.out.starts_with("go1.")) return -1;
  int minor = 0;
  for (size_t i = 4; i < version.out.size() && std::isdigit(static_cast<unsigned char>(version.out[i])); ++i)
    minor = minor * 10 + (version.out[i] - '0');
  return minor;
}

// Go 1.26 has the goroutineleak profile behind an experiment; 1.27 and
// later always, older never (an unknown experiment fails the build).
std::optional<std::string> LeakProfileExperiment(int minor) {
  if (minor != 26) return std::nullopt;
  const char* have = std::getenv("GOEXPERIMENT");
  std::string experiments = have && *have ? std::string(have) + "," : "";
  return "GOEXPERIMENT=" + experiments + "goroutineleakprofile";
}

// Before Go 1.21 a "created by" line names no parent goroutine, so a
// survivor cannot be traced to its test through the chain. The runtime's
// tracebackancestors setting (Go 1.11+) prints the parent's id under each
// stack ("[originating from goroutine N]:"); one ancestor is enough, the
// check walks the chain by id. Kept off where it is not needed: it makes
// every go statement save its parent's stack.
std::optional<std::string> AncestorsSetting(int minor) {
  if (minor < 0 || minor >= 21) return std::nullopt;
  const char* have = std::getenv("GODEBUG");
  std::string settings = have && *have ? std::string(have) : "";
  if (settings.find("tracebackancestors=") != std::string::npos) return std::nullopt;
  return "GODEBUG=" + (settings.empty() ? "" : settings + ",") + "tracebackancestors=1";
}

void Merge(const GoTestOutcome& run, GoTestOutcome* all) {
  all->build_failed |= run.build_failed;
  all->tests_failed |= run.tests_failed;
  for (const std::string& p : run.failed_packages)
    if (std::find(all->failed_packages.begin(), all->failed_packages.end(), p) ==
        all->failed_packages.end())
      all->failed_packages.push_back(p);
}

}  // namespace

Renames ForGoOutput(const Renames& renames, const std::string& cwd) {
  Renames both;
  for (const auto& [file, orig] : renames) {
    if (cwd.empty()) continue;
    std::string rel_file = std::filesystem::path(file).lexically_proximate(cwd).string();
    std::string rel_orig = std::filesystem::path(orig).lexically_proximate(cwd).string();
    if (!rel_orig.starts_with("../")) rel_orig = "./" + rel_orig;
    if (rel_file != file) both.emplace_back(rel_file, rel_orig);
  }
  both.insert(both.end(), renames.begin(), renames.end());
  return both;
}

SuiteResult RunSuite(const SuiteOptions& o) {
  SuiteResult result;
  auto note = [&](const std::string& s) {
    if (o.note) o.note(s);
  };
  std::vector<std::string> base_env = {std::string(kGotestSettleEnv) + "=" +
                                       std::to_string(o.settle_ms) + "ms"};
  const int minor = GoMinor(o.go);
  if (o.leak_profile)
    if (std::optional<std::string> e = LeakProfileExperiment(minor)) base_env.push_back(*e);
  if (std::optional<std::string> e = AncestorsSetting(minor)) base_env.push_back(*e);
  // A result go test replays from its cache ran no check: -count=1 (the
  // documented way to bypass the cache) unless the user set a count.
  bool count_given = CountGiven(o.go_flags);

  bool race_given = false;
  for (const std::string& g : o.go_flags) race_given = race_given || g == "-race" || g == "--race";
  const int total = o.runs + (o.race && !race_given ? 1 : 0);
  // --until-leak: the tests that leaked so far, which later runs skip.
  const std::string skip_file = o.work_dir + "/leaked-tests";
  if (o.until_leak) std::ofstream(skip_file, std::ios::trunc).flush();
  for (int k = 0; k < total; ++k) {
    std::string dumps = o.work_dir + "/dumps" + std::to_string(k);
    std::filesystem::create_directory(dumps);
    Schedule sched = ScheduleFor(k, total, o.go_flags, std::getenv("GOMAXPROCS") != nullptr);
    if (k >= o.runs) {  // the race run
      sched.flags.push_back("-race");
      sched.label += (sched.label.empty() ? "" : ", ") + std::string("-race");
    }
    if (total > 1)
      note(fmt::format("run {} of {}{}", k + 1, total,
                       sched.label.empty() ? "" : " (" + sched.label + ")"));
    std::vector<std::string> argv = {o.go, "test", "-overlay=" + o.overlay_json};
    if (!count_given) argv.push_back("-count=1");
    argv.insert(argv.end(), sched.flags.begin(), sched.flags.end());
    argv.insert(argv.end(), o.go_flags.begin(), o.go_flags.end());
    argv.insert(argv.end(), o.patterns.begin(), o.patterns.end());
    std::vector<std::string> env = base_env;
    env.push_back(std::string(kGotestDirEnv) + "=" + dumps);
    if (o.until_leak) env.push_back(std::string(kGotestSkipEnv) + "=" + skip_file);
    env.insert(env.end(), sched.env.begin(), sched.env.end());

    std::optional<PackageProgress> progress;
    std::function<void(std::string_view)> on_line;
    if (o.progress) {
      progress.emplace();
      on_line = [&progress](std::string_view line) { progress->Line(line); };
    }
    GoRun run = RunGo(argv, env, o.out_fd, o.err_fd, true, o.renames, on_line);
    progress.reset();
    if (run.status < 0 || run.status == 127) return result;  // not started
    result.started = true;
    GoTestOutcome outcome = ReadGoTestOutput(run.out, run.status);
    Merge(outcome, &result.outcome);
    if (run.status != 0 && result.status == 0) result.status = run.status;

    std::vector<std::string> warnings;
    std::vector<TestLeak> found = ReadLeakRecords(dumps, o.read, &warnings);
    for (TestLeak& l : HungTests(run.out + run.err, o.read, &warnings)) found.push_back(std::move(l));
    for (const std::string& w : warnings) note("warning: " + w);
    if (o.until_leak) {
      std::ofstream skip(skip_file, std::ios::app);
      for (const TestLeak& l : found)
        if (l.test != kAfterAllTests) skip << l.package << '\t' << l.test << '\n';
    }
    MergeRun(std::move(found), &result.leaks);
    result.runs_done = k + 1;
    if (outcome.build_failed) break;  // the next run would not build either
  }
  return result;
}

}  // namespace leakhound
