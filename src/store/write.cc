// Writing: targets, and each snapshot as a row plus the bucket and state
// runs whose counts it changed (see store.h for the run encoding).
#include "store/store.h"


#include "store/internal.h"

namespace leakhound {

using namespace store_internal;

namespace {

// Values are always bound, never spliced in: names, stacks and errors
// come from untrusted dumps and servers.
// Every statement the store runs, each a constant so the statement cache
// can key on its address. Values are always bound, never spliced in:
// names, stacks and errors come from untrusted dumps and servers.
const char kInsertSnapshot[] =
    "INSERT INTO snapshots(target_id, time_ms, ok, total, form_id, error) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
const char kLastOkSnapshot[] =
    "SELECT time_ms FROM snapshots WHERE target_id = ?1 AND ok = 1 "
    "ORDER BY time_ms DESC LIMIT 1";
const char kOpenBucketRuns[] =
    "SELECT stack_id, first_ms, count FROM bucket_runs "
    "WHERE target_id = ?1 AND last_ms IS NULL";
const char kOpenStateRuns[] =
    "SELECT state_id, first_ms, count FROM state_runs "
    "WHERE target_id = ?1 AND last_ms IS NULL";
const char kInsertBucketRun[] =
    "INSERT INTO bucket_runs(target_id, stack_id, first_ms, last_ms, count) "
    "VALUES(?1, ?2, ?3, NULL, ?4)";
const char kInsertStateRun[] =
    "INSERT INTO state_runs(target_id, state_id, first_ms, last_ms, count) "
    "VALUES(?1, ?2, ?3, NULL, ?4)";
const char kCloseBucketRun[] =
    "UPDATE bucket_runs SET last_ms = ?4 WHERE target_id = ?1 AND stack_id = ?2 AND first_ms = ?3";
const char kCloseStateRun[] =
    "UPDATE state_runs SET last_ms = ?4 WHERE target_id = ?1 AND state_id = ?2 AND first_ms = ?3";
const char kFindName[] = "SELECT id FROM names WHERE name = ?1";
const char kInsertName[] = "INSERT INTO names(name) VALUES(?1)";
const char kInsertStack[] =
    "INSERT INTO stacks(signature, state_id, top_function, top_file, top_line, creator, "
    "stack_text) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const char kUpsertTarget[] =
    "INSERT INTO targets(name, url, labels_json) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(name) DO UPDATE SET url = excluded.url, labels_json = excluded.labels_json "
    "RETURNING id";

int64_t NameId(StoreImpl* impl, const std::string& name) {
  auto it = impl->names.find(name);
  if (it != impl->names.end()) return it->second;
  int64_t id = 0;
  {
    Stmt q(impl, kFindName);
    q.Bind(1, name);
    if (q.Row()) id = q.Int(0);
    if (!q.ok()) return 0;
  }
  if (id == 0) {
    Stmt ins(impl, kInsertName);
    if (!ins.Bind(1, name).Run()) return 0;
    id = sqlite3_last_insert_rowid(impl->db);
  }
  impl->names.emplace(name, id);
  return id;
}

int64_t StackId(StoreImpl* impl, uint64_t signature, const StoredBucket& b) {
  auto it = impl->stacks.find(signature);
  if (it != impl->stacks.end()) return it->second;
  int64_t id = 0;
  {
    Stmt q(impl, kFindStack);
    q.Bind(1, signature);
    if (q.Row()) id = q.Int(0);
    if (!q.ok()) return 0;
  }
  if (id == 0) {
    int64_t state = NameId(impl, b.state);
    if (state == 0) return 0;
    Stmt ins(impl, kInsertStack);
    ins.Bind(1, signature).Bind(2, state).Bind(3, b.top_function).Bind(4, b.top_file);
    ins.Bind(5, b.top_line).Bind(6, b.creator).Bind(7, b.stack_text);
    if (!ins.Run()) return 0;
    id = sqlite3_last_insert_rowid(impl->db);
  }
  impl->stacks.emplace(signature, id);
  return id;
}

TargetState* LoadTarget(StoreImpl* impl, int64_t target_id) {
  auto it = impl->targets.find(target_id);
  if (it != impl->targets.end()) return &it->second;
  TargetState ts;
  {
    Stmt q(impl, kLastSnapshot);
    q.Bind(1, target_id);
    if (q.Row()) ts.last_ms = q.Int(0);
    if (!q.ok()) return nullptr;
  }
  {
    Stmt q(impl, kLastOkSnapshot);
    q.Bind(1, target_id);
    if (q.Row()) ts.last_ok_ms = q.Int(0);
    if (!q.ok()) return nullptr;
  }
  const std::pair<const char*, std::unordered_map<int64_t, OpenRun>*> open[] = {
      {kOpenBucketRuns, &ts.buckets}, {kOpenStateRuns, &ts.states}};
  for (const auto& [sql, map] : open) {
    Stmt q(impl, sql);
    q.Bind(1, target_id);
    while (q.Row()) (*map)[q.Int(0)] = OpenRun{q.Int(1), q.Int(2)};
    if (!q.ok()) return nullptr;
  }
  return &impl->targets.emplace(target_id, std::move(ts)).first->second;
}

// Brings the runs of one kind in line with the counts of the snapshot at
// `t`: unchanged counts cost nothing, a changed count closes its run at the
// previous ok snapshot and opens a new one, a vanished key closes its run.
bool UpdateRuns(StoreImpl* impl, int64_t target_id, int64_t t, int64_t prev_ok,
                const std::unordered_map<int64_t, int64_t>& current,
                std::unordered_map<int64_t, OpenRun>* open, const char* close_sql,
                const char* insert_sql) {
  auto insert = [&](int64_t key, int64_t count) {
    Stmt ins(impl, insert_sql);
    return ins.Bind(1, target_id).Bind(2, key).Bind(3, t).Bind(4, count).Run();
  };
  for (auto it = open->begin(); it != open->end();) {
    auto cur = current.find(it->first);
    if (cur != current.end() && cur->second == it->second.count) {
      ++it;
      continue;
    }
    Stmt close(impl, close_sql);
    close.Bind(1, target_id).Bind(2, it->first).Bind(3, it->second.first_ms).Bind(4, prev_ok);
    if (!close.Run()) return false;
    if (cur == current.end()) {
      it = open->erase(it);
      continue;
    }
    if (!insert(it->first, cur->second)) return false;
    it->second = OpenRun{t, cur->second};
    ++it;
  }
  for (const auto& [key, count] : current) {
    if (open->count(key) != 0) continue;
    if (!insert(key, count)) return false;
    (*open)[key] = OpenRun{t, count};
  }
  return true;
}

}  // namespace


int64_t Store::UpsertTarget(const std::string& name, const std::string& url,
                            const std::string& labels_json) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt q(impl_.get(), kUpsertTarget);
  q.Bind(1, name).Bind(2, url).Bind(3, labels_json);
  int64_t id = q.Row() ? q.Int(0) : 0;
  if (!q.Run()) return 0;  // RETURNING: step to the end so the write completes
  return id;
}

