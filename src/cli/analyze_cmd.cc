// leakhound analyze: dumps in, verdicts out.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "analyze/agreement.h"
#include "analyze/baseline.h"
#include "analyze/leak_marks.h"
#include "analyze/series.h"
#include "analyze/verdict.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "config/config.h"
#include "report/dashboard_json.h"
#include "report/html_report.h"
#include "lint/linter.h"
#include "report/report.h"

namespace leakhound {

CLI::App* AddAnalyzeCommand(CLI::App* app, AnalyzeFlags* flags) {
  CLI::App* analyze = app->add_subcommand(
      "analyze",
      "Find goroutine leaks in dumps (panic, SIGQUIT, runtime.Stack, pprof debug=2, "
      "debug=1, protobuf, goroutineleak) from files, stdin or live /debug/pprof URLs.");
  analyze->add_option("input", flags->inputs,
                      "Dump files, - for standard input, or http(s) URLs of a service "
                      "(http://host:6060 or a full /debug/pprof/... URL); several inputs form "
                      "a series, oldest first, unless --series says otherwise")
      ->required();
  analyze->add_option("--format", flags->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "html"}))
      ->capture_default_str();
  analyze->add_option("--top", flags->top,
                      "Show at most N buckets (default: 20 for text, all for json and html)")
      ->check(CLI::NonNegativeNumber);
  analyze->add_option("--filter", flags->filters,
                      "Keep buckets with a function matching this RE2 regex (repeatable)");
  analyze->add_option("--exclude", flags->excludes,
                      "Drop buckets with a function matching this RE2 regex (repeatable)");
  analyze->add_option("--group", flags->group,
                      "exact: same lines in every frame; loose: ignore lines below the top frame")
      ->check(CLI::IsMember({"exact", "loose"}))
      ->capture_default_str();
  analyze->add_option("--dump", flags->dump,
                      "When the input holds several dumps, analyze only the K-th (default: all; see --series)");
  analyze->add_option("--series", flags->series,
                      "Several dumps: auto forms a series only of dumps that show they are one "
                      "process (goroutines that persist, capture times; a panic, fatal error or "
                      "signal ends its process), same takes them all as one, separate analyses "
                      "each on its own")
      ->check(CLI::IsMember({"auto", "same", "separate"}))
      ->capture_default_str();
  analyze->add_flag("--no-progress", flags->net.no_progress, "Never draw a progress bar");
  analyze->add_option("--color", flags->color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();

  analyze->add_option("--config", flags->config,
                      "Config file (default: .leakhound.yaml in this folder or a parent)");
  analyze->add_flag("--no-config", flags->no_config, "Ignore any .leakhound.yaml");
  analyze->add_option("--source", flags->source,
                      "Folder holding the Go source, to read blocking lines (repeatable)");
  analyze->add_flag("--no-source", flags->no_source, "Never read Go source files");
  analyze->add_option("--baseline", flags->baseline,
                      "Accept the findings listed in this file (from --write-baseline or "
                      "--format json)");
  analyze->add_option("--write-baseline", flags->write_baseline,
                      "Write the leak and suspect findings to this file as a baseline");
  analyze->add_flag("--force", flags->force, "Let --write-baseline replace an existing file");
  analyze->add_option("--fail-on", flags->fail_on,
                      "Exit 1 when a finding at or above this level remains")
      ->check(CLI::IsMember({"leak", "suspect"}));
  analyze->add_flag("--all", flags->all, "Also list info findings (expected goroutines)");

  AddNetFlags(analyze, &flags->net);
  return analyze;
}

