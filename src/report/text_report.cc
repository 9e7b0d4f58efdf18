// Terminal output: what a person reads first during an incident. The
// largest buckets come first, each reduced to the one frame worth looking
// at (the top user frame), then a compact stack for context.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/words.h"
#include "model/func_name.h"
#include "report/report.h"

namespace leakhound {

namespace {

struct Style {
  bool on;
  std::string_view bold() const { return on ? "\x1b[1m" : ""; }
  std::string_view dim() const { return on ? "\x1b[2m" : ""; }
  std::string_view red() const { return on ? "\x1b[31m" : ""; }
  std::string_view yellow() const { return on ? "\x1b[33m" : ""; }
  std::string_view cyan() const { return on ? "\x1b[36m" : ""; }
  std::string_view reset() const { return on ? "\x1b[0m" : ""; }
};

// Dump text is untrusted: control bytes (an ESC in a function name could
// repaint the terminal) are shown escaped.
std::string Clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

// A state the dump did not give (debug=1 frames that hide the operation)
// reads "unknown", not "[]".
std::string StateText(const Snapshot& s, Sym state) { return Clean(OrUnknown(s.str(state))); }

std::string Location(const Snapshot& s, const Frame& f) {
  if (f.line == 0 && s.str(f.file) == "?") return "(location cut)";  // Stack::cut
  return Clean(fmt::format("{}:{}", s.str(f.file), f.line));
}

std::string WaitText(const Bucket& b) {
  if (b.min_wait < 0) return "";
  if (b.min_wait == b.max_wait) return fmt::format("{} min", b.min_wait);
  return fmt::format("{}-{} min", b.min_wait, b.max_wait);
}

std::string IdList(const std::vector<uint64_t>& ids, size_t max) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < max; ++i) {
    if (i) out += ' ';
    out += std::to_string(ids[i]);
  }
  if (ids.size() > max) out += fmt::format(" ... (+{} more)", ids.size() - max);
  return out;
}

// "{pattern: GET /x} x3, {job: say "hi"} x1": the three largest label
// sets, briefly; the JSON report has them all.
std::string LabelsText(const Snapshot& s, const Bucket& b) {
  std::string out;
  size_t shown = std::min<size_t>(b.labels.size(), 3);
  for (size_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    out += '{';
    const LabelSet& set = s.label_sets()[b.labels[i].first];
    for (size_t k = 0; k < set.size(); ++k) {
      if (k) out += ", ";
      out += Clean(s.str(set[k].first)) + ": " + Clean(s.str(set[k].second));
    }
    out += fmt::format("}} x{}", b.labels[i].second);
  }
  uint64_t more = b.labels_other;
  for (size_t i = shown; i < b.labels.size(); ++i) more += b.labels[i].second;
  if (more) out += fmt::format(" (+{} with other labels)", more);
  return out;
}

