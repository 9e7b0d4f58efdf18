#include "analyze/verdict.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <iterator>
#include <optional>
#include <span>
#include <unordered_map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "analyze/bubbles.h"
#include "analyze/ranking.h"
#include "analyze/test_context.h"
#include "base/hash.h"
#include "model/func_name.h"
#include "waitfor/dump_locks.h"
#include "waitfor/lock_evidence.h"
#include "waitfor/nobody_left.h"

namespace leakhound {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kLeak: return "leak";
    case Severity::kSuspect: return "suspect";
    case Severity::kInfo: return "info";
  }
  return "info";
}

bool ParseSeverity(std::string_view text, Severity* out) {
  if (text == "leak") *out = Severity::kLeak;
  else if (text == "suspect") *out = Severity::kSuspect;
  else if (text == "info") *out = Severity::kInfo;
  else return false;
  return true;
}

namespace {

bool IsRunning(std::string_view state) {
  return state == "running" || state == "runnable" || state.starts_with("running ") ||
         state == "syscall";
}

// The goroutine that wrote the dump is running in every snapshot a
// program takes of itself; it is not spinning.
bool IsDumpWriter(const BucketFacts& b) {
  return b.HasFunction("runtime.Stack") || b.HasFunction("runtime/pprof.writeGoroutineStacks") ||
         b.HasFunction("runtime/pprof.(*Profile).WriteTo") ||
         b.HasFunction("runtime/pprof.writeGoroutine") || b.HasFunction("runtime.goroutineProfileWithLabels");
}

// Whether a goroutine waits inside a loop (a worker or server taking the
// next piece of work) or waits once, as far as its source shows.
enum class WaitShape { kUnknown, kLoop, kOnce };

// A line with string and rune literals and the trailing comment removed,
// so that braces inside them do not count.
std::string CodeOf(std::string_view line) {
  std::string out;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\' && quote != '`') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (c == '"' || c == '\'' || c == '`') quote = c;
    else out.push_back(c);
  }
  return out;
}

bool OpensLoop(std::string_view code) {
  size_t b = code.find_first_not_of(" \t");
  if (b == std::string_view::npos) return false;
  code.remove_prefix(b);
  return code.starts_with("for ") || code.starts_with("for{") || code == "for";
}

// Is `line` of `file` inside a `for` of the function that holds it?
// Walks up through the enclosing blocks by brace depth until the `func`
// that opens the function. nullopt when the file cannot be read.
std::optional<bool> InLoop(SourceView& src, std::string_view file, uint32_t line) {
  if (line == 0 || src.Line(file, line).empty()) return std::nullopt;
  if (OpensLoop(CodeOf(src.Line(file, line)))) return true;  // for v := range ch {
  int unmatched = 0;  // '}' seen going up, not yet matched by a '{'
  for (uint32_t l = line - 1; l >= 1 && line - l <= 2000; --l) {
    std::string code = CodeOf(src.Line(file, l));
    for (size_t i = code.size(); i-- > 0;) {
      if (code[i] == '}') {
        ++unmatched;
      } else if (code[i] == '{') {
        if (unmatched > 0) {
          --unmatched;
          continue;
        }
        // This brace opens a block around `line`.
        if (OpensLoop(code)) return true;
        if (code.find("func") != std::string::npos) return false;  // the function's top
      }
    }
  }
  return false;
}

WaitShape ShapeOfWait(SourceView& src, const Snapshot& s, const Stack& st, int top_user) {
  if (top_user < 0) return WaitShape::kUnknown;
  bool read_any = false;
  for (size_t i = static_cast<size_t>(top_user); i < st.frames.size(); ++i) {
    const Frame& f = st.frames[i];
    if (ParseFuncName(s.str(f.function)).stdlib) continue;
    std::optional<bool> loop = InLoop(src, s.str(f.file), f.line);
    if (!loop) return WaitShape::kUnknown;  // a caller we cannot read may loop
    if (*loop) return WaitShape::kLoop;
    read_any = true;
  }
  return read_any ? WaitShape::kOnce : WaitShape::kUnknown;
}

struct Fit {
  double slope = 0, r2 = 0;
};

