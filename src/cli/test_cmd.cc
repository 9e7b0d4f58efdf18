// leakhound test: go test with a leak check after every test, through an
// -overlay so the user's files are never changed (docs/gotest.md).
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "gotest/baseline.h"
#include "gotest/check_source.h"
#include "gotest/go_command.h"
#include "gotest/hang.h"
#include "gotest/leaks.h"
#include "gotest/overlay.h"
#include "gotest/report.h"
#include "gotest/runs.h"

namespace leakhound {

CLI::App* AddTestCommand(CLI::App* app, TestFlags* f) {
  CLI::App* test = app->add_subcommand(
      "test",
      "Run go test with a goroutine leak check after every test, without changing any file "
      "(leakhound test [flags] [packages] [-- go test flags]); exit 1 on leaks, 3 when a "
      "package does not build, 9 when a test fails");
  test->add_option("packages", f->packages, "Package patterns for go test (default .)");
  test->add_option("--go", f->go, "The go command to run")->capture_default_str();
  test->add_option("--settle", f->settle,
                   "How long a test's goroutines get to exit after it ends (e.g. 500ms, 2s)")
      ->capture_default_str();
  test->add_option("--format", f->format, "Output format of the leak report")
      ->check(CLI::IsMember({"text", "json", "junit"}))
      ->capture_default_str();
  test->add_flag("-q,--quiet", f->quiet, "Do not pass go test's own output through");
  test->add_flag("--keep-work", f->keep_work,
                 "Keep the overlay and the survivor dumps, and print where they are");
  test->add_option("--config", f->config,
                   "Config file for ignore rules (default: .leakhound.yaml in this folder or a "
                   "parent)");
  test->add_flag("--no-config", f->no_config, "Ignore any .leakhound.yaml");
  test->add_option("--runs", f->runs,
                   "Run the suite N times under varied schedules (GOMAXPROCS 1, 2, 4; tests "
                   "shuffled) and say in how many runs each leak showed")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  test->add_flag("--until-leak", f->until_leak,
                 "With --runs: stop at the first run that finds a leak");
  test->add_option("--baseline", f->baseline,
                   "Accept the leaks listed in this file (from --write-baseline): only new "
                   "leaks exit 1");
  test->add_option("--write-baseline", f->write_baseline,
                   "Write the leaks found to this file as a baseline");
  test->add_flag("--force", f->force, "Let --write-baseline replace an existing file");
  test->add_flag("--no-leak-profile", f->no_leak_profile,
                 "On Go 1.26, do not build with GOEXPERIMENT=goroutineleakprofile (the runtime's "
                 "proof of leaks; Go 1.27 always has it)");
  test->add_option("--ignore-top-function", f->ignore_top,
                   "Not a leak when the goroutine's top frame is this function, as goleak's "
                   "IgnoreTopFunction (repeatable)")
      ->allow_extra_args(false);
  test->add_option("--ignore-any-function", f->ignore_any,
                   "Not a leak when any frame is this function, as goleak's IgnoreAnyFunction "
                   "(repeatable)")
      ->allow_extra_args(false);
  return test;
}

int SplitTestArgs(int argc, char** argv, TestFlags* flags) {
  if (argc < 2 || std::string_view(argv[1]) != "test") return argc;
  for (int i = 2; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      for (int k = i + 1; k < argc; ++k) flags->go_flags.push_back(argv[k]);
      return i;
    }
  }
  return argc;
}

