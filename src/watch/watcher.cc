#include "watch/watcher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analyze/buckets.h"
#include "base/clock.h"
#include "base/memory.h"
#include "report/dashboard_json.h"  // StackText

namespace leakhound {

namespace {

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Hex16(uint64_t v) { return fmt::format("{:016x}", v); }

// Where a finding points, for matching a debug=2 finding to a debug=1 one:
// the two forms group differently (states, creators), lines agree.
std::string LocationKey(std::string_view function, std::string_view file, int64_t line) {
  return fmt::format("{}|{}|{}", function, file, line);
}
std::string LocationKey(const Snapshot& s, const Frame& f) {
  return LocationKey(s.str(f.function), s.str(f.file), f.line);
}

constexpr int64_t kRetainEveryMs = 10 * 60 * 1000;
// How often free heap pages go back to the system (base/memory.h).
constexpr int64_t kTrimEveryMs = 30 * 1000;
constexpr size_t kMinSeriesForSuspects = 4;
constexpr int kResolveAfter = 3;  // polls without a finding before it is resolved
constexpr uint64_t kDetailTag = 1ull << 63;
// debug=2 answers are large (about 300 bytes per goroutine: 1 MB for a
// 3,000-goroutine service) and come all at once when one bug shows in
// every replica of a service: a fleet of 1,000 held 3 GB of them. At most
// this many are in flight; the others wait their turn.
constexpr size_t kMaxDetailsInFlight = 4;

}  // namespace

// What debug=2 added about one place in the code.
struct Detail {
  std::string state;
  int32_t max_wait = -1;
  double confidence = 0;
  std::string creator_function, creator_file;
  int creator_line = 0;
  std::string stack_text;
};

namespace {

// What debug=2 tells of a finding that debug=1 cannot: the wait reason,
// the go statement and the whole stack.
void TakeDetail(const Detail& d, FindingRecord* r) {
  r->state = d.state;
  r->creator_function = d.creator_function;
  r->creator_file = d.creator_file;
  r->creator_line = d.creator_line;
  r->stack_text = d.stack_text;
}

}  // namespace

struct Watcher::Target {
  uint64_t id = 0;  // key in targets_, tag of its polls
  TargetConfig config;
  long interval_ms = 0;
  int64_t target_id = 0;  // in the store
  int64_t next_due = 0;   // steady ms
  bool routine_in_flight = false, detail_in_flight = false;
  bool detail_queued = false;  // in detail_queue_, waiting for a free slot
  int64_t last_detail_ms = 0;  // steady ms; 0 never
  // The series: the newest poll whole, the ones before it (at most
  // window - 1, oldest first) as what the series analysis needs of them;
  // keeping all of them whole cost ~1 GB at 1,000 targets.
  std::unique_ptr<DumpSet> latest;
  std::deque<SnapshotSummary> older;
  std::deque<double> times;  // seconds, wall clock, one per poll in the series
  std::map<std::string, Detail> details;  // LocationKey -> what debug=2 said
  std::vector<OpenFinding> open;
  // Findings missing from the latest analysis, kept open for a few more
  // polls: a count near a threshold must not open and resolve a finding
  // (and alert) on every other poll. fingerprint -> (record, misses).
  std::map<std::string, std::pair<FindingRecord, int>> fading;
  TargetStatus status;
  FetchOptions fetch;
};

Watcher::Watcher(WatchOptions options, Store* store, AlertSink* alerts)
    : options_(std::move(options)), store_(store), alerts_(alerts) {
  int64_t now = SteadyMs();
  size_t n = options_.targets.size();
  for (size_t i = 0; i < n; ++i) {
    const TargetConfig& c = options_.targets[i];
    long interval = c.interval_ms > 0 ? c.interval_ms : options_.watch.interval_ms;
    // Spread the first polls over the first interval (capped at 1 s) so a
    // fleet is not hit in one burst.
    AddTarget(c, now + static_cast<int64_t>(std::min<long>(interval, 1000) * i / std::max<size_t>(n, 1)));
  }
  InitSources();
}

void Watcher::AddTarget(const TargetConfig& config, int64_t first_due_ms) {
  auto t = std::make_unique<Target>();
  t->id = next_target_id_++;
  t->config = config;
  t->interval_ms = t->config.interval_ms > 0 ? t->config.interval_ms : options_.watch.interval_ms;
  t->next_due = first_due_ms;
  t->status.name = t->config.name;
  t->status.url = t->config.url;
  t->fetch = options_.fetch;
  if (!t->config.bearer.empty()) t->fetch.bearer_token = t->config.bearer;
  if (!t->config.basic_auth.empty()) t->fetch.basic_auth = t->config.basic_auth;
  if (!t->config.ca_file.empty()) t->fetch.ca_file = t->config.ca_file;
  if (store_) {
    nlohmann::json labels(t->config.labels);
    t->target_id = store_->UpsertTarget(t->config.name, t->config.url, labels.dump());
  }
  uint64_t id = t->id;
  targets_.emplace(id, std::move(t));
}

void Watcher::ApplyTargets(const std::string& source, std::vector<TargetConfig> now) {
  std::lock_guard<std::mutex> lock(status_mu_);
  std::map<std::string, const TargetConfig*> wanted;
  for (const TargetConfig& c : now) wanted[c.name] = &c;
  size_t removed = 0, added = 0;
  std::set<std::string> names;
  for (auto it = targets_.begin(); it != targets_.end();) {
    Target& t = *it->second;
    auto w = wanted.find(t.config.name);
    if (t.config.source == source &&
        (w == wanted.end() || w->second->url != t.config.url)) {
      it = targets_.erase(it);  // an in-flight poll of it ends unheard
      ++removed;
      continue;
    }
    if (t.config.source == source && t.config.labels != w->second->labels) {
      t.config.labels = w->second->labels;
      if (store_) store_->UpsertTarget(t.config.name, t.config.url, nlohmann::json(t.config.labels).dump());
    }
    names.insert(t.config.name);
    ++it;
  }
  int64_t start = SteadyMs();
  size_t fresh = 0;
  for (const TargetConfig& c : now) fresh += names.count(c.name) == 0;
  for (const TargetConfig& c : now) {
    if (names.count(c.name)) continue;  // kept, or a listed target of that name
    long interval = c.interval_ms > 0 ? c.interval_ms : options_.watch.interval_ms;
    AddTarget(c, start + static_cast<int64_t>(std::min<long>(interval, 1000) * added / std::max<size_t>(fresh, 1)));
    names.insert(c.name);
    ++added;
  }
  if (added || removed)
    std::cerr << fmt::format("leakhound: {}: {} target(s) (+{} -{})\n", source, now.size(), added, removed);
}

Watcher::~Watcher() = default;

void Watcher::StartPoll(Target& t, bool detail, int64_t now_ms) {
  std::string url = ProfileUrl(t.config.url, options_.profile, detail ? "2" : options_.form);
  poller_.Start(t.id | (detail ? kDetailTag : 0), url, t.fetch);
  if (detail) {
    t.detail_in_flight = true;
    t.last_detail_ms = now_ms;
  } else {
    t.routine_in_flight = true;
  }
}

void Watcher::Step(int max_wait_ms) {
  int64_t now = SteadyMs();
  int64_t next = now + max_wait_ms;
  StepSources(now);
  for (auto& [id, tp] : targets_) {
    Target& t = *tp;
    if (!t.routine_in_flight && now >= t.next_due) {
      StartPoll(t, false, now);
      // A poll that took longer than the interval is not made up for
      // with a burst: the next one is an interval from now.
      t.next_due = std::max(t.next_due + t.interval_ms, now + t.interval_ms / 2);
    }
    next = std::min(next, t.next_due);
  }
  int wait = static_cast<int>(std::clamp<int64_t>(next - now, 0, max_wait_ms));
  for (PollDone& d : poller_.Run(wait)) HandleDone(std::move(d));

  if (now - last_trim_ms_ > kTrimEveryMs) {
    last_trim_ms_ = now;
    ReturnFreeMemory();
  }
  if (store_ && WallMs() - last_retain_ms_ > kRetainEveryMs) {
    last_retain_ms_ = WallMs();
    RetentionPolicy p;
    p.full_ms = options_.watch.retention_full_ms;
    p.step_ms = options_.watch.retention_step_ms;
    p.max_ms = options_.watch.retention_max_ms;
    store_->Retain(last_retain_ms_, p);
    if (store_fault_.empty()) store_fault_ = store_->fault();
  }
}

void Watcher::HandleDone(PollDone done) {
  if (done.tag & kSourceTag) return HandleSource(static_cast<size_t>(done.tag & ~kSourceTag), done.result);
  bool detail = (done.tag & kDetailTag) != 0;
  // Status() and OpenFindings() may be called from the dashboard's threads.
  std::lock_guard<std::mutex> lock(status_mu_);
  if (detail) --details_in_flight_;  // even for a target removed meanwhile
  auto found = targets_.find(done.tag & ~kDetailTag);
  if (found == targets_.end()) return StartQueuedDetails();  // removed by discovery meanwhile
  Target& t = *found->second;
  if (detail) {
    t.detail_in_flight = false;
    HandleDetail(t, done.result);
    StartQueuedDetails();
  } else {
    t.routine_in_flight = false;
    t.status.fetch_seconds += done.seconds;
    HandleRoutine(t, done.result, WallMs());
  }
}

void Watcher::RecordGap(Target& t, const std::string& error, int64_t wall_ms) {
  ++t.status.errors;
  // Logged when it goes down, not at every failed poll.
  if (t.status.up || !t.status.ever_polled)
    std::cerr << "leakhound: " << t.config.name << " down: " << error << "\n";
  t.status.up = false;
  t.status.ever_polled = true;
  t.status.last_error = error;
  if (store_) {
    SnapshotRecord rec;
    rec.target_id = t.target_id;
    rec.time_ms = wall_ms;
    rec.form = RoutineForm();
    rec.ok = false;
    rec.error = error;
    std::string err;
    if (!store_->AddSnapshot(rec, &err)) StoreFailed(err);
  }
}

void Watcher::HandleDetail(Target& t, FetchResult& result) {
  if (result.error != FetchError::kNone) return;  // the routine poll records gaps
  auto set = std::make_unique<DumpSet>();
  if (ReadDumpBytes(result.body, t.config.url, set.get()) || set->snapshots.empty()) return;
  ++t.status.detail_fetches;
  const Snapshot& snap = set->snapshots.back();
  Verdict v = AnalyzeSeries({&snap}, {}, options_.analyze);
  t.details.clear();
  for (const Finding& f : v.findings) {
    if (f.blocking_frame < 0) continue;
    const Bucket& b = v.buckets[f.bucket];
    const Stack& stack = snap.stacks()[b.stack];
    std::string key = LocationKey(snap, stack.frames[static_cast<size_t>(f.blocking_frame)]);
    Detail& d = t.details[key];
    if (f.confidence <= d.confidence) continue;
    d.state = std::string(snap.str(b.state));
    d.max_wait = b.max_wait;
    d.confidence = f.confidence;
    if (stack.has_creator) {
      d.creator_function = std::string(snap.str(stack.creator.function));
      d.creator_file = std::string(snap.str(stack.creator.file));
      d.creator_line = static_cast<int>(stack.creator.line);
    }
    d.stack_text = StackText(snap, stack);
  }
  // The routine poll that asked for this detail has already reported its
  // findings; without this they would miss the state and creator until the
  // next poll, and a watch that ends now would never show them.
  for (OpenFinding& o : t.open) {
    FindingRecord& r = o.record;
    auto d = t.details.find(LocationKey(r.function, r.file, r.line));
    if (d == t.details.end()) continue;
    TakeDetail(d->second, &r);
    o.state = r.state;
  }
}

// One routine poll's result: a gap, or a snapshot that is analysed with
// the target's series, kept, and whose findings are synced and alerted.
void Watcher::HandleRoutine(Target& t, FetchResult& result, int64_t wall_ms) {
  ++polls_;
  ++t.status.polls;
  if (!AppendSnapshot(t, result, wall_ms)) return;
  std::vector<const SnapshotSummary*> older;
  for (const SnapshotSummary& s : t.older) older.push_back(&s);
  std::vector<double> times(t.times.begin(), t.times.end());
  const Snapshot& snap = t.latest->snapshots.back();
  Verdict v = AnalyzeSeries(older, snap, times, options_.analyze);

  StoreSnapshot(t, v, snap, wall_ms);
  std::vector<FindingRecord> records = KeepFindings(t, v, snap, older.size() + 1);
  bool suspicious = !records.empty();
  AddFading(t, &records);
  SyncAndAlert(t, records, wall_ms);
  if (suspicious) MaybeAskDetail(t);
}

// Parses the response into the target's series (newest last, at most
// window long); false, with the gap recorded, when there is no snapshot.
bool Watcher::AppendSnapshot(Target& t, FetchResult& result, int64_t wall_ms) {
  if (result.error != FetchError::kNone) {
    RecordGap(t, result.message, wall_ms);
    return false;
  }
  auto set = std::make_unique<DumpSet>();
  if (ReadError e = ReadDumpBytes(result.body, t.config.url, set.get()); e || set->snapshots.empty()) {
    RecordGap(t, e ? e.message : t.config.url + ": no goroutine profile in the response", wall_ms);
    return false;
  }
  result.body.clear();
  result.body.shrink_to_fit();
  if (!t.status.up && t.status.ever_polled)
    std::cerr << "leakhound: " << t.config.name << " up again\n";
  t.status.up = true;
  t.status.ever_polled = true;
  t.status.last_error.clear();
  // One dump per response; keep only the last if a server sent more.
  if (set->snapshots.size() > 1) set->snapshots.erase(set->snapshots.begin(), set->snapshots.end() - 1);
  if (t.latest) t.older.push_back(SummarizeForSeries(t.latest->snapshots.back(), options_.analyze));
  t.latest = std::move(set);
  t.times.push_back(static_cast<double>(wall_ms) / 1000.0);
  size_t window = std::max<size_t>(options_.watch.window, 1);
  while (t.older.size() + 1 > window) t.older.pop_front();
  while (t.times.size() > t.older.size() + 1) t.times.pop_front();
  return true;
}

// The snapshot's totals into the status, and its top buckets into the store.
void Watcher::StoreSnapshot(Target& t, const Verdict& v, const Snapshot& snap, int64_t wall_ms) {
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_state;
  for (const Bucket& b : v.buckets) {
    total += b.count;
    by_state[std::string(snap.str(b.state))] += b.count;
  }
  t.status.total = total;
  if (!store_) return;
  SnapshotRecord rec;
  rec.target_id = t.target_id;
  rec.time_ms = wall_ms;
  rec.form = RoutineForm();
  rec.total = total;
  for (auto& [state, n] : by_state) rec.by_state.push_back({state, n});
  // Buckets come count-descending; the long tail of one-off stacks is
  // what makes a store big and says least.
  size_t keep = std::min(v.buckets.size(), options_.watch.store_buckets);
  for (size_t i = 0; i < keep; ++i) {
    const Bucket& b = v.buckets[i];
    const Stack& stack = snap.stacks()[b.stack];
    StoredBucket sb;
    sb.signature = Hex16(BucketSignature(snap, b, options_.analyze.grouping));
    sb.state = std::string(snap.str(b.state));
    int top = TopUserFrame(snap, stack);
    if (top >= 0) {
      const Frame& f = stack.frames[static_cast<size_t>(top)];
      sb.top_function = std::string(snap.str(f.function));
      sb.top_file = std::string(snap.str(f.file));
      sb.top_line = static_cast<int>(f.line);
    }
    if (stack.has_creator) sb.creator = std::string(snap.str(stack.creator.function));
    sb.stack_text = StackText(snap, stack);
    sb.count = b.count;
    rec.buckets.push_back(std::move(sb));
  }
  std::string err;
  if (!store_->AddSnapshot(rec, &err)) StoreFailed(err);
}

// Findings worth keeping, suspects and leaks, as records (with what the
// last debug=2 said of their place); they become the target's open ones.
std::vector<FindingRecord> Watcher::KeepFindings(Target& t, const Verdict& v, const Snapshot& snap,
                                                 size_t series_size) {
  std::vector<FindingRecord> records;
  std::vector<OpenFinding> open;
  for (const Finding& f : v.findings) {
    if (f.severity < Severity::kSuspect || f.benign) continue;
    // Until the series can show a trend (or its absence), a suspect is a
    // guess from one picture: pools and in-flight work look like it at
    // first. Leaks are kept from the first poll.
    if (f.severity == Severity::kSuspect && series_size < kMinSeriesForSuspects) continue;
    FindingRecord r = MakeRecord(t, f, v, snap);
    open.push_back({t.config.name, r, r.state, f.pattern->title});
    records.push_back(std::move(r));
  }
  t.open = std::move(open);
  return records;
}

FindingRecord Watcher::MakeRecord(const Target& t, const Finding& f, const Verdict& v,
                                  const Snapshot& snap) const {
  const Bucket& b = v.buckets[f.bucket];
  const Stack& stack = snap.stacks()[b.stack];
  FindingRecord r;
  r.fingerprint = f.fingerprint;
  r.pattern = f.pattern->id;
  r.severity = SeverityName(f.severity);
  r.confidence = f.confidence;
  r.signature = Hex16(BucketSignature(snap, b, options_.analyze.grouping));
  nlohmann::json reasons = nlohmann::json::array();
  for (const Reason& why : f.reasons)
    reasons.push_back({{"text", why.text}, {"weight", std::round(why.weight * 1000) / 1000}});
  std::string state(snap.str(b.state));
  if (f.blocking_frame >= 0) {
    const Frame& fr = stack.frames[static_cast<size_t>(f.blocking_frame)];
    r.function = std::string(snap.str(fr.function));
    r.file = std::string(snap.str(fr.file));
    r.line = static_cast<int>(fr.line);
    auto d = t.details.find(LocationKey(snap, fr));
    if (d != t.details.end()) {
      // debug=2 saw the same place: its wait reason, wait time and
      // creator line are what debug=1 cannot show.
      const Detail& det = d->second;
      TakeDetail(det, &r);
      state = det.state;
      std::string wait = det.max_wait >= 0 ? fmt::format(", waiting up to {} min", det.max_wait) : "";
      reasons.push_back({{"text", fmt::format("debug=2 shows them in \"{}\"{}", det.state, wait)},
                         {"weight", 0}});
      if (det.confidence > r.confidence) {
        r.confidence = det.confidence;
        Severity sev = r.confidence >= options_.analyze.thresholds.leak ? Severity::kLeak
                                                                        : Severity::kSuspect;
        r.severity = SeverityName(std::max(sev, f.severity));
      }
    }
  }
  if (r.stack_text.empty()) r.stack_text = StackText(snap, stack);
  if (r.creator_function.empty() && stack.has_creator) {
    r.creator_function = std::string(snap.str(stack.creator.function));
    r.creator_file = std::string(snap.str(stack.creator.file));
    r.creator_line = static_cast<int>(stack.creator.line);
  }
  r.count = b.count;
  r.growth_per_hour = f.growth && f.growth->per_hour > 0 ? f.growth->per_hour : 0;
  r.reasons_json = reasons.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.state = state;
  return r;
}

// Hysteresis: a finding resolves only after kResolveAfter polls without
// it; until then its last record is synced as if still seen.
void Watcher::AddFading(Target& t, std::vector<FindingRecord>* records) {
  std::set<std::string> now_seen;
  for (const FindingRecord& r : *records) now_seen.insert(r.fingerprint);
  for (auto it = t.fading.begin(); it != t.fading.end();) {
    if (now_seen.count(it->first) || ++it->second.second > kResolveAfter) {
      it = t.fading.erase(it);
    } else {
      records->push_back(it->second.first);
      ++it;
    }
  }
  for (const FindingRecord& r : *records)
    if (now_seen.count(r.fingerprint)) t.fading[r.fingerprint] = {r, 0};
}

// Opens, updates and resolves the target's findings in the store, and
// alerts on the ones newly opened or risen to the alert level.
void Watcher::SyncAndAlert(Target& t, const std::vector<FindingRecord>& records, int64_t wall_ms) {
  if (!store_) return;
  std::vector<StoredFinding> raised = store_->SyncFindings(t.target_id, wall_ms, records);
  if (!store_->fault().empty()) return StoreFailed(store_->last_error());
  for (StoredFinding& sf : raised) {
    Severity sev;
    Severity at = options_.watch.alert_at == "suspect" ? Severity::kSuspect : Severity::kLeak;
    if (!ParseSeverity(sf.severity, &sev) || sev < at || sf.alerted) continue;
    if (alerts_) {
      const Pattern* p = FindPattern(sf.pattern);
      Alert a;
      a.target = t.config.name;
      a.url = t.config.url;
      a.title = p ? p->title : sf.pattern;
      a.fix = p ? p->fix : "";
      a.time_ms = wall_ms;
      a.finding = sf;
      alerts_->Raise(std::move(a));
    }
    store_->MarkAlerted(sf.id);
  }
}

// Asks for the expensive form when something looks wrong and it has not
// been asked for lately.
void Watcher::MaybeAskDetail(Target& t) {
  int64_t now = SteadyMs();
  if (t.detail_in_flight || t.detail_queued ||
      (t.last_detail_ms != 0 && now - t.last_detail_ms < options_.watch.detail_gap_ms))
    return;
  if (details_in_flight_ < kMaxDetailsInFlight) {
    ++details_in_flight_;
    StartPoll(t, true, now);
  } else {
    t.detail_queued = true;
    detail_queue_.push_back(t.id);
  }
}

void Watcher::StartQueuedDetails() {
  while (details_in_flight_ < kMaxDetailsInFlight && !detail_queue_.empty()) {
    auto found = targets_.find(detail_queue_.front());
    detail_queue_.pop_front();
    if (found == targets_.end()) continue;  // removed while it waited
    Target& t = *found->second;
    t.detail_queued = false;
    if (t.detail_in_flight) continue;
    ++details_in_flight_;
    StartPoll(t, true, SteadyMs());
  }
}

// A store error: logged; when the file itself cannot be written any more
// (full, read-only, corrupt, I/O), remembered so that the loop stops
// rather than analysing on with nothing kept.
void Watcher::StoreFailed(const std::string& error) {
  if (!store_fault_.empty()) return;
  store_fault_ = store_->fault();
  if (store_fault_.empty()) std::cerr << "leakhound: store: " << error << "\n";
}

std::vector<TargetStatus> Watcher::Status() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  std::vector<TargetStatus> out;
  for (const auto& [id, t] : targets_) out.push_back(t->status);
  return out;
}

std::vector<Watcher::OpenFinding> Watcher::OpenFindings() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  std::vector<OpenFinding> out;
  for (const auto& [id, t] : targets_) out.insert(out.end(), t->open.begin(), t->open.end());
  return out;
}

}  // namespace leakhound