namespace {

// What one process's analysis leaves for the renderers.
struct ProcessReport {
  std::vector<const Snapshot*> series;  // oldest first
  std::vector<double> times;            // per snapshot, or empty
  Verdict verdict;
  std::optional<Verdict> own;           // marks ignored (agreement.h)
  RuntimeAgreement agreement;
  AnalyzeView view;
  bool fail = false;                    // a finding at --fail-on remains
};

void AnalyzeProcess(const AnalyzeFlags& flags, const AnalyzeOptions& options,
                    const std::set<std::string>& baseline, bool leak_checked,
                    const std::vector<std::unique_ptr<RE2>>& filters,
                    const std::vector<std::unique_ptr<RE2>>& excludes, Severity fail_on,
                    const DumpSet* set, ProcessReport* r) {
  r->verdict = AnalyzeSeries(r->series, r->times, options);
  ApplyBaseline(baseline, &r->verdict);
  const Verdict& verdict = r->verdict;
  const Snapshot& snap = *verdict.current;

  auto keep = [&](const Stack& stack) {
    bool k = filters.empty();
    for (const auto& re : filters) k = k || AnyFunctionMatches(snap, stack, *re);
    for (const auto& re : excludes) k = k && !AnyFunctionMatches(snap, stack, *re);
    return k;
  };

  AnalyzeView& view = r->view;
  view.input = set;
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
  // The runtime's marks against leakhound's own inference: the same
  // series again with the marks ignored (analyze/agreement.h).
  bool marked = std::any_of(snap.goroutines().begin(), snap.goroutines().end(),
                            [](const Goroutine& g) { return g.has(kLeaked); });
  if (marked || leak_checked || IsLeakProfileSubset(snap)) {
    AnalyzeOptions plain = options;
    plain.ignore_runtime_marks = true;
    r->own = AnalyzeSeries(r->series, r->times, plain);
    r->agreement = CompareWithRuntime(verdict, *r->own, leak_checked);
    for (auto* list : {&r->agreement.agree, &r->agreement.runtime_only, &r->agreement.leakhound_only})
      std::erase_if(*list, [&](const AgreementEntry& e) {
        return !keep(snap.stacks()[verdict.buckets[e.bucket].stack]);
      });
    view.agreement = &r->agreement;
  }

  for (const Finding& f : verdict.findings) {
    if (!keep(snap.stacks()[verdict.buckets[f.bucket].stack])) continue;
    view.findings.push_back(&f);
    r->fail = r->fail || (!flags.fail_on.empty() && !f.baselined && f.severity >= fail_on);
  }
}

// LEAKHOUND_TIMES=1: where a run's time went, on stderr (bench/ prints
// it next to its totals).
class StageTimes {
 public:
  StageTimes() : on_(std::getenv("LEAKHOUND_TIMES") != nullptr), last_(Clock::now()) {}
  void Mark(const char* stage) {
    if (!on_) return;
    Clock::time_point now = Clock::now();
    line_ += fmt::format("{}{} {:.3f} s", line_.empty() ? "" : ", ", stage,
                         std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }
  ~StageTimes() {
    if (on_ && !line_.empty()) std::cerr << "leakhound: " << line_ << "\n";
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  Clock::time_point last_;
  std::string line_;
};

}  // namespace

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