void WriteFindings(const AnalyzeView& view, const TextOptions& options, const Style& st,
                   std::ostream& out) {
  const Verdict& v = *view.verdict;
  const Snapshot& s = *view.snapshot;
  size_t leaks = 0, suspects = 0, infos = 0, baselined = 0;
  for (const Finding* f : view.findings) {
    if (f->baselined) ++baselined;
    else if (f->severity == Severity::kLeak) ++leaks;
    else if (f->severity == Severity::kSuspect) ++suspects;
    else ++infos;
  }
  out << "\n" << st.bold() << "Findings" << st.reset() << ": " << Plural(leaks, "leak") << ", "
      << Plural(suspects, "suspect");
  if (v.series_length > 1) out << " (series of " << v.series_length << " snapshots)";
  out << "\n";
  std::string hidden;
  if (!view.show_info && infos) hidden += fmt::format("{} info", infos);
  if (baselined) hidden += fmt::format("{}{} baselined", hidden.empty() ? "" : ", ", baselined);
  if (v.ignored) hidden += fmt::format("{}{} ignored by config", hidden.empty() ? "" : ", ", v.ignored);
  if (!hidden.empty()) out << st.dim() << "  (not shown: " << hidden << "; --all shows info)" << st.reset() << "\n";

  for (const Finding* f : view.findings) {
    if (f->baselined || (f->severity == Severity::kInfo && !view.show_info)) continue;
    const Bucket& b = v.buckets[f->bucket];
    const Stack& stack = s.stacks()[b.stack];
    std::string_view color = f->severity == Severity::kLeak      ? st.red()
                             : f->severity == Severity::kSuspect ? st.yellow()
                                                                 : st.dim();
    std::string sev = SeverityName(f->severity);
    for (char& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out << "\n" << color << st.bold() << fmt::format("{:<7}", sev) << st.reset() << " "
        << st.bold() << f->pattern->id << st.reset()
        << fmt::format("  confidence {:.2f}  {} [{}", f->confidence, Plural(b.count, "goroutine"),
                       StateText(s, b.state));
    std::string wait = WaitText(b);
    if (!wait.empty()) out << ", " << wait;
    out << "]\n";
    out << "        " << f->pattern->title << "\n";
    if (f->proof) out << "        " << st.red() << "proof: " << st.reset() << f->proof->text << "\n";
    if (f->blocking_frame >= 0) {
      const Frame& fr = stack.frames[static_cast<size_t>(f->blocking_frame)];
      out << "        blocked at " << st.bold() << Location(s, fr) << st.reset() << " "
          << Clean(s.str(fr.function)) << "\n";
    }
    if (stack.has_creator)
      out << "        created at " << Location(s, stack.creator) << " "
          << Clean(s.str(stack.creator.function)) << "\n";
    for (size_t wb : f->waits_for) {
      // A consequence: its goroutines wait for ones they started.
      const Bucket& w = v.buckets[wb];
      const Stack& ws = s.stacks()[w.stack];
      int top = TopUserFrame(s, ws);
      out << "        waits for " << Plural(w.count, "goroutine") << " it started, blocked ["
          << StateText(s, w.state) << "]";
      if (top >= 0) out << " at " << Location(s, ws.frames[static_cast<size_t>(top)]);
      out << " (listed above)\n";
    }
    if (f->growth && f->growth->per_hour >= 0 && f->growth->growing)
      out << fmt::format("        growth {:+.0f} goroutines/hour\n", f->growth->per_hour);
    out << "        why:\n";
    for (const Reason& r : f->reasons)
      out << "          " << (r.weight >= 0 ? "+ " : "- ") << Clean(r.text)
          << st.dim() << fmt::format(" ({:.2f})", r.weight < 0 ? -r.weight : r.weight)
          << st.reset() << "\n";
    for (const LintLink& l : f->lint)
      out << "        lint: " << l.lint->finding.file << ":" << l.lint->finding.line << ": "
          << Clean(l.lint->finding.message) << st.dim() << " (" << l.lint->finding.rule << ", "
          << l.match << ")" << st.reset() << "\n";
    out << "        fix: " << f->pattern->fix << "\n";
    out << st.dim() << "        (leakhound explain " << f->pattern->id << ")" << st.reset() << "\n";
  }
}

std::string AgreementLine(const AnalyzeView& view, const AgreementEntry& e) {
  const Snapshot& s = *view.snapshot;
  const Bucket& b = view.verdict->buckets[e.bucket];
  const Stack& stack = s.stacks()[b.stack];
  std::string line = fmt::format("{:>7}  [{}]", b.count, StateText(s, b.state));
  int top = e.own && e.own->blocking_frame >= 0 ? e.own->blocking_frame : TopUserFrame(s, stack);
  if (top >= 0) {
    const Frame& f = stack.frames[static_cast<size_t>(top)];
    line += " at " + Location(s, f) + " " + Clean(s.str(f.function));
  }
  if (e.own == nullptr) {
    line += "  leakhound: no pattern";
  } else {
    std::string sev = SeverityName(e.own->severity);
    for (char& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    line += fmt::format("  leakhound: {} {} {:.2f}", sev, e.own->pattern->id, e.own->confidence);
    if (e.own->benign) line += " (expected: " + std::string(e.own->benign->reason) + ")";
  }
  return line;
}

void WriteAgreement(const AnalyzeView& view, const Style& st, std::ostream& out) {
  const RuntimeAgreement& a = *view.agreement;
  auto goroutines = [&](const std::vector<AgreementEntry>& list) {
    uint64_t n = 0;
    for (const AgreementEntry& e : list) n += view.verdict->buckets[e.bucket].count;
    return n;
  };
  out << "\n" << st.bold() << "Runtime leak detector" << st.reset() << ": "
      << Plural(a.marked_goroutines, "goroutine") << " marked (leaked); compared with leakhound's own inference (marks ignored)\n";
  out << fmt::format("  agree: {} in {} marked and a leak or suspect on "
                     "leakhound's own evidence\n",
                     Plural(goroutines(a.agree), "goroutine"), Plural(a.agree.size(), "bucket"));
  for (const AgreementEntry& e : a.agree) out << "  " << AgreementLine(view, e) << "\n";
  if (a.lists_unmarked) {
    out << fmt::format("  leakhound only: {} in {} not marked by the runtime "
                       "(what it waits on is still reachable: from a global, the network poller, a running "
                       "goroutine; or leakhound is wrong)\n",
                       Plural(goroutines(a.leakhound_only), "goroutine"),
                       Plural(a.leakhound_only.size(), "bucket"));
    for (const AgreementEntry& e : a.leakhound_only) out << "  " << AgreementLine(view, e) << "\n";
  } else {
    out << "  leakhound only: unknown: this goroutineleak profile lists only the goroutines the "
           "runtime marked (its debug=2 form lists all)\n";
  }
  out << fmt::format("  runtime only: {} in {} marked, but not a leak or "
                     "suspect on leakhound's own evidence\n",
                     Plural(goroutines(a.runtime_only), "goroutine"),
                     Plural(a.runtime_only.size(), "bucket"));
  for (const AgreementEntry& e : a.runtime_only) out << "  " << AgreementLine(view, e) << "\n";
}

}  // namespace

void WritePatternList(std::ostream& out) {
  for (const Pattern* p : AllPatterns())
    out << fmt::format("{:<20} {}\n", p->id, p->title);
}

void WritePatternExplanation(const Pattern& p, std::ostream& out) {
  out << p.id << ": " << p.title << "\n\n" << p.explanation << "\n\nHow leakhound sees it:\n  "
      << p.detection << "\n\nFix:\n  " << p.fix << "\n\n";
  std::string_view snippet = p.fix_snippet;
  while (!snippet.empty()) {
    size_t nl = snippet.find('\n');
    out << "    " << snippet.substr(0, nl) << "\n";
    if (nl == std::string_view::npos) break;
    snippet.remove_prefix(nl + 1);
  }
}

void WriteText(const AnalyzeView& view, const TextOptions& options, std::ostream& out) {
  const Snapshot& s = *view.snapshot;
  Style st{options.color};

  // --- summary ---
  out << st.bold() << Clean(s.source) << st.reset() << ": "
      << Plural(s.total_goroutines(), "goroutine");
  if (s.kind != DumpKind::kUnknown && s.kind != DumpKind::kStack)
    out << " (" << DumpKindName(s.kind) << " dump)";
  out << ", Go " << OrUnknown(s.go_version.ToString());
  out << ", " << Plural(view.buckets_total, "bucket") << "\n";
  if (!s.preamble.empty()) {
    std::string first = s.preamble.substr(0, s.preamble.find('\n'));
    out << "  " << st.red() << Clean(first) << st.reset() << "\n";
  }

  std::vector<uint64_t> counts(s.strings().size(), 0);
  for (const Goroutine& g : s.goroutines()) counts[g.state] += g.count;
  std::vector<std::pair<Sym, uint64_t>> states;
  for (Sym i = 0; i < counts.size(); ++i)
    if (counts[i] > 0) states.emplace_back(i, counts[i]);
  std::sort(states.begin(), states.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return s.str(a.first) < s.str(b.first);
  });
  out << "\nBy state:\n";
  for (const auto& [state, count] : states)
    out << fmt::format("  {:>9}  {}\n", count, StateText(s, state));

  for (const std::string& note : s.notes)
    out << st.yellow() << "note: " << st.reset() << Clean(note) << "\n";
  if (s.truncated)
    out << st.yellow() << "note: " << st.reset()
        << "the dump is truncated; counts cover what was read\n";
  if (const SeriesPlan* plan = view.series_plan) {
    // Several dumps: say which this report covers and why (series.h).
    const std::vector<size_t>& group = plan->groups[view.process];
    std::string which;
    for (size_t i : group) which += (which.empty() ? "" : ", ") + std::to_string(i + 1);
    if (plan->separate())
      out << st.yellow() << "note: " << st.reset()
          << fmt::format("process {} of {}: {} {}\n", view.process + 1, plan->groups.size(),
                         group.size() == 1 ? "dump" : "dumps", which);
    else if (group.size() > 1)
      out << st.yellow() << "note: " << st.reset() << Clean(plan->Summary()) << "\n";
  }

  if (view.verdict) WriteFindings(view, options, st, out);
  if (view.verdict && view.agreement && view.agreement->available) WriteAgreement(view, st, out);

  // --- buckets ---
  out << "\n";
  if (view.buckets.size() < view.buckets_total)
    out << fmt::format("Buckets (showing {} of {}, largest first):\n", view.buckets.size(),
                       view.buckets_total);
  else
    out << "Buckets (largest first):\n";

  for (const Bucket* b : view.buckets) {
    const Stack& stack = s.stacks()[b->stack];
    out << "\n" << st.bold() << fmt::format("{:>7}", b->count) << st.reset() << "  "
        << st.cyan() << "[" << StateText(s, b->state);
    std::string wait = WaitText(*b);
    if (!wait.empty()) out << ", " << wait;
    if (b->locked_to_thread) out << ", locked to thread";
    if (b->durable) out << (b->durable == b->count ? ", durable" : fmt::format(", {} durable", b->durable));
    if (!b->bubbles.empty()) {
      out << (b->bubbles.size() == 1 ? ", synctest bubble " : ", synctest bubbles ");
      for (size_t i = 0; i < b->bubbles.size() && i < 5; ++i) out << (i ? "," : "") << b->bubbles[i];
      if (b->bubbles.size() > 5) out << ",...";
    }
    out << "]" << st.reset();
    if (b->leaked) out << " " << st.red() << "(leaked)" << st.reset();
    out << "\n";

    int top = TopUserFrame(s, stack);
    if (stack.unavailable) {
      out << "         stack unavailable (running on another thread)\n";
    } else if (top >= 0) {
      const Frame& f = stack.frames[static_cast<size_t>(top)];
      out << "         at " << st.bold() << Location(s, f) << st.reset() << " "
          << Clean(s.str(f.function)) << "\n";
    }
    if (stack.has_creator) {
      out << "         created by " << Clean(s.str(stack.creator.function)) << " at "
          << Location(s, stack.creator);
      if (b->creator_ids.size() == 1) out << " in goroutine " << b->creator_ids[0];
      out << "\n";
    }
    out << "         " << st.dim() << "ids: " << IdList(b->ids, options.max_ids)
        << st.reset() << "\n";
    if (!b->labels.empty()) out << "         labels: " << LabelsText(s, *b) << "\n";

    size_t shown = std::min(stack.frames.size(), options.max_frames);
    for (size_t i = 0; i < shown; ++i) {
      const Frame& f = stack.frames[i];
      bool mark = static_cast<int>(i) == top;
      out << "           " << (mark ? st.bold() : st.dim()) << (mark ? "> " : "  ")
          << Clean(s.str(f.function)) << "  " << Location(s, f) << st.reset() << "\n";
    }
    size_t hidden = stack.frames.size() - shown;
    if (hidden > 0) out << "           " << st.dim() << fmt::format("  ... {} more", Plural(hidden, "frame")) << st.reset() << "\n";
    if (stack.cut)
      out << "           " << st.dim() << "  ...cut in the text: frames or locations left out" << st.reset() << "\n";
    if (stack.elided_unknown)
      out << "           " << st.dim() << "  ...additional frames elided by the runtime" << st.reset() << "\n";
    else if (stack.elided_frames)
      out << "           " << st.dim() << fmt::format("  ...{} elided by the runtime", Plural(stack.elided_frames, "frame")) << st.reset() << "\n";
  }
  if (view.buckets.empty()) out << "  (none matched)\n";
}

}  // namespace leakhound
