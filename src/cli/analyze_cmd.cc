// leakhound analyze: dumps in, verdicts out.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "analyze/agreement.h"
#include "analyze/baseline.h"
#include "analyze/leak_marks.h"
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
                      "a series, oldest first")
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
                      "When the input holds several dumps, analyze only the K-th (default: all, as a series)");
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

  LoadedInputs loaded;
  int rc = LoadInputs(flags.inputs, flags.net, &loaded);
  if (rc != kExitOk) return rc;
  const std::vector<DumpSet>& sets = loaded.sets;

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
  // Times per snapshot, when each input gave exactly one.
  std::vector<double> times;
  if (flags.dump == 0 && loaded.times.size() == sets.size() && series.size() == sets.size())
    times = loaded.times;

  // A goroutine profile next to a goroutineleak debug=0/1 profile (which
  // holds only the marked goroutines) is one moment seen twice, not a
  // series: the full one gets the marks (analyze/leak_marks.h).
  std::optional<Snapshot> merged;
  bool leak_checked = loaded.leak_checked;
  if (series.size() >= 2) {
    const Snapshot* a = series[series.size() - 2];
    const Snapshot* b = series.back();
    if (IsLeakProfileSubset(*a) != IsLeakProfileSubset(*b)) {
      const Snapshot& full = IsLeakProfileSubset(*a) ? *b : *a;
      const Snapshot& marks = IsLeakProfileSubset(*a) ? *a : *b;
      merged = WithLeakMarks(full, marks, nullptr);
      series.pop_back();
      series.back() = &*merged;
      if (!times.empty()) times.pop_back();
      if (times.size() < 2) times.clear();
      leak_checked = true;
    }
  }

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
  // The runtime's marks against leakhound's own inference: the same
  // series again with the marks ignored (analyze/agreement.h).
  std::optional<Verdict> own;
  RuntimeAgreement agreement;
  bool marked = std::any_of(snap.goroutines().begin(), snap.goroutines().end(),
                            [](const Goroutine& g) { return g.has(kLeaked); });
  if (marked || leak_checked || IsLeakProfileSubset(snap)) {
    AnalyzeOptions plain = options;
    plain.ignore_runtime_marks = true;
    own = AnalyzeSeries(series, times, plain);
    agreement = CompareWithRuntime(verdict, *own, leak_checked);
    for (auto* list : {&agreement.agree, &agreement.runtime_only, &agreement.leakhound_only})
      std::erase_if(*list, [&](const AgreementEntry& e) {
        return !keep(snap.stacks()[verdict.buckets[e.bucket].stack]);
      });
    view.agreement = &agreement;
  }

  bool fail = false;
  for (const Finding& f : verdict.findings) {
    if (!keep(snap.stacks()[verdict.buckets[f.bucket].stack])) continue;
    view.findings.push_back(&f);
    fail = fail || (!flags.fail_on.empty() && !f.baselined && f.severity >= fail_on);
  }

  if (flags.format == "json") {
    WriteJson(view, std::cout);
  } else if (flags.format == "html") {
    // One self-contained page: the dashboard's views over this analysis.
    WriteHtml(DashboardFromAnalysis(view, times), std::cout);
  } else {
    TextOptions text;
    text.color = WantColor(flags.color);
    WriteText(view, text, std::cout);
  }
  std::cout.flush();
  return fail ? kExitFindings : kExitOk;
}

}  // namespace leakhound
