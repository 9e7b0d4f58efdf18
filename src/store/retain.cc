// Retention: full detail for a while, then one snapshot per step, then
// nothing; the runs, stacks and findings nothing can read any more go too.
#include "store/store.h"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/internal.h"

namespace leakhound {

using namespace store_internal;

namespace {

const char kGetMeta[] = "SELECT value FROM meta WHERE key = ?1";
const char kSetMeta[] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)";
const char kTargetIds[] = "SELECT id FROM targets ORDER BY id";
const char kDeleteOldSnapshots[] =
    "DELETE FROM snapshots WHERE target_id = ?1 AND time_ms < ?2";
const char kDeleteOldBucketRuns[] =
    "DELETE FROM bucket_runs WHERE target_id = ?1 AND last_ms < ?2 RETURNING stack_id";
const char kDeleteOldStateRuns[] =
    "DELETE FROM state_runs WHERE target_id = ?1 AND last_ms < ?2";
const char kSnapshotsIn[] =
    "SELECT time_ms, ok FROM snapshots WHERE target_id = ?1 AND time_ms >= ?2 AND time_ms < ?3 "
    "ORDER BY time_ms";
const char kThinSnapshots[] =
    "DELETE FROM snapshots WHERE target_id = ?1 AND time_ms >= ?2 AND time_ms < ?3 "
    "AND time_ms <> ?4";
// Closed runs that ended in the thinned window and now cover no ok
// snapshot: nothing can read them any more.
const char kDeleteUncoveredBucketRuns[] =
    "DELETE FROM bucket_runs WHERE target_id = ?1 AND last_ms >= ?2 AND last_ms < ?3 "
    "AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.target_id = ?1 AND s.ok = 1 "
    "AND s.time_ms BETWEEN bucket_runs.first_ms AND bucket_runs.last_ms) RETURNING stack_id";
const char kDeleteUncoveredStateRuns[] =
    "DELETE FROM state_runs WHERE target_id = ?1 AND last_ms >= ?2 AND last_ms < ?3 "
    "AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.target_id = ?1 AND s.ok = 1 "
    "AND s.time_ms BETWEEN state_runs.first_ms AND state_runs.last_ms)";
const char kAnyOkSnapshot[] = "SELECT 1 FROM snapshots WHERE target_id = ?1 AND ok = 1 LIMIT 1";
const char kDeleteAllBucketRuns[] = "DELETE FROM bucket_runs WHERE target_id = ?1 RETURNING stack_id";
const char kDeleteAllStateRuns[] = "DELETE FROM state_runs WHERE target_id = ?1";
// (target_id IN targets) lets the primary key answer "is this stack used".
const char kStackUsed[] =
    "SELECT 1 FROM bucket_runs WHERE target_id IN (SELECT id FROM targets) AND stack_id = ?1 "
    "LIMIT 1";
const char kDeleteStack[] = "DELETE FROM stacks WHERE id = ?1";
const char kDeleteOldFindings[] = "DELETE FROM findings WHERE resolved_ms < ?1";

// Closed runs in the thinned window, per key, oldest first: neighbours
// with equal counts and no ok snapshot between them say the same thing
// as one run (the snapshots that told them apart were thinned away).
// Open runs are left alone: the writer holds their keys.
const char kClosedBucketRunsIn[] =
    "SELECT stack_id, first_ms, last_ms, count FROM bucket_runs WHERE target_id = ?1 "
    "AND last_ms IS NOT NULL AND last_ms >= ?2 AND first_ms < ?3 ORDER BY stack_id, first_ms";
const char kClosedStateRunsIn[] =
    "SELECT state_id, first_ms, last_ms, count FROM state_runs WHERE target_id = ?1 "
    "AND last_ms IS NOT NULL AND last_ms >= ?2 AND first_ms < ?3 ORDER BY state_id, first_ms";
const char kOkSnapshotBetween[] =
    "SELECT 1 FROM snapshots WHERE target_id = ?1 AND ok = 1 AND time_ms > ?2 AND time_ms < ?3 LIMIT 1";
const char kExtendBucketRun[] =
    "UPDATE bucket_runs SET last_ms = ?4 WHERE target_id = ?1 AND stack_id = ?2 AND first_ms = ?3";
const char kExtendStateRun[] =
    "UPDATE state_runs SET last_ms = ?4 WHERE target_id = ?1 AND state_id = ?2 AND first_ms = ?3";
const char kDeleteBucketRun[] =
    "DELETE FROM bucket_runs WHERE target_id = ?1 AND stack_id = ?2 AND first_ms = ?3";
const char kDeleteStateRun[] =
    "DELETE FROM state_runs WHERE target_id = ?1 AND state_id = ?2 AND first_ms = ?3";

struct Run {
  int64_t key, first, last, count;
};

// Merges equal neighbouring closed runs of one target in [lo, hi); adds
// the rows removed to *merged. False on an SQLite error.
bool MergeRuns(StoreImpl* impl, int64_t target, int64_t lo, int64_t hi, const char* select,
               const char* extend, const char* remove, uint64_t* merged) {
  std::vector<Run> runs;
  {
    Stmt q(impl, select);
    q.Bind(1, target).Bind(2, lo).Bind(3, hi);
    while (q.Row()) runs.push_back({q.Int(0), q.Int(1), q.Int(2), q.Int(3)});
    if (!q.ok()) return false;
  }
  for (size_t i = 0; i < runs.size();) {
    Run a = runs[i];
    size_t j = i + 1;
    for (; j < runs.size() && runs[j].key == a.key && runs[j].count == a.count; ++j) {
      Stmt between(impl, kOkSnapshotBetween);
      bool seen = between.Bind(1, target).Bind(2, a.last).Bind(3, runs[j].first).Row();
      if (!between.ok()) return false;
      if (seen) break;
      Stmt del(impl, remove);
      if (!del.Bind(1, target).Bind(2, a.key).Bind(3, runs[j].first).Run()) return false;
      a.last = runs[j].last;
      ++*merged;
    }
    if (a.last != runs[i].last) {
      Stmt up(impl, extend);
      if (!up.Bind(1, target).Bind(2, a.key).Bind(3, a.first).Bind(4, a.last).Run()) return false;
    }
    i = j;
  }
  return true;
}

// Floor division: step buckets of times before 1970 (tests) stay aligned.
int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

}  // namespace

