// leakhound diff BASE NEW: which buckets appeared, grew, shrank, vanished.
#include <iostream>

#include "analyze/diff.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "report/report.h"

namespace leakhound {

CLI::App* AddDiffCommand(CLI::App* app, DiffFlags* f) {
  CLI::App* diff = app->add_subcommand(
      "diff", "Compare two dumps of one program (files, - or URLs): buckets that appeared, "
              "grew, shrank or vanished, largest growth first.");
  diff->add_option("base", f->base, "The earlier dump")->required();
  diff->add_option("new", f->next, "The later dump")->required();
  diff->add_option("--format", f->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  diff->add_option("--group", f->group, "exact or loose (see analyze --help)")
      ->check(CLI::IsMember({"exact", "loose"}))
      ->capture_default_str();
  diff->add_flag("--all", f->all, "Also list buckets whose count did not change");
  diff->add_option("--top", f->top, "Show at most N changes (default: 20 for text, all for json)")
      ->check(CLI::NonNegativeNumber);
  diff->add_option("--fail-on-growth", f->fail_on_growth,
                   "Exit 1 when some bucket grew by at least N goroutines");
  diff->add_option("--color", f->color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  diff->add_flag("--no-progress", f->net.no_progress, "Never draw a progress bar");
  AddNetFlags(diff, &f->net);
  return diff;
}

int RunDiff(const DiffFlags& f) {
  if (f.net.samples != 1) {
    std::cerr << "leakhound: diff takes one snapshot per side; use analyze for --samples\n";
    return kExitUsage;
  }
  LoadedInputs loaded;
  int rc = LoadInputs({f.base, f.next}, f.net, &loaded);
  if (rc != kExitOk) return rc;
  // Each side: its last dump (a log may hold several).
  const Snapshot& base = loaded.sets[0].snapshots.back();
  const Snapshot& next = loaded.sets[1].snapshots.back();
  Grouping grouping = f.group == "loose" ? Grouping::kLoose : Grouping::kExact;
  SnapshotDiff diff;
  DiffSnapshots(base, next, grouping, &diff);

  DiffView view;
  view.diff = &diff;
  view.base_source = base.source;
  view.new_source = next.source;
  view.base_form = base.form;
  view.new_form = next.form;
  view.base_total = base.total_goroutines();
  view.new_total = next.total_goroutines();
  if (base.form != next.form)
    view.note = "the two sides are different forms (" + base.form + ", " + next.form +
                "); stacks and states differ between forms, so buckets may not match";
  // A side holding several dumps may hold several processes (a CI log):
  // say which one is compared (analyze --series tells them apart).
  for (const DumpSet* set : {&loaded.sets[0], &loaded.sets[1]}) {
    if (set->snapshots.size() < 2) continue;
    if (!view.note.empty()) view.note += "; ";
    view.note += set->source + " holds " + std::to_string(set->snapshots.size()) +
                 " dumps: its last is compared (leakhound analyze --series shows which are one "
                 "process)";
  }
  size_t top = f.top >= 0 ? static_cast<size_t>(f.top) : (f.format == "text" ? 20 : SIZE_MAX);
  bool fail = false;
  for (const BucketDelta& d : diff.deltas) {
    if (f.fail_on_growth > 0 && d.delta >= static_cast<int64_t>(f.fail_on_growth)) fail = true;
    if (d.change == Change::kSame && !f.all) continue;
    if (view.deltas.size() < top) view.deltas.push_back(&d);
  }
  if (f.format == "json")
    WriteDiffJson(view, std::cout);
  else
    WriteDiffText(view, WantColor(f.color), std::cout);
  std::cout.flush();
  return fail ? kExitFindings : kExitOk;
}

}  // namespace leakhound
