// leakhound test: go test with a leak check after every test, through an
// -overlay so the user's files are never changed (docs/gotest.md).
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "gotest/baseline.h"
#include "gotest/go_command.h"
#include "gotest/leaks.h"
#include "gotest/overlay.h"
#include "gotest/report.h"
#include "gotest/suite.h"

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
      ->check(CLI::IsMember({"text", "json", "junit", "sarif"}))
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
  test->add_flag("--race", f->race,
                 "Add one run with go test -race after the --runs ones (the race detector's "
                 "scheduling shakes out other leaks)");
  test->add_flag("--until-leak", f->until_leak,
                 "Stop repeating a test (--runs, -count) after its first leak: later repetitions skip it");
  test->add_option("--fail-on", f->fail_on,
                   "Exit 1 when a leak at or above this severity remains: leak (every "
                   "survivor), or info (also expected goroutines, such as a signal handler's)")
      ->check(CLI::IsMember({"info", "suspect", "leak"}))
      ->capture_default_str();
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
  Severity fail_on = Severity::kLeak;
  ParseSeverity(f.fail_on, &fail_on);  // checked by CLI11
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

  char cwd[4096];
  std::string here = getcwd(cwd, sizeof cwd) ? cwd : "";

  SuiteOptions so;
  so.go = f.go;
  so.patterns = patterns;
  so.go_flags = f.go_flags;
  so.settle_ms = settle_ms;
  so.runs = f.runs;
  so.until_leak = f.until_leak;
  so.race = f.race;
  so.leak_profile = !f.no_leak_profile;
  so.overlay_json = overlay_json;
  so.renames = ForGoOutput(renames, here);
  so.work_dir = work.path;
  // go test's output is the user's; with a machine-readable report on
  // stdout it moves to stderr. With it hidden, a terminal sees progress.
  so.out_fd = f.quiet ? -1 : (f.format == "text" ? STDOUT_FILENO : STDERR_FILENO);
  so.err_fd = f.quiet ? -1 : STDERR_FILENO;
  so.progress = f.quiet && isatty(STDERR_FILENO);
  so.read.settle = f.settle;
  for (const TestPackage& p : packages) so.read.source_roots.push_back(p.dir);
  so.read.ignore = &config.ignore;
  so.read.ignore_top_functions = f.ignore_top;
  so.read.ignore_any_functions = f.ignore_any;
  so.note = [&f](const std::string& s) {
    if (!f.quiet || s.starts_with("warning: ")) std::cerr << "leakhound: " << s << "\n";
  };
  SuiteResult suite = RunSuite(so);
  if (!suite.started) {
    std::cerr << "leakhound: cannot run " << f.go << "\n";
    return kExitBuildFailed;
  }
  std::vector<TestLeak>& leaks = suite.leaks;

  TestRunSummary summary;
  summary.checked = overlay.checked;
  summary.settle = f.settle;
  summary.cwd = here;
  summary.runs = suite.runs_done;
  summary.outcome = suite.outcome;
  summary.go_test_status = suite.status;
  size_t new_leaks = 0, failing = 0;
  for (TestLeak& l : leaks) {
    l.baselined = baseline.count(TestBaselineKey(l)) > 0;
    new_leaks += !l.baselined;
    failing += !l.baselined && l.severity >= fail_on;
  }
  if (!f.write_baseline.empty() && !WriteTestBaseline(f.write_baseline, leaks, f.force, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return kExitConfig;
  }

  if (f.format == "json") {
    WriteTestLeaksJson(leaks, summary, std::cout);
  } else if (f.format == "sarif") {
    WriteTestLeaksSarif(leaks, summary, std::cout);
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
  if (failing < new_leaks)
    std::cerr << fmt::format("; {} below --fail-on {}", new_leaks - failing, f.fail_on);
  std::cerr << "\n";
  std::cout.flush();

  if (summary.outcome.build_failed) return kExitBuildFailed;
  if (summary.outcome.tests_failed) return kExitTestsFailed;
  if (suite.status != 0) return suite.status == 2 ? kExitUsage : kExitTestsFailed;
  return failing == 0 ? kExitOk : kExitFindings;
}

}  // namespace leakhound