namespace {

// Removes the work folder on every way out, unless asked to keep it.
struct WorkDir {
  std::string path;
  bool keep = false;
  ~WorkDir() {
    if (path.empty()) return;
    if (keep) {
      std::cerr << "leakhound: work files kept in " << path << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

int RunTest(const TestFlags& f) {
  long settle_ms = 0;
  if (!ParseDuration(f.settle, &settle_ms)) {
    std::cerr << "leakhound: --settle " << f.settle << ": durations are like 500ms, 1s, 2m\n";
    return kExitUsage;
  }
  std::string error;
  Config config;
  if (!LoadConfigFor(f.config, f.no_config, &config)) return kExitConfig;
  std::set<std::string> baseline;
  if (!f.baseline.empty() && !LoadTestBaseline(f.baseline, &baseline, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return kExitConfig;
  }
  std::vector<std::string> patterns = f.packages;
  if (patterns.empty()) patterns.push_back(".");

  std::vector<TestPackage> packages;
  if (!ListPackages(f.go, patterns, BuildFlagsOf(f.go_flags), &packages, &error)) {
    std::cerr << "leakhound: go list: " << error << (error.ends_with("\n") ? "" : "\n");
    return kExitBuildFailed;
  }
  Overlay overlay;
  for (const TestPackage& p : packages)
    if (!AddPackageOverlay(p, &overlay, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitBuildFailed;
    }
  for (const std::string& w : overlay.warnings) std::cerr << "leakhound: warning: " << w << "\n";

  WorkDir work;
  work.keep = f.keep_work;
  std::string tmpl = (std::filesystem::temp_directory_path() / "leakhound-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::cerr << "leakhound: cannot create a folder in " << std::filesystem::temp_directory_path()
              << "\n";
    return kExitBuildFailed;
  }
  work.path = tmpl;
  std::filesystem::create_directory(work.path + "/overlay");
  std::string overlay_json;
  Renames renames;
  if (!WriteOverlay(overlay, work.path + "/overlay", &overlay_json, &renames, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return kExitBuildFailed;
  }

  // go names files relative to the working directory when it can.
  char cwd[4096];
  std::string here = getcwd(cwd, sizeof cwd) ? cwd : "";
  Renames both;
  for (const auto& [file, orig] : renames) {
    if (here.empty()) continue;
    std::string rel_file = std::filesystem::path(file).lexically_proximate(here).string();
    std::string rel_orig = std::filesystem::path(orig).lexically_proximate(here).string();
    if (!rel_orig.starts_with("../")) rel_orig = "./" + rel_orig;
    if (rel_file != file) both.emplace_back(rel_file, rel_orig);
  }
  both.insert(both.end(), renames.begin(), renames.end());
  renames.swap(both);

  bool count_given = false;
  for (const std::string& g : f.go_flags)
    count_given = count_given || g == "-count" || g == "--count" || g.starts_with("-count=") ||
                  g.starts_with("--count=");
  std::vector<std::string> base_env = {std::string(kGotestSettleEnv) + "=" +
                                       std::to_string(settle_ms) + "ms"};
  // Go 1.26 has the goroutineleak profile behind an experiment; 1.27 and
  // later always, older never (an unknown experiment fails the build).
  if (!f.no_leak_profile) {
    GoRun version = RunGo({f.go, "env", "GOVERSION"}, {}, -1, -1, true);
    if (version.status == 0 && version.out.starts_with("go1.26")) {
      const char* have = std::getenv("GOEXPERIMENT");
      std::string experiments = have && *have ? std::string(have) + "," : "";
      base_env.push_back("GOEXPERIMENT=" + experiments + "goroutineleakprofile");
    }
  }
  LeakReadOptions lo;
  lo.settle = f.settle;
  for (const TestPackage& p : packages) lo.source_roots.push_back(p.dir);
  lo.ignore = &config.ignore;
  lo.ignore_top_functions = f.ignore_top;
  lo.ignore_any_functions = f.ignore_any;

  TestRunSummary summary;
  summary.checked = overlay.checked;
  summary.settle = f.settle;
  summary.cwd = here;
  summary.runs = f.runs;
  // go test's output is the user's; with a machine-readable report on
  // stdout it moves to stderr.
  int pass_to = f.quiet ? -1 : (f.format == "text" ? STDOUT_FILENO : STDERR_FILENO);
  std::vector<TestLeak> leaks;
  bool any_nonzero = false;
  int worst_status = 0;
  for (int k = 0; k < f.runs; ++k) {
    std::string dumps = work.path + "/dumps" + std::to_string(k);
    std::filesystem::create_directory(dumps);
    Schedule sched = ScheduleFor(k, f.runs, f.go_flags, std::getenv("GOMAXPROCS") != nullptr);
    if (f.runs > 1 && !f.quiet)
      std::cerr << fmt::format("leakhound: run {} of {}{}\n", k + 1, f.runs,
                               sched.label.empty() ? "" : " (" + sched.label + ")");
    std::vector<std::string> argv = {f.go, "test", "-overlay=" + overlay_json};
    // A result go test replays from its cache ran no check: -count=1 (the
    // documented way to bypass the cache) unless the user set a count.
    if (!count_given) argv.push_back("-count=1");
    argv.insert(argv.end(), sched.flags.begin(), sched.flags.end());
    argv.insert(argv.end(), f.go_flags.begin(), f.go_flags.end());
    argv.insert(argv.end(), patterns.begin(), patterns.end());
    std::vector<std::string> env = base_env;
    env.push_back(std::string(kGotestDirEnv) + "=" + dumps);
    env.insert(env.end(), sched.env.begin(), sched.env.end());
    // With go test's own lines hidden, a terminal still sees progress.
    std::optional<PackageProgress> progress;
    std::function<void(std::string_view)> on_line;
    if (f.quiet && isatty(STDERR_FILENO)) {
      progress.emplace();
      on_line = [&progress](std::string_view line) { progress->Line(line); };
    }
    GoRun run = RunGo(argv, env, pass_to, f.quiet ? -1 : STDERR_FILENO, true, renames, on_line);
    progress.reset();
    if (run.status < 0 || run.status == 127) {
      std::cerr << "leakhound: cannot run " << f.go << "\n";
      return kExitBuildFailed;
    }
    GoTestOutcome outcome = ReadGoTestOutput(run.out, run.status);
    summary.outcome.build_failed |= outcome.build_failed;
    summary.outcome.tests_failed |= outcome.tests_failed;
    for (const std::string& p : outcome.failed_packages)
      if (std::find(summary.outcome.failed_packages.begin(), summary.outcome.failed_packages.end(),
                    p) == summary.outcome.failed_packages.end())
        summary.outcome.failed_packages.push_back(p);
    if (run.status != 0 && !any_nonzero) worst_status = run.status;
    any_nonzero |= run.status != 0;

    std::vector<std::string> warnings;
    std::vector<TestLeak> found = ReadLeakRecords(dumps, lo, &warnings);
    for (TestLeak& l : HungTests(run.out + run.err, lo, &warnings)) found.push_back(std::move(l));
    for (const std::string& w : warnings) std::cerr << "leakhound: warning: " << w << "\n";
    bool leaked = !found.empty();
    MergeRun(std::move(found), &leaks);
    summary.runs = k + 1;
    if (outcome.build_failed) break;  // the next run would not build either
    if (f.until_leak && leaked) {
      if (k + 1 < f.runs && !f.quiet)
        std::cerr << fmt::format("leakhound: a leak showed in run {}; --until-leak stops here\n",
                                 k + 1);
      break;
    }
  }
  summary.go_test_status = worst_status;
  size_t new_leaks = 0;
  for (TestLeak& l : leaks) {
    l.baselined = baseline.count(TestBaselineKey(l)) > 0;
    new_leaks += !l.baselined;
  }
  if (!f.write_baseline.empty() && !WriteTestBaseline(f.write_baseline, leaks, f.force, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return kExitConfig;
  }

  if (f.format == "json") {
    WriteTestLeaksJson(leaks, summary, std::cout);
  } else if (f.format == "junit") {
    WriteTestLeaksJUnit(leaks, summary, std::cout);
  } else {
    WriteTestLeaksText(leaks, summary, std::cout);
  }
  std::set<std::string> tests, hung;
  size_t n_leaks = 0;
  for (const TestLeak& l : leaks) {
    (l.hung ? hung : tests).insert(l.package + "." + l.test);
    n_leaks += !l.hung;
  }
  std::cerr << fmt::format("leakhound: {} leak(s) in {} test(s); {} test function(s) checked",
                           n_leaks, tests.size(), overlay.checked.size());
  if (!hung.empty())
    std::cerr << fmt::format("; {} hung test(s) with {} blocked place(s)", hung.size(),
                             leaks.size() - n_leaks);
  if (new_leaks < leaks.size())
    std::cerr << fmt::format("; {} known from the baseline", leaks.size() - new_leaks);
  std::cerr << "\n";
  std::cout.flush();

  if (summary.outcome.build_failed) return kExitBuildFailed;
  if (summary.outcome.tests_failed) return kExitTestsFailed;
  if (any_nonzero) return worst_status == 2 ? kExitUsage : kExitTestsFailed;
  return new_leaks == 0 ? kExitOk : kExitFindings;
}

}  // namespace leakhound