  // Configuration: --config, else .leakhound.yaml found upward from here.
  Config config;
  if (!LoadConfigFor(flags.config, flags.no_config, &config)) return kExitConfig;
  std::set<std::string> baseline;
  if (!flags.baseline.empty()) {
    std::string error;
    if (!LoadBaseline(flags.baseline, &baseline, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitConfig;
    }
  }

  StageTimes stage_times;
  LoadedInputs loaded;
  int rc = LoadInputs(flags.inputs, flags.net, &loaded);
  if (rc != kExitOk) return rc;
  bool two_threads = std::any_of(loaded.sets.begin(), loaded.sets.end(),
                                 [](const DumpSet& d) { return d.read_threads > 1; });
  stage_times.Mark(two_threads ? "read (2 threads)" : "read");
  const std::vector<DumpSet>& sets = loaded.sets;

  // Every dump of every input in order, or the one --dump picks.
  std::vector<SeriesDump> dumps;
  const DumpSet* current_set = nullptr;
  if (flags.dump != 0) {
    const DumpSet& set = sets[0];
    if (flags.dump < 0 || static_cast<size_t>(flags.dump) > set.snapshots.size()) {
      std::cerr << fmt::format("leakhound: --dump {}: {} holds {} dump(s)\n", flags.dump,
                               set.source, set.snapshots.size());
      return kExitUsage;
    }
    dumps.push_back({&set.snapshots[static_cast<size_t>(flags.dump) - 1], 0, 0});
    current_set = &set;
  } else {
    for (size_t i = 0; i < sets.size(); ++i)
      for (const Snapshot& snap : sets[i].snapshots) dumps.push_back({&snap, i, 0});
    current_set = &sets.back();
  }
  for (SeriesDump& d : dumps)
    if (d.snapshot->capture_time_unix_ns > 0)
      d.time = static_cast<double>(d.snapshot->capture_time_unix_ns) / 1e9;
  // Times for growth per hour, when each input gave exactly one dump.
  std::vector<double> times;
  if (flags.dump == 0 && loaded.times.size() == sets.size() && dumps.size() == sets.size())
    times = loaded.times;

  // A goroutine profile next to a goroutineleak debug=0/1 profile (which
  // holds only the marked goroutines) is one moment seen twice, not a
  // series: the full one gets the marks (analyze/leak_marks.h).
  std::optional<Snapshot> merged;
  bool leak_checked = loaded.leak_checked;
  if (dumps.size() >= 2) {
    const Snapshot* a = dumps[dumps.size() - 2].snapshot;
    const Snapshot* b = dumps.back().snapshot;
    if (IsLeakProfileSubset(*a) != IsLeakProfileSubset(*b)) {
      const Snapshot& full = IsLeakProfileSubset(*a) ? *b : *a;
      const Snapshot& marks = IsLeakProfileSubset(*a) ? *a : *b;
      merged = WithLeakMarks(full, marks, nullptr);
      dumps.pop_back();
      dumps.back().snapshot = &*merged;
      if (!times.empty()) times.pop_back();
      if (times.size() < 2) times.clear();
      leak_checked = true;
    }
  }

  // Which dumps are one process (analyze/series.h): each group is
  // analysed on its own, as a series when it holds several.
  SeriesMode mode = SeriesMode::kAuto;
  ParseSeriesMode(flags.series, &mode);  // CLI11 checked the word
  SeriesPlan plan = PlanSeries(dumps, mode);

  std::vector<std::string> roots = config.source_roots;
  roots.insert(roots.end(), flags.source.begin(), flags.source.end());
  SourceView source(roots, /*use_absolute=*/true);
  AnalyzeOptions options;
  options.thresholds = config.thresholds;
  options.grouping = flags.group == "loose" ? Grouping::kLoose : Grouping::kExact;
  options.source = flags.no_source ? nullptr : &source;
  options.ignore = &config.ignore;
  // Lint the source roots once, so runtime findings can meet the lint
  // findings at the same lines (analyze/lint_link.h).
  std::vector<SourceLint> lint;
  if (!flags.no_source && !roots.empty()) {
    for (const std::string& root : roots) {
      std::vector<std::string> files;
      std::string error;
      if (!CollectGoFiles({root + "/..."}, &files, &error)) continue;  // as SourceView: skipped
      for (LintFinding& f : LintFiles(files).findings) {
        std::string rel = f.file;
        if (root != "." && rel.starts_with(root + "/")) rel.erase(0, root.size() + 1);
        lint.push_back({std::move(f), std::move(rel)});
      }
    }
    options.lint = &lint;
  }

  // One report per process. Views point into their own report: kept in
  // place by unique_ptr.
  std::vector<std::unique_ptr<ProcessReport>> reports;
  for (size_t g = 0; g < plan.groups.size(); ++g) {
    auto r = std::make_unique<ProcessReport>();
    for (size_t i : plan.groups[g]) r->series.push_back(dumps[i].snapshot);
    if (!times.empty())
      for (size_t i : plan.groups[g]) r->times.push_back(times[i]);
    if (r->times.size() < 2) r->times.clear();
    const DumpSet* set = current_set;
    if (flags.dump == 0) set = &sets[dumps[plan.groups[g].back()].input];
    AnalyzeProcess(flags, options, baseline, leak_checked, filters, excludes, fail_on, set,
                   r.get());
    for (const DumpSet& s : sets) r->view.inputs.push_back(&s);
    r->view.series_plan = &plan;
    r->view.process = g;
    reports.push_back(std::move(r));
  }
  stage_times.Mark("analyze");

  if (!flags.write_baseline.empty()) {
    std::vector<const Verdict*> verdicts;
    for (const auto& r : reports) verdicts.push_back(&r->verdict);
    std::string error;
    if (!WriteBaseline(flags.write_baseline, verdicts, flags.force, &error)) {
      std::cerr << "leakhound: " << error << "\n";
      return kExitConfig;
    }
  }

  bool fail = false;
  for (const auto& r : reports) fail = fail || r->fail;
  const AnalyzeView& last = reports.back()->view;
  if (flags.format == "json") {
    // Several processes: each one's whole report under "processes"; the
    // top level stays the last one's, as with one process.
    nlohmann::ordered_json processes = nlohmann::ordered_json::array();
    if (plan.separate()) {
      for (const auto& r : reports) {
        std::ostringstream one;
        WriteJson(r->view, one);
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(one.str());
        for (const char* key : {"schema", "leakhound_version", "inputs"}) j.erase(key);
        processes.push_back(std::move(j));
      }
      reports.back()->view.processes = &processes;
    }
    WriteJson(last, std::cout);
  } else if (flags.format == "html") {
    // One self-contained page: the dashboard's views over this analysis
    // (the last process, when there are several).
    WriteHtml(DashboardFromAnalysis(last, reports.back()->times), std::cout);
  } else {
    TextOptions text;
    text.color = WantColor(flags.color);
    if (plan.separate()) std::cout << "Series: " << plan.Summary() << "\n";
    for (size_t g = 0; g < reports.size(); ++g) {
      if (plan.separate())
        std::cout << fmt::format("\n=== Process {} of {} ===\n", g + 1, reports.size());
      WriteText(reports[g]->view, text, std::cout);
    }
  }
  std::cout.flush();
  stage_times.Mark("report");
  return fail ? kExitFindings : kExitOk;
}

}  // namespace leakhound