bool Store::AddSnapshot(const SnapshotRecord& s, std::string* error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StoreImpl* impl = impl_.get();
  auto fail = [&](const std::string& msg) {
    impl->error = msg;
    if (error != nullptr) *error = msg;
    return false;
  };
  std::vector<uint64_t> sigs(s.buckets.size());
  for (size_t i = 0; i < s.buckets.size(); ++i) {
    if (!ParseSignature(s.buckets[i].signature, &sigs[i])) {
      return fail("bad bucket signature '" + s.buckets[i].signature + "' (want 16 hex digits)");
    }
  }
  TargetState* ts = LoadTarget(impl, s.target_id);
  if (ts == nullptr) return fail(impl->error);
  if (s.time_ms <= ts->last_ms) {
    return fail("snapshot at " + std::to_string(s.time_ms) + " ms is not after the target's " +
                "latest (" + std::to_string(ts->last_ms) + " ms)");
  }

  Txn txn(impl);
  if (!txn.begun()) return fail(impl->error);
  int64_t form = s.form.empty() ? 0 : NameId(impl, s.form);
  if (!s.form.empty() && form == 0) return fail(impl->error);
  {
    Stmt ins(impl, kInsertSnapshot);
    ins.Bind(1, s.target_id).Bind(2, s.time_ms).Bind(3, s.ok).Bind(4, s.ok ? s.total : 0);
    if (form != 0) ins.Bind(5, form); else ins.BindNull(5);
    if (s.ok) ins.BindNull(6); else ins.Bind(6, s.error);
    if (!ins.Run()) return fail(impl->error);
  }
  // A gap leaves the runs open: the next ok snapshot with the same
  // counts extends them, and reads show the gap from the snapshot row.
  if (s.ok) {
    std::unordered_map<int64_t, int64_t> buckets, states;
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      if (s.buckets[i].count == 0) continue;
      int64_t id = StackId(impl, sigs[i], s.buckets[i]);
      if (id == 0) return fail(impl->error);
      buckets[id] += static_cast<int64_t>(s.buckets[i].count);
    }
    for (const StateCount& sc : s.by_state) {
      if (sc.count == 0) continue;
      int64_t id = NameId(impl, sc.state);
      if (id == 0) return fail(impl->error);
      states[id] += static_cast<int64_t>(sc.count);
    }
    if (!UpdateRuns(impl, s.target_id, s.time_ms, ts->last_ok_ms, buckets, &ts->buckets,
                    kCloseBucketRun, kInsertBucketRun) ||
        !UpdateRuns(impl, s.target_id, s.time_ms, ts->last_ok_ms, states, &ts->states,
                    kCloseStateRun, kInsertStateRun)) {
      return fail(impl->error);  // ~Txn rolls back and drops *ts
    }
    ts->last_ok_ms = s.time_ms;
  }
  ts->last_ms = s.time_ms;
  if (!txn.Commit()) return fail(impl->error);
  return true;
}

}  // namespace leakhound
