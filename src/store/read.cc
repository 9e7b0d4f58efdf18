// Reading for the dashboard and the API: targets, series of totals and
// of one bucket, a snapshot rebuilt from the runs that cover it.
#include "store/store.h"


#include "store/internal.h"

namespace leakhound {

using namespace store_internal;

namespace {

const char kTargets[] = "SELECT id, name, url, labels_json FROM targets ORDER BY id";
const char kStackRuns[] =
    "SELECT first_ms, last_ms, count FROM bucket_runs "
    "WHERE target_id = ?1 AND stack_id = ?2 AND (last_ms IS NULL OR last_ms >= ?3) "
    "ORDER BY first_ms";
const char kSnapshotAt[] =
    "SELECT s.ok, s.total, coalesce(n.name, ''), coalesce(s.error, '') FROM snapshots s "
    "LEFT JOIN names n ON n.id = s.form_id WHERE s.target_id = ?1 AND s.time_ms = ?2";
// Runs covering ?2: the open ones (partial index bucket_runs_open) and the
// closed ones ending at or after it (bucket_runs_closed).
const char kBucketsAt[] =
    "SELECT st.signature, n.name, st.top_function, st.top_file, st.top_line, st.creator, "
    "st.stack_text, r.count FROM ("
    " SELECT stack_id, count FROM bucket_runs"
    "  WHERE target_id = ?1 AND last_ms IS NULL AND first_ms <= ?2"
    " UNION ALL"
    " SELECT stack_id, count FROM bucket_runs"
    "  WHERE target_id = ?1 AND last_ms >= ?2 AND first_ms <= ?2) r "
    "JOIN stacks st ON st.id = r.stack_id JOIN names n ON n.id = st.state_id "
    "ORDER BY r.count DESC, st.signature";
const char kStatesAt[] =
    "SELECT n.name, r.count FROM ("
    " SELECT state_id, count FROM state_runs"
    "  WHERE target_id = ?1 AND last_ms IS NULL AND first_ms <= ?2"
    " UNION ALL"
    " SELECT state_id, count FROM state_runs"
    "  WHERE target_id = ?1 AND last_ms >= ?2 AND first_ms <= ?2) r "
    "JOIN names n ON n.id = r.state_id ORDER BY r.count DESC, n.name";

}  // namespace

std::vector<StoredTarget> Store::Targets() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<StoredTarget> out;
  Stmt q(impl_.get(), kTargets);
  while (q.Row()) out.push_back(StoredTarget{q.Int(0), q.Text(1), q.Text(2), q.Text(3)});
  return out;
}

std::vector<SeriesPoint> Store::TotalSeries(int64_t target_id, int64_t since_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<SeriesPoint> out;
  Stmt q(impl_.get(), kTotalSeries);
  q.Bind(1, target_id).Bind(2, since_ms);
  while (q.Row()) {
    bool ok = q.Int(1) != 0;
    out.push_back(SeriesPoint{q.Int(0), ok ? static_cast<uint64_t>(q.Int(2)) : 0, ok});
  }
  return out;
}

std::vector<SeriesPoint> Store::BucketSeries(int64_t target_id, const std::string& signature,
                                             int64_t since_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StoreImpl* impl = impl_.get();
  std::vector<SeriesPoint> out;
  uint64_t sig = 0;
  if (!ParseSignature(signature, &sig)) {
    impl->error = "bad bucket signature '" + signature + "'";
    return out;
  }
  // One read transaction, so runs and snapshots come from one state.
  if (!impl->Exec("BEGIN")) return out;
  int64_t stack = 0;
  {
    Stmt q(impl, kFindStack);
    q.Bind(1, sig);
    if (q.Row()) stack = q.Int(0);
  }
  struct Run {
    int64_t first, last, count;
  };
  std::vector<Run> runs;
  if (stack != 0) {
    Stmt q(impl, kStackRuns);
    q.Bind(1, target_id).Bind(2, stack).Bind(3, since_ms);
    while (q.Row()) runs.push_back(Run{q.Int(0), q.Null(1) ? INT64_MAX : q.Int(1), q.Int(2)});
  }
  {
    Stmt q(impl, kTotalSeries);
    q.Bind(1, target_id).Bind(2, since_ms);
    size_t r = 0;
    while (q.Row()) {
      SeriesPoint p{q.Int(0), 0, q.Int(1) != 0};
      while (r < runs.size() && runs[r].last < p.time_ms) ++r;
      if (p.ok && r < runs.size() && runs[r].first <= p.time_ms) {
        p.value = static_cast<uint64_t>(runs[r].count);
      }
      out.push_back(p);
    }
  }
  impl->Exec("COMMIT");
  return out;
}

std::optional<SnapshotRecord> Store::SnapshotAt(int64_t target_id, int64_t time_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StoreImpl* impl = impl_.get();
  if (!impl->Exec("BEGIN")) return std::nullopt;
  struct Commit {
    StoreImpl* impl;
    ~Commit() { impl->Exec("COMMIT"); }
  } commit{impl};
  SnapshotRecord s;
  s.target_id = target_id;
  s.time_ms = time_ms;
  {
    Stmt q(impl, kSnapshotAt);
    q.Bind(1, target_id).Bind(2, time_ms);
    if (!q.Row()) return std::nullopt;
    s.ok = q.Int(0) != 0;
    s.total = static_cast<uint64_t>(q.Int(1));
    s.form = q.Text(2);
    s.error = q.Text(3);
  }
  if (!s.ok) return s;
  {
    Stmt q(impl, kBucketsAt);
    q.Bind(1, target_id).Bind(2, time_ms);
    while (q.Row()) {
      StoredBucket b;
      b.signature = FormatSignature(q.Int(0));
      b.state = q.Text(1);
      b.top_function = q.Text(2);
      b.top_file = q.Text(3);
      b.top_line = static_cast<int>(q.Int(4));
      b.creator = q.Text(5);
      b.stack_text = q.Text(6);
      b.count = static_cast<uint64_t>(q.Int(7));
      s.buckets.push_back(std::move(b));
    }
    if (!q.ok()) return std::nullopt;
  }
  {
    Stmt q(impl, kStatesAt);
    q.Bind(1, target_id).Bind(2, time_ms);
    while (q.Row()) s.by_state.push_back(StateCount{q.Text(0), static_cast<uint64_t>(q.Int(1))});
    if (!q.ok()) return std::nullopt;
  }
  return s;
}

std::optional<SnapshotRecord> Store::LatestSnapshot(int64_t target_id) {
  int64_t t = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    Stmt q(impl_.get(), kLastSnapshot);
    q.Bind(1, target_id);
    if (!q.Row()) return std::nullopt;
    t = q.Int(0);
  }
  // A snapshot is never deleted while it is a target's newest unless it is
  // older than RetentionPolicy::max_ms, so the race here is harmless.
  return SnapshotAt(target_id, t);
}

}  // namespace leakhound