Fit LinearFit(const std::vector<double>& x, const std::vector<uint64_t>& y) {
  size_t n = x.size();
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += static_cast<double>(y[i]);
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    double dx = x[i] - mx, dy = static_cast<double>(y[i]) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  Fit f;
  if (sxx > 0) f.slope = sxy / sxx;
  if (sxx > 0 && syy > 0) f.r2 = (sxy * sxy) / (sxx * syy);
  else if (syy == 0) f.r2 = 1;  // perfectly flat
  return f;
}

std::string Fingerprint(const Pattern& p, const Snapshot& s, const Stack& st, int top) {
  uint64_t h = HashString(p.id);
  if (top >= 0) h = HashMix(h, HashString(s.str(st.frames[static_cast<size_t>(top)].function)));
  if (!st.frames.empty()) h = HashMix(h, HashString(s.str(st.frames[0].function)));
  if (st.has_creator) h = HashMix(h, HashString(s.str(st.creator.function)));
  return fmt::format("{:016x}", h);
}

bool Ignored(const IgnoreRule& r, const Pattern& p, const Snapshot& s, const Stack& st) {
  auto fn = [&](const Frame& f) { return s.str(f.function); };
  if (!r.pattern.empty() && r.pattern != p.id) return false;
  if (!r.top_function.empty() && (st.frames.empty() || fn(st.frames[0]) != r.top_function))
    return false;
  if (!r.creator.empty() && (!st.has_creator || fn(st.creator) != r.creator)) return false;
  if (!r.any_function.empty()) {
    bool any = std::any_of(st.frames.begin(), st.frames.end(),
                           [&](const Frame& f) { return fn(f) == r.any_function; });
    if (!any) return false;
  }
  if (r.regex) {
    bool any = std::any_of(st.frames.begin(), st.frames.end(),
                           [&](const Frame& f) { return RE2::PartialMatch(fn(f), *r.regex); });
    any = any || (st.has_creator && RE2::PartialMatch(fn(st.creator), *r.regex));
    if (!any) return false;
  }
  return true;
}

// What Finding::proof says for each kind of runtime proof.
const char kLeakedProofText[] =
    "marked (leaked) by the Go runtime's leak detector (goroutineleak profile): it is blocked "
    "on an object no runnable goroutine can reach, so nothing can ever wake it";
const char kAllAsleepProofText[] =
    "the process died with \"fatal error: all goroutines are asleep - deadlock!\": the Go "
    "runtime found no goroutine running and no timer or network event pending, so none of "
    "these can ever wake";

// Wait reasons the runtime gives only to waits nothing can end: an
// operation on a nil channel outside a select, and `select {}`.
constexpr const char* kNeverWakesProofText =
    "the Go runtime parked it with wait reason [{}]: an operation on a nil channel (outside a "
    "select) and a select with no cases block forever, by the language's definition, so "
    "nothing can ever wake it";
bool NeverWakes(std::string_view state) {
  return state == "chan receive (nil chan)" || state == "chan send (nil chan)" ||
         state == "select (no cases)";
}

// Started by the program's startup code (main.main, a package's init):
// once per process, not once per request.
bool StartedAtStartup(const Snapshot& s, const Stack& st) {
  if (!st.has_creator) return false;
  std::string_view fn = s.str(st.creator.function);
  bool init = fn.find(".init.") != std::string_view::npos ||
              (fn.size() > 5 && fn.substr(fn.size() - 5) == ".init");
  return fn == "main.main" || init;
}

Proof MakeProof(std::string marker, std::string text) {
  Proof p;
  p.marker = std::move(marker);
  p.text = std::move(text);
  return p;
}

// Folds the reasons into a confidence: noisy-or over evidence for, then
// a discount per piece of evidence against.
double Combine(const std::vector<Reason>& reasons) {
  double not_leak = 1;
  for (const Reason& r : reasons)
    if (r.weight > 0) not_leak *= 1 - std::min(r.weight, 0.999);
  double c = 1 - not_leak;
  for (const Reason& r : reasons)
    if (r.weight < 0) c *= 1 + std::max(r.weight, -0.999);
  return std::clamp(c, 0.0, 1.0);
}

}  // namespace

