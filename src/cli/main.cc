// leakhound: the command line. Thin on purpose: it parses flags, calls the
// library (dump -> analyze -> report) and maps failures to exit codes
// (docs/exit-codes.md).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <re2/re2.h>

#include "analyze/baseline.h"
#include "analyze/buckets.h"
#include "analyze/source_view.h"
#include "analyze/verdict.h"
#include "config/config.h"
#include "dump/dump.h"
#include "report/report.h"

namespace leakhound {
namespace {

enum ExitCode {
  kExitOk = 0,
  kExitFindings = 1,  // --fail-on: a finding at or above the level remains
  kExitUsage = 2,
  kExitBadInput = 3,
  kExitConfig = 4,    // config or baseline file unreadable or invalid
};

struct AnalyzeFlags {
  std::vector<std::string> inputs;
  std::string format = "text";
  int top = -1;  // -1: default for the format
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::string group = "exact";
  int dump = 0;  // 1-based; 0 = last
  bool no_progress = false;
  std::string color = "auto";
  std::string config;
  bool no_config = false;
  std::vector<std::string> source;
  bool no_source = false;
  std::string baseline;
  std::string write_baseline;
  bool force = false;
  std::string fail_on;
  bool all = false;
};

// Draws "[#####.....] 42% 512/1200 MB" on stderr, redrawing in place.
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

// A bucket matches a regex when any of its frames' functions (creator
// included) does.
bool AnyFunctionMatches(const Snapshot& s, const Stack& stack, const RE2& re) {
  for (const Frame& f : stack.frames)
    if (RE2::PartialMatch(s.str(f.function), re)) return true;
  return stack.has_creator && RE2::PartialMatch(s.str(stack.creator.function), re);
}

// Capture times for a series of files: their modification times, when
// every input is a file and they increase in the order given. A series
// without times still has an order; growth is then per snapshot.
std::vector<double> InputTimes(const std::vector<std::string>& paths,
                               const std::vector<DumpSet>& sets) {
  std::vector<double> times;
  bool ok = true;
  for (size_t i = 0; i < paths.size() && ok; ++i) {
    struct stat st;
    ok = paths[i] != "-" && stat(paths[i].c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         sets[i].snapshots.size() == 1;
    if (!ok) break;
    double t = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
    ok = times.empty() || t > times.back();
    times.push_back(t);
  }
  if (!ok) times.clear();
  return times;
}

int RunAnalyze(const AnalyzeFlags& flags) {
  std::vector<std::unique_ptr<RE2>> filters, excludes;
  if (!CompileAll(flags.filters, "--filter", &filters) ||
      !CompileAll(flags.excludes, "--exclude", &excludes))
    return kExitUsage;
  Severity fail_on = Severity::kLeak;
  if (!flags.fail_on.empty() && !ParseSeverity(flags.fail_on, &fail_on)) return kExitUsage;
  if (flags.dump != 0 && flags.inputs.size() != 1) {
    std::cerr << "leakhound: --dump needs exactly one input\n";
    return kExitUsage;
  }
  if (std::count(flags.inputs.begin(), flags.inputs.end(), "-") > 1) {
    std::cerr << "leakhound: standard input (-) can be given only once\n";
    return kExitUsage;
  }

  // Configuration: --config, else .leakhound.yaml found upward from here.
  Config config;
  if (!flags.no_config) {
    std::string path = flags.config;
    if (path.empty()) {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd)) path = FindConfigFile(cwd);
    }
    std::string error;
    if (!path.empty() && !LoadConfig(path, &config, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitConfig;
    }
  }
  std::set<std::string> baseline;
  if (!flags.baseline.empty()) {
    std::string error;
    if (!LoadBaseline(flags.baseline, &baseline, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitConfig;
    }
  }

  std::vector<DumpSet> sets(flags.inputs.size());
  for (size_t i = 0; i < flags.inputs.size(); ++i) {
    const std::string& path = flags.inputs[i];
    ReadOptions options;
    ProgressBar bar;
    // Only worth drawing for big inputs.
    if (!flags.no_progress && isatty(STDERR_FILENO)) {
      options.progress = [&bar](uint64_t done, uint64_t total) {
        if (total >= (100u << 20)) bar.Update(done, total);
      };
    }
    ReadError err = ReadDumpFile(path, options, &sets[i]);
    if (err) {
      std::cerr << "leakhound: " << err.message << "\n";
      return kExitBadInput;
    }
    for (const std::string& w : sets[i].warnings)
      std::cerr << "leakhound: warning: " << w << "\n";
  }

  // The series: every dump of every input in order (a log with several
  // SIGQUIT dumps is a series too), or the one --dump picks.
  std::vector<const Snapshot*> series;
  const DumpSet* current_set = nullptr;
  if (flags.dump != 0) {
    const DumpSet& set = sets[0];
    if (flags.dump < 0 || static_cast<size_t>(flags.dump) > set.snapshots.size()) {
      std::cerr << fmt::format("leakhound: --dump {}: {} holds {} dump(s)\n", flags.dump,
                               set.source, set.snapshots.size());
      return kExitUsage;
    }
    series.push_back(&set.snapshots[static_cast<size_t>(flags.dump) - 1]);
    current_set = &set;
  } else {
    for (const DumpSet& set : sets)
      for (const Snapshot& snap : set.snapshots) series.push_back(&snap);
    current_set = &sets.back();
  }
  std::vector<double> times = flags.dump != 0 ? std::vector<double>{} : InputTimes(flags.inputs, sets);

  std::vector<std::string> roots = config.source_roots;
  roots.insert(roots.end(), flags.source.begin(), flags.source.end());
  SourceView source(roots, /*use_absolute=*/true);
  AnalyzeOptions options;
  options.thresholds = config.thresholds;
  options.grouping = flags.group == "loose" ? Grouping::kLoose : Grouping::kExact;
  options.source = flags.no_source ? nullptr : &source;
  options.ignore = &config.ignore;
  Verdict verdict = AnalyzeSeries(series, times, options);
  ApplyBaseline(baseline, &verdict);
  const Snapshot& snap = *verdict.current;

  if (!flags.write_baseline.empty()) {
    std::string error;
    if (!WriteBaseline(flags.write_baseline, verdict, flags.force, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitConfig;
    }
  }

  auto keep = [&](const Stack& stack) {
    bool k = filters.empty();
    for (const auto& re : filters) k = k || AnyFunctionMatches(snap, stack, *re);
    for (const auto& re : excludes) k = k && !AnyFunctionMatches(snap, stack, *re);
    return k;
  };

  AnalyzeView view;
  for (const DumpSet& set : sets) view.inputs.push_back(&set);
  view.input = current_set;
  view.snapshot = &snap;
  view.verdict = &verdict;
  view.show_info = flags.all;
  view.grouping = options.grouping;
  view.buckets_total = verdict.buckets.size();
  size_t top = flags.top >= 0 ? static_cast<size_t>(flags.top)
                              : (flags.format == "text" ? 20 : SIZE_MAX);
  for (const Bucket& b : verdict.buckets) {
    if (view.buckets.size() >= top) break;
    if (keep(snap.stacks()[b.stack])) view.buckets.push_back(&b);
  }
  bool fail = false;
  for (const Finding& f : verdict.findings) {
    if (!keep(snap.stacks()[verdict.buckets[f.bucket].stack])) continue;
    view.findings.push_back(&f);
    fail = fail || (!flags.fail_on.empty() && !f.baselined && f.severity >= fail_on);
  }

  if (flags.format == "json") {
    WriteJson(view, std::cout);
  } else {
    TextOptions text;
    if (flags.color == "always") {
      text.color = true;
    } else if (flags.color == "auto") {
      const char* term = std::getenv("TERM");
      text.color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
                   !(term && std::string(term) == "dumb");
    }
    WriteText(view, text, std::cout);
  }
  std::cout.flush();
  return fail ? kExitFindings : kExitOk;
}

}  // namespace
}  // namespace leakhound

int main(int argc, char** argv) {
  using namespace leakhound;
  CLI::App app{"leakhound: find goroutine leaks in Go programs' dumps"};
  app.set_version_flag("--version", std::string("leakhound ") + kLeakhoundVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 findings at --fail-on level, 2 usage error, 3 unreadable or "
      "invalid input, 4 bad config or baseline "
      "(see docs/exit-codes.md).");

  AnalyzeFlags flags;
  CLI::App* analyze = app.add_subcommand(
      "analyze",
      "Group a goroutine dump (panic, SIGQUIT, runtime.Stack, pprof debug=2) by "
      "state and stack and show where goroutines are stuck.");
  analyze->add_option("input", flags.inputs,
                      "Dump files, or - for standard input; several form a series, oldest "
                      "first")
      ->required();
  analyze->add_option("--format", flags.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  analyze->add_option("--top", flags.top,
                      "Show at most N buckets (default: 20 for text, all for json)")
      ->check(CLI::NonNegativeNumber);
  analyze->add_option("--filter", flags.filters,
                      "Keep buckets with a function matching this RE2 regex (repeatable)");
  analyze->add_option("--exclude", flags.excludes,
                      "Drop buckets with a function matching this RE2 regex (repeatable)");
  analyze->add_option("--group", flags.group,
                      "exact: same lines in every frame; loose: ignore lines below the top frame")
      ->check(CLI::IsMember({"exact", "loose"}))
      ->capture_default_str();
  analyze->add_option("--dump", flags.dump,
                      "When the input holds several dumps, analyze the K-th (default: the last)");
  analyze->add_flag("--no-progress", flags.no_progress, "Never draw a progress bar");
  analyze->add_option("--color", flags.color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();

  analyze->add_option("--config", flags.config,
                      "Config file (default: .leakhound.yaml in this folder or a parent)");
  analyze->add_flag("--no-config", flags.no_config, "Ignore any .leakhound.yaml");
  analyze->add_option("--source", flags.source,
                      "Folder holding the Go source, to read blocking lines (repeatable)");
  analyze->add_flag("--no-source", flags.no_source, "Never read Go source files");
  analyze->add_option("--baseline", flags.baseline,
                      "Accept the findings listed in this file (from --write-baseline or "
                      "--format json)");
  analyze->add_option("--write-baseline", flags.write_baseline,
                      "Write the leak and suspect findings to this file as a baseline");
  analyze->add_flag("--force", flags.force, "Let --write-baseline replace an existing file");
  analyze->add_option("--fail-on", flags.fail_on,
                      "Exit 1 when a finding at or above this level remains")
      ->check(CLI::IsMember({"leak", "suspect"}));
  analyze->add_flag("--all", flags.all, "Also list info findings (expected goroutines)");

  CLI::App* patterns = app.add_subcommand("patterns", "List the leak patterns leakhound knows");
  std::string explain_id;
  CLI::App* explain = app.add_subcommand("explain", "Explain a leak pattern and its fix");
  explain->add_option("id", explain_id, "Pattern id (see leakhound patterns)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, not the whole help text.
    std::cerr << "leakhound: " << e.what() << " (see leakhound --help)\n";
    return kExitUsage;
  }
  if (analyze->parsed()) return RunAnalyze(flags);
  if (patterns->parsed()) {
    WritePatternList(std::cout);
    return kExitOk;
  }
  if (explain->parsed()) {
    const Pattern* p = FindPattern(explain_id);
    if (!p) {
      std::cerr << "leakhound: unknown pattern \"" << explain_id
                << "\" (see leakhound patterns)\n";
      return kExitUsage;
    }
    WritePatternExplanation(*p, std::cout);
    return kExitOk;
  }
  return kExitUsage;
}
