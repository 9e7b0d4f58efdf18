// The dashboard document from one analysis; docs/dashboard-schema.md.
#include "base/words.h"
#include "report/dashboard_json.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "collect/http_fetch.h"  // IsUrl

namespace leakhound {

namespace {

using Json = nlohmann::json;

// Buckets in the document at most: all growing ones, then the largest.
// A million-goroutine dump can hold tens of thousands of distinct stacks;
// the page shows the top of the list anyway.
constexpr size_t kMaxBuckets = 200;
// Findings likewise, most severe first: each carries its pattern's texts
// (~2.5 kB), and a dump of 100k distinct stacks can hold 70k findings --
// a 180 MB page that no browser shows in reasonable time.
constexpr size_t kMaxFindings = 500;

double Round3(double v) { return std::round(v * 1000) / 1000; }

Json WaitJson(const Bucket& b) {
  if (b.min_wait < 0) return nullptr;
  return Json{{"min", b.min_wait}, {"max", b.max_wait}};
}

// function/file/line of stack frame `index`; empty when there is none.
void PutFrame(const Snapshot& s, const Stack& stack, int index, Json* j) {
  if (index < 0) {
    (*j)["function"] = "";
    (*j)["file"] = "";
    (*j)["line"] = 0;
    return;
  }
  const Frame& fr = stack.frames[static_cast<size_t>(index)];
  (*j)["function"] = std::string(s.str(fr.function));
  (*j)["file"] = std::string(s.str(fr.file));
  (*j)["line"] = fr.line;
}

// The stack view's input (docs/dashboard-schema.md, "flame"): every
// bucket of the view, not only the 200 in "buckets", so the picture adds
// up to every goroutine shown. Function names are interned; a stack is
// [count, state, severity, function..., root first] -- the `created by`
// function, then the frames outermost to innermost, so the page builds
// its tree by walking each array once.
template <typename SeverityOf>
Json FlameJson(const Snapshot& s, const std::vector<const Bucket*>& buckets, SeverityOf severity_of) {
  std::vector<int> function_index(s.strings().size(), -1);
  std::vector<int> state_index(s.strings().size(), -1);
  Json functions = Json::array();
  Json states = Json::array();
  auto intern = [](std::vector<int>* index, Json* names, Sym sym, std::string_view text) {
    int& at = (*index)[sym];
    if (at < 0) {
      at = static_cast<int>(names->size());
      names->push_back(std::string(text));
    }
    return at;
  };
  constexpr std::string_view kElided = "…frames elided";
  int elided = -1;
  Json stacks = Json::array();
  for (const Bucket* b : buckets) {
    const Stack& stack = s.stacks()[b->stack];
    Json row = Json::array({b->count, intern(&state_index, &states, b->state, OrUnknown(s.str(b->state))),
                            severity_of(b)});
    if (stack.has_creator)
      row.push_back(intern(&function_index, &functions, stack.creator.function, s.str(stack.creator.function)));
    if (stack.elided_unknown || stack.elided_frames > 0) {
      // Go cuts the outer end of a deep stack; mark where the cut is.
      if (elided < 0) elided = static_cast<int>(functions.size()), functions.push_back(std::string(kElided));
      row.push_back(elided);
    }
    for (auto f = stack.frames.rbegin(); f != stack.frames.rend(); ++f)
      row.push_back(intern(&function_index, &functions, f->function, s.str(f->function)));
    stacks.push_back(std::move(row));
  }
  return Json{{"functions", std::move(functions)}, {"states", std::move(states)}, {"stacks", std::move(stacks)}};
}

}  // namespace

// "func\n\tfile:line\n...created by func\n\tfile:line", as Go prints it
// without arguments and offsets.
std::string StackText(const Snapshot& s, const Stack& stack) {
  std::string out;
  for (const Frame& f : stack.frames) {
    if (!out.empty()) out += '\n';
    out += fmt::format("{}\n\t{}:{}", s.str(f.function), s.str(f.file), f.line);
  }
  if (stack.elided_unknown)
    out += "\n...additional frames elided...";
  else if (stack.elided_frames > 0)
    out += fmt::format("\n...{} frames elided...", stack.elided_frames);
  if (stack.unavailable) {
    // (Not `"" + std::string(...)`: GCC 12 -O3 sees a false -Wrestrict there.)
    if (!out.empty()) out += '\n';
    out += "stack unavailable";
  }
  if (stack.has_creator) {
    if (!out.empty()) out += '\n';
    out += fmt::format("created by {}\n\t{}:{}", s.str(stack.creator.function), s.str(stack.creator.file),
                       stack.creator.line);
  }
  return out;
}

Json DashboardFromAnalysis(const AnalyzeView& view, const std::vector<double>& times_sec) {
  const Snapshot& s = *view.snapshot;
  const Verdict* verdict = view.verdict;
  std::vector<const DumpSet*> sets = view.inputs;
  if (sets.empty() && view.input) sets.push_back(view.input);

  // The analysed series: every snapshot of every input, oldest first, as
  // the CLI builds it; a single snapshot when one was picked (--dump).
  std::vector<const Snapshot*> series;
  if (verdict && verdict->series_length > 1) {
    for (const DumpSet* set : sets)
      for (const Snapshot& snap : set->snapshots) series.push_back(&snap);
    if (series.size() != verdict->series_length || series.back() != &s) series.clear();
  }
  if (series.empty()) series.push_back(&s);

  // X values: capture times in ms when known for every snapshot, else
  // snapshot indexes.
  std::vector<double> xs;
  bool times = false;
  if (times_sec.size() == series.size()) {
    for (double t : times_sec) xs.push_back(std::round(t * 1000));
    times = true;
  } else {
    times = true;
    for (const Snapshot* snap : series) {
      if (snap->capture_time_unix_ns <= 0) times = false;
      xs.push_back(std::round(static_cast<double>(snap->capture_time_unix_ns) / 1e6));
    }
  }
  if (!times)
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(i);
  auto x_at = [&](size_t i) -> Json {
    if (times) return static_cast<int64_t>(xs[i]);
    return static_cast<int64_t>(i);
  };

  Json root;
  root["schema"] = "leakhound/dashboard/v1";
  root["leakhound_version"] = std::string(kLeakhoundVersion);
  root["generated_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  root["live"] = false;
  root["time_axis"] = times ? "ms" : "index";
  root["grouping"] = view.grouping == Grouping::kExact ? "exact" : "loose";

  std::string target_name = sets.empty() ? s.source : sets.back()->source;
  if (target_name.empty()) target_name = s.source.empty() ? "input" : s.source;
  Json input_names = Json::array();
  for (const DumpSet* set : sets) input_names.push_back(set->source);
  root["inputs"] = input_names;

  // --- the target ---
  Json target;
  target["name"] = target_name;
  target["url"] = IsUrl(target_name) ? target_name : "";
  target["up"] = true;
  target["last_error"] = "";
  target["last_poll_ms"] = times ? x_at(series.size() - 1) : Json(0);
  target["total"] = s.total_goroutines();
  {
    std::vector<uint64_t> counts(s.strings().size(), 0);
    for (const Goroutine& g : s.goroutines()) counts[g.state] += g.count;
    Json by_state = Json::object();
    for (Sym i = 0; i < counts.size(); ++i)
      if (counts[i] > 0) by_state[std::string(OrUnknown(s.str(i)))] = counts[i];
    target["by_state"] = by_state;
  }
  Json totals = Json::array();
  for (size_t i = 0; i < series.size(); ++i) totals.push_back(Json::array({x_at(i), series[i]->total_goroutines()}));
  target["totals"] = totals;
  target["form"] = s.form;
  target["kind"] = DumpKindName(s.kind);
  target["preamble"] = s.preamble;
  target["go_version"] = s.go_version.ToString();
  target["truncated"] = s.truncated;
  target["notes"] = s.notes;
  root["targets"] = Json::array({target});

  // Bucket index -> its finding (one per bucket).
  std::map<size_t, const Finding*> finding_of;
  if (verdict)
    for (const Finding& f : verdict->findings) finding_of.emplace(f.bucket, &f);
  auto bucket_index = [&](const Bucket* b) -> long {
    if (!verdict || verdict->buckets.empty()) return -1;
    const Bucket* first = verdict->buckets.data();
    if (b < first || b >= first + verdict->buckets.size()) return -1;
    return static_cast<long>(b - first);
  };
  auto growth_series = [&](const Finding* f, uint64_t count) {
    Json out = Json::array();
    if (f && f->growth && f->growth->counts.size() == series.size()) {
      for (size_t i = 0; i < series.size(); ++i) out.push_back(Json::array({x_at(i), f->growth->counts[i]}));
    } else {
      out.push_back(Json::array({x_at(series.size() - 1), count}));
    }
    return out;
  };
  auto signature = [&](const Bucket& b) { return fmt::format("{:016x}", BucketSignature(s, b, view.grouping)); };

  // --- buckets ---
  std::vector<const Bucket*> chosen;
  {
    std::vector<bool> keep(view.buckets.size(), false);
    size_t n = 0;
    for (size_t i = 0; i < view.buckets.size() && n < kMaxBuckets; ++i) {
      long bi = bucket_index(view.buckets[i]);
      auto it = bi >= 0 ? finding_of.find(static_cast<size_t>(bi)) : finding_of.end();
      if (it != finding_of.end() && it->second->growth && it->second->growth->growing) keep[i] = true, ++n;
    }
    for (size_t i = 0; i < view.buckets.size() && n < kMaxBuckets; ++i)
      if (!keep[i]) keep[i] = true, ++n;
    for (size_t i = 0; i < view.buckets.size(); ++i)
      if (keep[i]) chosen.push_back(view.buckets[i]);
  }
  Json buckets = Json::array();
  for (const Bucket* b : chosen) {
    const Stack& stack = s.stacks()[b->stack];
    long bi = bucket_index(b);
    const Finding* f = nullptr;
    if (bi >= 0) {
      auto it = finding_of.find(static_cast<size_t>(bi));
      if (it != finding_of.end()) f = it->second;
    }
    Json j;
    j["target"] = target_name;
    j["signature"] = signature(*b);
    j["state"] = std::string(OrUnknown(s.str(b->state)));
    j["count"] = b->count;
    PutFrame(s, stack, TopUserFrame(s, stack), &j);
    j["creator"] = stack.has_creator ? std::string(s.str(stack.creator.function)) : "";
    j["pattern"] = f ? f->pattern->id : "";
    j["severity"] = f ? SeverityName(f->severity) : "";
    j["growth_per_hour"] = f && f->growth && f->growth->per_hour >= 0 ? Json(Round3(f->growth->per_hour)) : Json(nullptr);
    j["growing"] = f && f->growth && f->growth->growing;
    j["wait_minutes"] = WaitJson(*b);
    j["series"] = growth_series(f, b->count);
    j["stack"] = StackText(s, stack);
    buckets.push_back(std::move(j));
  }
  root["buckets"] = buckets;
  root["buckets_total"] = view.buckets_total;
  root["buckets_omitted"] = view.buckets.size() - chosen.size();
  root["flame"] = FlameJson(s, view.buckets, [&](const Bucket* b) -> int {
    long bi = bucket_index(b);
    auto it = bi >= 0 ? finding_of.find(static_cast<size_t>(bi)) : finding_of.end();
    if (it == finding_of.end()) return 0;
    return it->second->severity == Severity::kLeak ? 2 : it->second->severity == Severity::kSuspect ? 1 : 0;
  });

  // --- findings ---
  Json findings = Json::array();
  size_t findings_omitted = 0;
  Json by_severity = Json::object();
  if (verdict) {
    // Counted before the cap, so the page's summary stays true.
    for (const Finding* f : view.findings) {
      if (f->baselined) continue;  // as the page's summary counts
      Json& n = by_severity[SeverityName(f->severity)];
      n = (n.is_number() ? n.get<size_t>() : 0) + 1;
    }
    // In the verdict's order (a consequence after its cause,
    // analyze/ranking.h); only a cut keeps the most severe first.
    std::vector<const Finding*> kept = view.findings;
    if (kept.size() > kMaxFindings) {
      std::stable_sort(kept.begin(), kept.end(),
                       [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
      findings_omitted = kept.size() - kMaxFindings;
      kept.resize(kMaxFindings);
    }
    for (const Finding* f : kept) {
      const Bucket& b = verdict->buckets[f->bucket];
      const Stack& stack = s.stacks()[b.stack];
      Json j;
      j["target"] = target_name;
      j["signature"] = signature(b);
      j["id"] = f->fingerprint.empty() ? std::string(f->pattern->id) + ":" + signature(b) : f->fingerprint;
      j["pattern"] = f->pattern->id;
      j["title"] = f->pattern->title;
      j["severity"] = SeverityName(f->severity);
      j["confidence"] = Round3(f->confidence);
      j["count"] = b.count;
      j["state"] = std::string(OrUnknown(s.str(b.state)));
      j["wait_minutes"] = WaitJson(b);
      PutFrame(s, stack, f->blocking_frame, &j);
      if (stack.has_creator) {
        j["creator_function"] = std::string(s.str(stack.creator.function));
        j["creator_file"] = std::string(s.str(stack.creator.file));
        j["creator_line"] = stack.creator.line;
      } else {
        j["creator_function"] = "";
        j["creator_file"] = "";
        j["creator_line"] = 0;
      }
      j["explanation"] = f->pattern->explanation;
      j["fix"] = f->pattern->fix;
      j["fix_snippet"] = f->pattern->fix_snippet;
      Json reasons = Json::array();
      for (const Reason& r : f->reasons) reasons.push_back(Json{{"text", r.text}, {"weight", Round3(r.weight)}});
      j["reasons"] = reasons;
      j["stack"] = StackText(s, stack);
      // First seen: the first snapshot of the series where the bucket had
      // goroutines (only a growth record knows; else the newest).
      size_t first = series.size() - 1;
      if (f->growth && f->growth->counts.size() == series.size())
        for (size_t i = 0; i < series.size(); ++i)
          if (f->growth->counts[i] > 0) {
            first = i;
            break;
          }
      j["first_seen_ms"] = times ? x_at(first) : Json(0);
      j["last_seen_ms"] = times ? x_at(series.size() - 1) : Json(0);
      j["first_seen_snapshot"] = first;
      j["status"] = "open";
      j["growing"] = f->growth && f->growth->growing;
      j["growth_per_hour"] =
          f->growth && f->growth->per_hour >= 0 ? Json(Round3(f->growth->per_hour)) : Json(nullptr);
      j["benign"] = f->benign ? Json(f->benign->reason) : Json(nullptr);
      j["baselined"] = f->baselined;
      // What the runtime proved, and the findings this one waits for
      // (analyze/ranking.h): only an analysis has them, not the store.
      j["proof"] = f->proof ? Json(f->proof->text) : Json(nullptr);
      // A wait-for cycle, step by step, for the page to draw as a graph.
      Json cycle = Json::array();
      if (f->proof)
        for (const WaitEdge& e : f->proof->cycle) {
          Json step{{"goroutine", e.waiter}, {"holder", e.holder}, {"lock", e.wanted.expr},
                    {"read", e.wanted.read}, {"file", e.wanted.file}, {"line", e.wanted.line},
                    {"queued_writer", !e.held}};
          if (e.wanted.lock.base) step["object"] = fmt::format("{:#x}", e.wanted.lock.base);
          if (e.held) {
            step["held_as"] = e.held->expr;
            step["held_file"] = e.held->file;
            step["held_line"] = e.held->line;
          }
          cycle.push_back(std::move(step));
        }
      j["proof_cycle"] = cycle;
      // nobody-left: the parked goroutines, for the page to list.
      Json component = Json::array();
      if (f->proof)
        for (const StuckWait& m : f->proof->component)
          component.push_back(Json{{"goroutine", m.goroutine}, {"state", m.state},
                                   {"file", m.file}, {"line", m.line}, {"op", m.op},
                                   {"objects", m.objects}});
      j["proof_component"] = component;
      Json waits_for = Json::array();
      for (size_t wb : f->waits_for) {
        const Bucket& w = verdict->buckets[wb];
        const Stack& ws = s.stacks()[w.stack];
        Json one{{"count", w.count}, {"state", std::string(OrUnknown(s.str(w.state)))}};
        PutFrame(s, ws, TopUserFrame(s, ws), &one);
        waits_for.push_back(std::move(one));
      }
      j["waits_for"] = waits_for;
      findings.push_back(std::move(j));
    }
  }
  root["findings"] = findings;
  root["findings_omitted"] = findings_omitted;
  root["findings_by_severity"] = by_severity;
  return root;
}

}  // namespace leakhound