size_t SnapshotSummary::Bytes() const {
  size_t n = buckets.capacity() * sizeof(Entry) + ids.capacity() * sizeof(uint64_t) +
             running.capacity() * sizeof(running[0]);
  for (const auto& r : running) n += r.second.capacity();
  return n;
}

SnapshotSummary SummarizeForSeries(const Snapshot& s, const AnalyzeOptions& options) {
  SnapshotSummary p;
  std::vector<Bucket> buckets = MakeBuckets(s, options.grouping);
  p.buckets.reserve(buckets.size());
  for (const Bucket& b : buckets) {
    SnapshotSummary::Entry e;
    e.signature = BucketSignature(s, b, options.grouping);
    e.count = b.count;
    e.ids_begin = static_cast<uint32_t>(p.ids.size());
    p.ids.insert(p.ids.end(), b.ids.begin(), b.ids.end());
    e.ids_end = static_cast<uint32_t>(p.ids.size());
    p.buckets.push_back(e);
    if (!IsRunning(s.str(b.state))) continue;
    BucketFacts f;
    f.snapshot = &s;
    f.stack = &s.stacks()[b.stack];
    f.top_user = TopUserFrame(s, *f.stack);
    if (f.top_user < 0 || IsDumpWriter(f)) continue;
    std::string fn(f.Function(static_cast<size_t>(f.top_user)));
    if (ParseFuncName(fn).stdlib) continue;
    for (uint64_t id : b.ids) p.running.emplace_back(id, fn);
  }
  // A later bucket's entry wins for an id listed twice, as in a map.
  std::stable_sort(p.running.begin(), p.running.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  p.buckets.shrink_to_fit();
  p.ids.shrink_to_fit();
  p.running.shrink_to_fit();
  return p;
}

Verdict AnalyzeSeries(const std::vector<const Snapshot*>& series,
                      const std::vector<double>& times_sec, const AnalyzeOptions& options) {
  std::vector<SnapshotSummary> points;
  points.reserve(series.size() - 1);
  for (size_t k = 0; k + 1 < series.size(); ++k)
    points.push_back(SummarizeForSeries(*series[k], options));
  std::vector<const SnapshotSummary*> older;
  for (const SnapshotSummary& p : points) older.push_back(&p);
  return AnalyzeSeries(older, *series.back(), times_sec, options);
}

Verdict AnalyzeSeries(const std::vector<const SnapshotSummary*>& older, const Snapshot& current,
                      const std::vector<double>& times_sec, const AnalyzeOptions& options) {
  const Thresholds& th = options.thresholds;
  Verdict v;
  v.current = &current;
  v.series_length = older.size() + 1;
  const Snapshot& cur = current;
  // The address index of lock waits reads only the snapshot: on a large
  // dump it is built on a second thread while the buckets and the rest
  // are made here (joined before the first bucket is scored).
  std::future<DumpLockIndex> dump_locks_later;
  if (cur.goroutines().size() >= options.second_thread_from)
    dump_locks_later = std::async(std::launch::async, [&cur] { return DumpLockIndex(cur); });
  v.buckets = MakeBuckets(cur, options.grouping);

  // Counts per cross-snapshot key, per snapshot, and the ids seen there.
  size_t n = older.size() + 1;
  struct Track {
    std::vector<uint64_t> counts;
    std::vector<uint64_t> ids_everywhere;  // sorted; intersection so far
  };
  std::unordered_map<uint64_t, Track> tracks;
  const BenignMatcher& benign = DefaultBenignMatcher();
  // With the source, who holds the locks the blocked goroutines wait for.
  // and whose channels and WaitGroups nobody is left to touch.
  WaitForGraph wait_for;
  NobodyLeft nobody_left;
  if (options.source) {
    GoSources sources(options.source);
    wait_for = BuildWaitFor(cur, sources);
    nobody_left = FindNobodyLeft(cur, sources);
  }
  const LockEvidenceIndex locks(wait_for, cur);
  // The addresses alone, for when the source says nothing.
  const DumpLockIndex dump_locks =
      dump_locks_later.valid() ? dump_locks_later.get() : DumpLockIndex(cur);
  std::optional<BubbleDeadlock> bubble_deadlock = FindBubbleDeadlock(cur);

  auto facts_of = [&](const Snapshot& s, const Bucket& b) {
    BucketFacts f;
    f.snapshot = &s;
    f.stack = &s.stacks()[b.stack];
    f.state = s.str(b.state);
    f.count = b.count;
    f.max_wait = b.max_wait;
    f.http_deadline = b.http_deadline;
    f.leaked = b.leaked && !options.ignore_runtime_marks;
    f.top_user = TopUserFrame(s, *f.stack);
    if (&s == &cur && bubble_deadlock && bubble_deadlock->bubble >= 0 &&
        std::binary_search(b.bubbles.begin(), b.bubbles.end(), bubble_deadlock->bubble)) {
      f.bubble_deadlock = bubble_deadlock->message;
      f.deadlocked_bubble = bubble_deadlock->bubble;
    }
    return f;
  };

  // One bucket of snapshot k into its track. Bucket ids are sorted, so
  // survivors are a sorted intersection.
  auto add_to_track = [&](size_t k, uint64_t signature, uint64_t count, std::span<const uint64_t> ids) {
    Track& t = tracks[signature];
    if (t.counts.empty()) {
      t.counts.assign(n, 0);
      if (k == 0) t.ids_everywhere.assign(ids.begin(), ids.end());
    } else if (k > 0 && t.counts[k - 1] == 0) {
      t.ids_everywhere.clear();
    } else {
      std::vector<uint64_t> keep;
      std::set_intersection(t.ids_everywhere.begin(), t.ids_everywhere.end(), ids.begin(),
                            ids.end(), std::back_inserter(keep));
      t.ids_everywhere.swap(keep);
    }
    t.counts[k] += count;
  };
  // A single snapshot has no history to track.
  for (size_t k = 0; n > 1 && k + 1 < n; ++k) {
    const SnapshotSummary& p = *older[k];
    for (const SnapshotSummary::Entry& e : p.buckets)
      add_to_track(k, e.signature, e.count,
            std::span<const uint64_t>(p.ids.data() + e.ids_begin, e.ids_end - e.ids_begin));
  }
  if (n > 1)
    for (const Bucket& b : v.buckets)
      add_to_track(n - 1, BucketSignature(cur, b, options.grouping), b.count, b.ids);

  std::vector<double> xs(n);
  v.times_known = times_sec.size() == n && n > 1 && times_sec.back() > times_sec.front();
  for (size_t k = 0; k < n; ++k) xs[k] = v.times_known ? times_sec[k] : static_cast<double>(k);

  // "fatal error: all goroutines are asleep - deadlock!": the runtime's
  // checkdead found no goroutine running and no timer or poller that
  // could wake one, so every goroutine in the dump is stuck for good.
  bool deadlock = cur.kind == DumpKind::kFatalError &&
                  cur.preamble.find("all goroutines are asleep") != std::string::npos;
  // A dump a test binary wrote at its -timeout or after m.Run() returned
  // says which goroutines hung or outlived their tests.
  const TestContext tests = ReadTestContext(cur);
  GoroutinesById by_id;  // for the test of a bucket, built on demand
  auto test_of_bucket = [&](const Bucket& b) {
    if (by_id.empty())
      for (const Goroutine& g : cur.goroutines())
        Snapshot::ForEachId(g, [&](uint64_t id) { by_id.emplace(id, &g); });
    auto it = b.ids.empty() ? by_id.end() : by_id.find(b.ids.front());
    return it == by_id.end() ? std::string() : TestOfGoroutine(cur, by_id, *it->second);
  };

  // Creator id -> how many goroutines it started are at work (Go 1.21+
  // prints the creator's id), sorted by id, built on demand. Only working
  // goroutines enter: the few, not the million waiting.
  std::vector<std::pair<uint64_t, uint64_t>> working_children;
  bool working_known = false;
  auto still_working = [&](const Bucket& b) {
    if (!working_known) {
      std::vector<int8_t> works(cur.strings().size(), -1);  // per state Sym
      for (const Goroutine& g : cur.goroutines()) {
        if (!g.creator_id) continue;
        if (works[g.state] < 0) {
          std::string_view state = cur.str(g.state);
          works[g.state] = IsRunning(state) || state == "sleep" || state == "IO wait" ||
                           state == "syscall" || state == "preempted";
        }
        if (works[g.state]) working_children.push_back({g.creator_id, g.count ? g.count : 1});
      }
      std::sort(working_children.begin(), working_children.end());
      working_known = true;
    }
    uint64_t working = 0;
    if (working_children.empty()) return working;
    for (uint64_t id : b.ids) {
      auto it = std::lower_bound(working_children.begin(), working_children.end(),
                                 std::make_pair(id, uint64_t{0}));
      for (; it != working_children.end() && it->first == id; ++it) working += it->second;
    }
    return working;
  };

  for (size_t bi = 0; bi < v.buckets.size(); ++bi) {
    const Bucket& b = v.buckets[bi];
    BucketFacts facts = facts_of(cur, b);
    const Stack& st = *facts.stack;
    if (options.source && facts.top_user >= 0) {
      const Frame& f = st.frames[static_cast<size_t>(facts.top_user)];
      facts.source_line = options.source->Line(cur.str(f.file), f.line);
    }

    Finding finding;
    finding.bucket = bi;
    finding.blocking_frame = facts.top_user;
    std::vector<Reason>& why = finding.reasons;

    bool is_main = !deadlock && b.count == 1 && !b.ids.empty() && b.ids[0] == 1;
    // The runtime's proof outranks the table of expected goroutines.
    finding.benign = facts.leaked ? nullptr : benign.Match(facts, is_main);

    RuntimeMatch match;
    const Pattern* pattern = nullptr;
    for (const Pattern* p : AllPatterns()) {
      if (p->runtime && p->runtime(facts, &match)) {
        pattern = p;
        break;
      }
    }

    // Series: growth and survivors.
    if (n > 1) {
      const Track& track = tracks[BucketSignature(cur, b, options.grouping)];
      Growth g;
      g.counts = track.counts;
      Fit fit = LinearFit(xs, g.counts);
      g.r2 = fit.r2;
      g.slope = fit.slope;  // per x unit: seconds when times are known
      g.per_hour = v.times_known ? fit.slope * 3600.0 : -1;
      g.surviving_ids = track.ids_everywhere.size();
      uint64_t first = g.counts.front(), last = g.counts.back();
      bool rose = last >= first + th.min_growth && fit.slope > 0;
      g.growing = rose && (n == 2 || fit.r2 >= th.growth_r2);
      uint64_t spread = std::max<uint64_t>(1, first / 10);
      g.flat = n >= 3 && !rose &&
               *std::max_element(g.counts.begin(), g.counts.end()) -
                       *std::min_element(g.counts.begin(), g.counts.end()) <=
                   spread;
      finding.growth = g;
    }

    // Busy loop: a goroutine running at the same user frame every time.
    if (pattern == nullptr && n > 1 && IsRunning(facts.state) && facts.top_user >= 0 &&
        !IsDumpWriter(facts)) {
      std::string fn(facts.Function(static_cast<size_t>(facts.top_user)));
      uint64_t spinning = 0;
      for (uint64_t id : b.ids) {
        bool all = true;
        for (size_t k = 0; k + 1 < n && all; ++k) {
          const auto& run = older[k]->running;
          // upper_bound, then one back: the last entry for the id.
          auto it = std::upper_bound(run.begin(), run.end(), id,
                                     [](uint64_t x, const auto& r) { return x < r.first; });
          all = it != run.begin() && std::prev(it)->first == id && std::prev(it)->second == fn;
        }
        if (all) ++spinning;
      }
      if (spinning > 0) {
        pattern = FindPattern("busy-loop");
        // More snapshots agreeing make a coincidence less likely.
        match.base = n >= 3 ? 0.75 : 0.5;
        match.why = fmt::format("{} goroutine(s) running in {} in all {} snapshots", spinning,
                                fn, n);
      }
    }

    // A cycle of lock waits names its own pattern (a double lock, AB-BA,
    // a recursive read lock) and is proof whatever the tables say.
    LockEvidence lock_evidence = locks.empty() ? LockEvidence{} : locks.For(b.ids);
    const StuckComponent* stuck = nobody_left.For(b.ids, b.stack);
    if (stuck && !lock_evidence.cycle && !lock_evidence.behind) finding.benign = nullptr;
    if (lock_evidence.cycle || lock_evidence.behind) {
      if (lock_evidence.cycle)
        if (const Pattern* p = FindPattern(lock_evidence.cycle->pattern)) pattern = p;
      if (match.why.empty()) {
        match.why = "waiting for a lock in " + std::string(facts.state);
        match.base = 0.4;
      }
      finding.benign = nullptr;
    }

    if (pattern == nullptr) continue;  // waiting in a way no pattern explains
    finding.pattern = pattern;
    finding.fingerprint = Fingerprint(*pattern, cur, st, facts.top_user);

    if (finding.benign) {
      finding.severity = Severity::kInfo;
      finding.confidence = 0;
      why.push_back({std::string("expected: ") + finding.benign->reason, -1});
    } else {
      why.push_back({match.why, match.base});
      if (match.never_wakes) why.push_back({"nothing can ever wake it", 0.3});
      if (facts.leaked) {
        // runtime-leaked's own reason already says so.
        if (pattern->id != std::string_view("runtime-leaked"))
          why.push_back({"marked (leaked) by the Go runtime's leak detector", 0.95});
        finding.proof = MakeProof("(leaked)", kLeakedProofText);
        if (lock_evidence.cycle)  // the runtime proved it; the cycle says how
          why.push_back({"the lock waits form a cycle: " + lock_evidence.cycle->text, 0});
      } else if (!facts.bubble_deadlock.empty() && pattern->id == std::string_view("bubble-deadlock")) {
        finding.proof = MakeProof("bubble-deadlock", std::string(facts.bubble_deadlock));
        finding.proof->bubble = facts.deadlocked_bubble;
      } else if (lock_evidence.cycle) {
        // The report lists the steps; a hostile ring of thousands keeps 64.
        const std::vector<WaitEdge>& edges = lock_evidence.cycle->edges;
        finding.proof = MakeProof("wait-for-cycle", lock_evidence.cycle->text);
        finding.proof->by = "leakhound";
        finding.proof->cycle.assign(edges.begin(),
                                    edges.begin() + static_cast<long>(std::min<size_t>(edges.size(), 64)));
        size_t ring = lock_evidence.cycle->edges.size();
        why.push_back({fmt::format("in a wait-for cycle of {} goroutine(s), each waiting for a lock "
                                   "the next one holds (read from the frames' arguments and the "
                                   "source; the proof above)",
                                   ring),
                       0.95});
      } else if (lock_evidence.behind) {
        // A consequence of the cycle: proven too, ranked after it.
        finding.proof = MakeProof("wait-for-cycle", lock_evidence.behind_text);
        finding.proof->by = "leakhound";
        finding.proof->cycle = lock_evidence.chain;
        why.push_back({"waits for a lock that a goroutine in a wait-for cycle holds, or one "
                       "waiting behind it: it can never move (the proof above)",
                       0.9});
      } else if (deadlock && !IsRunning(facts.state)) {
        finding.proof = MakeProof("all-asleep", kAllAsleepProofText);
        why.push_back({"the process died of a deadlock: the Go runtime found every goroutine "
                       "asleep, so nothing can wake this one",
                       0.95});
      } else if (stuck) {
        finding.proof = MakeProof("nobody-left", stuck->text);
        finding.proof->by = "leakhound";
        finding.proof->component = stuck->members;
        why.push_back({fmt::format("nobody is left to wake it: the objects it waits on never leave "
                                   "the code of {}{}, and all {} goroutine(s) running that code are "
                                   "parked on them (the proof above)",
                                   stuck->scope, stuck->shared ? " and the code that shares them" : "",
                                   stuck->goroutines),
                       0.95});
      } else if (NeverWakes(facts.state)) {
        finding.proof = MakeProof("wait-reason", fmt::format(kNeverWakesProofText, facts.state));
        why.push_back({"its wait reason is one no event can end (the proof above)", 0.95});
      }
      if (!lock_evidence.cycle && !lock_evidence.behind && lock_evidence.reasons.empty())
        lock_evidence.reasons = dump_locks.For(b.ids, &finding.shape_with);
      for (auto& [text, weight] : lock_evidence.reasons) why.push_back({std::move(text), weight});
      bool test_evidence = false;
      if (tests.any() && !IsRunning(facts.state)) {
        std::optional<Reason> r =
            TestContextReason(tests, cur, b, facts, [&] { return test_of_bucket(b); });
        if (r) why.push_back(*r);
        test_evidence = r.has_value();
      }
      if (b.count >= 2) {
        auto count_weight = [&](uint64_t k) {
          if (k < 2) return 0.0;
          return std::min(0.55, 0.5 * std::log10(static_cast<double>(k)) /
                                    std::log10(static_cast<double>(std::max<uint64_t>(th.count_high, 2))));
        };
        // Many goroutines at one place are strong evidence because they
        // are repetitions: one leak per call. Goroutines that started one
        // another (a recursive chain, each waiting for the next) are one
        // structure; count the chains, not their links.
        uint64_t chains = b.count - b.started_by_member;  // the chains' roots
        if (chains < b.count)
          why.push_back({fmt::format("{} goroutines blocked at this one place, but each was "
                                     "started by another of them: {} chain(s), not {} separate "
                                     "leaks",
                                     b.count, chains, b.count),
                         count_weight(chains)});
        else
          why.push_back({fmt::format("{} goroutines blocked at this one place", b.count),
                         count_weight(b.count)});
      }
      if (b.max_wait >= th.wait_minutes)
        why.push_back({fmt::format("blocked for up to {} minutes", b.max_wait), 0.4});
      else if (b.max_wait >= 1)
        why.push_back({fmt::format("blocked for up to {} minute(s)", b.max_wait), 0.15});
      if (finding.growth) {
        const Growth& g = *finding.growth;
        std::string counts;
        for (uint64_t c : g.counts) counts += (counts.empty() ? "" : "→") + std::to_string(c);
        if (g.growing) {
          std::string rate = v.times_known ? fmt::format("{:+.0f}/hour", g.per_hour)
                                           : fmt::format("{:+.1f}/snapshot", g.slope);
          double e = n == 2 ? 0.35 : 0.3 + 0.5 * g.r2;
          why.push_back({fmt::format("growing across {} snapshots ({}, {}, R²={:.2f})", n,
                                     counts, rate, g.r2),
                         e});
        } else if (g.flat && !match.never_wakes && !finding.proof && pattern->id != std::string_view("busy-loop")) {
          why.push_back({fmt::format("flat across {} snapshots ({}): a stable pool, not growth",
                                     n, counts),
                         -0.5});
        } else if (n >= 4 && !match.never_wakes && !finding.proof && pattern->id != std::string_view("busy-loop")) {
          // In-flight work (requests waiting on a backend, fan-outs waiting
          // on their helpers) shows up in some snapshots and not others,
          // or rises and falls; leaked goroutines never leave. One drop to
          // zero says little (a restart, one odd sample), so it counts
          // neither way.
          size_t drops = 0;
          for (size_t k = 1; k < n; ++k) drops += g.counts[k - 1] > 0 && g.counts[k] == 0;
          size_t absent = static_cast<size_t>(std::count(g.counts.begin(), g.counts.end(), 0));
          if (drops >= 2 && g.surviving_ids == 0)
            why.push_back({fmt::format("absent from {} of {} snapshots ({}): these come and go",
                                       absent, n, counts),
                           -0.6});
          else if (drops == 0 && g.r2 < 0.5 && g.surviving_ids == 0)
            why.push_back({fmt::format("rises and falls across {} snapshots ({}) with no trend",
                                       n, counts),
                           -0.45});
        }
        if (g.surviving_ids > 0 && pattern->id != std::string_view("busy-loop"))
          why.push_back({fmt::format("{} goroutine id(s) blocked here in every snapshot",
                                     g.surviving_ids),
                         0.15});
      }
      if (options.lint) {
        finding.lint = LinkLint(*options.lint, cur, st, facts.top_user, pattern->id);
        if (!finding.lint.empty()) {
          const LintLink& best = finding.lint.front();
          const LintFinding& lf = best.lint->finding;
          bool at_line = best.match == "line";
          why.push_back({fmt::format("lint finding {} at {}:{} agrees{}", lf.rule, best.lint->rel,
                                     lf.line,
                                     at_line ? ""
                                             : fmt::format(" (same pattern in {}, which {} this "
                                                           "goroutine)",
                                                           lf.function,
                                                           best.match == "creator" ? "created"
                                                                                   : "runs through")),
                         at_line ? kLintLineWeight : kLintFunctionWeight});
        }
      }
      std::string_view id = pattern->id;
      bool pool_like = id == "chan-recv-blocked" || id == "range-unclosed" ||
                       id == "cond-wait" || (id == "select-forever" && !match.never_wakes);
      bool growing = finding.growth && finding.growth->growing;
      // A lint finding of this pattern at the blocking line has read the
      // code around the channel (made here, nobody closes it, the
      // receiver returns early...): the pool explanation is what it ruled out.
      bool lint_at_line = !finding.lint.empty() && finding.lint.front().match == "line";
      // Workers wait for work in a loop. When the source shows a single
      // wait instead (a goroutine started to receive one result), a small
      // count is no sign of a pool; without source, assume one.
      WaitShape shape = pool_like && options.source
                            ? ShapeOfWait(*options.source, cur, st, facts.top_user)
                            : WaitShape::kUnknown;
      if (shape == WaitShape::kOnce && id == "cond-wait" && !facts.leaked)
        // sync.Cond keeps no state: a Signal that came before the Wait is
        // lost, which is why Wait belongs in a loop re-checking the
        // condition (see the sync.Cond.Wait documentation).
        why.push_back({"sync.Cond.Wait not in a loop re-checking its condition: a Signal sent "
                       "before it began waiting is lost",
                       0.2});
      if (pool_like && b.count <= th.small_pool && b.max_wait < th.wait_minutes && !finding.proof &&
          !growing && !lint_at_line && !test_evidence) {
        if (shape == WaitShape::kLoop)
          why.push_back({fmt::format("only {} goroutine(s), waiting inside a loop: looks like "
                                     "workers waiting for work",
                                     b.count),
                         -0.5});
        else if (shape == WaitShape::kUnknown && b.count >= 2)
          // No source: several goroutines with one creator waiting at
          // one frame look like a pool; a single one is as likely a
          // one-shot wait (<-done, <-ctx.Done()) and gets no discount.
          why.push_back({fmt::format("only {} goroutines, started by one creator and waiting at "
                                     "one place: looks like workers waiting for work",
                                     b.count),
                         -0.5});
      } else if (pool_like && !finding.proof && !growing && !lint_at_line && !test_evidence &&
                 b.count <= th.startup_pool && StartedAtStartup(cur, st) &&
                 (shape == WaitShape::kLoop || (shape == WaitShape::kUnknown && b.count >= 2))) {
        // A leak repeats with the work that causes it; a pool that main
        // started once and that waits for work in a loop lives as long as
        // the program does, whatever its size.
        why.push_back({fmt::format("{} goroutine(s) started once by {}, waiting inside a loop: "
                                   "a pool that lives as long as the program",
                                   b.count, cur.str(st.creator.function)),
                       -0.5});
      }
      // wg.Wait() on helpers it started that are still at work (sleeping
      // on a backend, in the poller, running): a request in flight.
      if (id == "waitgroup-wait" && !finding.proof && !growing && !test_evidence) {
        if (uint64_t working = still_working(b))
          why.push_back({fmt::format("{} goroutine(s) it started are still at work (running, "
                                     "sleeping, in a syscall or the network poller): it waits "
                                     "for work in flight",
                                     working),
                         -0.5});
      }
      // An HTTP client call given a deadline (net/http.send's argument,
      // kHttpDeadline) ends by itself, whatever the select inside
      // the Transport waits on.
      if (b.count > 0 && b.http_deadline >= b.count && !finding.proof && !growing)
        why.push_back({"in an HTTP client call with a deadline (Client.Timeout is set): it ends "
                       "by itself",
                       -0.5});
      finding.confidence = Combine(why);
      finding.severity = finding.confidence >= th.leak      ? Severity::kLeak
                         : finding.confidence >= th.suspect ? Severity::kSuspect
                                                            : Severity::kInfo;
    }

    if (options.ignore) {
      bool drop = false;
      for (const IgnoreRule& r : *options.ignore) drop = drop || Ignored(r, *pattern, cur, st);
      if (drop) {
        ++v.ignored;
        continue;
      }
    }
    v.findings.push_back(std::move(finding));
  }

  RankFindings(&v);
  return v;
}

}  // namespace leakhound