RetentionStats Store::Retain(int64_t now_ms, const RetentionPolicy& p) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StoreImpl* impl = impl_.get();
  RetentionStats stats;
  const int64_t max_cut = now_ms - p.max_ms;
  int64_t hi = INT64_MIN;  // thin snapshots before this
  if (p.step_ms > 0 && p.full_ms < p.max_ms) hi = FloorTo(now_ms - p.full_ms, p.step_ms);
  int64_t lo = INT64_MIN;  // ... from here: earlier ones are thinned already
  {
    Stmt q(impl, kGetMeta);
    q.Bind(1, std::string("downsampled_until"));
    if (q.Row()) lo = q.Int(0);
  }
  lo = std::max(lo, FloorTo(max_cut, p.step_ms > 0 ? p.step_ms : 1));

  std::vector<int64_t> targets;
  {
    Stmt q(impl, kTargetIds);
    while (q.Row()) targets.push_back(q.Int(0));
  }
  std::unordered_set<int64_t> maybe_unused;  // stacks whose runs were deleted
  auto collect = [&](Stmt* del) {
    while (del->Row()) {
      maybe_unused.insert(del->Int(0));
      ++stats.rows_deleted;
    }
    return del->ok();
  };
  // One transaction per target: the write lock is held briefly, and a
  // crash part way leaves every target consistent (the watermark moves
  // last, so the next call redoes the rest).
  for (int64_t target : targets) {
    Txn txn(impl);
    if (!txn.begun()) return stats;
    RetentionStats t;
    bool ok = true;
    {
      Stmt del(impl, kDeleteOldSnapshots);
      ok = del.Bind(1, target).Bind(2, max_cut).Run();
      t.snapshots_deleted += static_cast<uint64_t>(sqlite3_changes(impl->db));
    }
    if (ok) {
      Stmt del(impl, kDeleteOldBucketRuns);
      ok = collect(&del.Bind(1, target).Bind(2, max_cut));
    }
    if (ok) {
      Stmt del(impl, kDeleteOldStateRuns);
      ok = del.Bind(1, target).Bind(2, max_cut).Run();
      stats.rows_deleted += static_cast<uint64_t>(sqlite3_changes(impl->db));
    }
    if (ok && hi > lo) {
      // Keep one snapshot per step: its first ok one, else its first gap
      // (a step with no ok snapshot stays visible as a gap).
      std::vector<std::pair<int64_t, int64_t>> keep;  // (step start, time kept)
      std::vector<size_t> rows;                       // snapshots per step
      {
        Stmt q(impl, kSnapshotsIn);
        q.Bind(1, target).Bind(2, lo).Bind(3, hi);
        std::vector<bool> kept_ok;
        while (q.Row()) {
          int64_t time = q.Int(0);
          bool is_ok = q.Int(1) != 0;
          int64_t step = FloorTo(time, p.step_ms);
          if (keep.empty() || keep.back().first != step) {
            keep.emplace_back(step, time);
            rows.push_back(0);
            kept_ok.push_back(is_ok);
          } else if (is_ok && !kept_ok.back()) {
            keep.back().second = time;
            kept_ok.back() = true;
          }
          ++rows.back();
        }
        ok = q.ok();
      }
      for (size_t i = 0; ok && i < keep.size(); ++i) {
        if (rows[i] < 2) continue;
        Stmt del(impl, kThinSnapshots);
        del.Bind(1, target).Bind(2, keep[i].first).Bind(3, keep[i].first + p.step_ms);
        ok = del.Bind(4, keep[i].second).Run();
        t.snapshots_deleted += static_cast<uint64_t>(sqlite3_changes(impl->db));
      }
      if (ok) {
        Stmt del(impl, kDeleteUncoveredBucketRuns);
        ok = collect(&del.Bind(1, target).Bind(2, lo).Bind(3, hi));
      }
      if (ok) {
        Stmt del(impl, kDeleteUncoveredStateRuns);
        ok = del.Bind(1, target).Bind(2, lo).Bind(3, hi).Run();
        stats.rows_deleted += static_cast<uint64_t>(sqlite3_changes(impl->db));
      }
      if (ok) ok = MergeRuns(impl, target, lo, hi, kClosedBucketRunsIn, kExtendBucketRun,
                             kDeleteBucketRun, &stats.runs_merged);
      if (ok) ok = MergeRuns(impl, target, lo, hi, kClosedStateRunsIn, kExtendStateRun,
                             kDeleteStateRun, &stats.runs_merged);
    }
    // A target not polled for max_ms: its open runs now cover nothing.
    if (ok && t.snapshots_deleted > 0) {
      bool any = false;
      {
        Stmt q(impl, kAnyOkSnapshot);
        any = q.Bind(1, target).Row();
        ok = q.ok();
      }
      if (ok && !any) {
        Stmt del(impl, kDeleteAllBucketRuns);
        ok = collect(&del.Bind(1, target));
        if (ok) {
          Stmt del2(impl, kDeleteAllStateRuns);
          ok = del2.Bind(1, target).Run();
          stats.rows_deleted += static_cast<uint64_t>(sqlite3_changes(impl->db));
        }
        impl->targets.erase(target);
      }
    }
    if (!ok || !txn.Commit()) return stats;
    stats.snapshots_deleted += t.snapshots_deleted;
  }

  Txn txn(impl);
  if (!txn.begun()) return stats;
  for (int64_t stack : maybe_unused) {
    Stmt q(impl, kStackUsed);
    bool used = q.Bind(1, stack).Row();
    if (!q.ok()) return stats;
    if (used) continue;
    Stmt del(impl, kDeleteStack);
    if (!del.Bind(1, stack).Run()) return stats;
    ++stats.rows_deleted;
  }
  if (!maybe_unused.empty()) impl->stacks.clear();  // ids may be gone
  {
    Stmt del(impl, kDeleteOldFindings);
    if (!del.Bind(1, max_cut).Run()) return stats;
    stats.rows_deleted += static_cast<uint64_t>(sqlite3_changes(impl->db));
  }
  if (hi > lo) {
    Stmt set(impl, kSetMeta);
    if (!set.Bind(1, std::string("downsampled_until")).Bind(2, hi).Run()) return stats;
  }
  if (!txn.Commit()) return stats;
  // Give the freed pages back to the file system (files made since
  // auto_vacuum=INCREMENTAL; older ones reuse them for new rows instead).
  if (impl->incremental_vacuum && (stats.rows_deleted > 0 || stats.snapshots_deleted > 0 || stats.runs_merged > 0))
    impl->Exec("PRAGMA incremental_vacuum");
  return stats;
}

}  // namespace leakhound
