#include "store/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sys/stat.h>
#include <unordered_map>
#include <unordered_set>

namespace leakhound {
namespace {

// PRAGMA application_id: "LKHD". Tells our files from other SQLite files,
// which Open() must refuse and leave alone.
constexpr int32_t kApplicationId = 0x4c4b4844;

// Migrations, in order; entry i takes the schema from version i to i+1.
// Never edit a released entry: append a new one.
//
// Times are Unix ms. Counts are stored as runs (see store.h); a run's
// first_ms and last_ms are always times of ok snapshots of its target,
// and last_ms is NULL while the run is open (it then lasts until the
// target's newest ok snapshot). Tables that hold one row per snapshot or
// per run are WITHOUT ROWID, clustered on the key every query uses, so
// they carry no second copy of it in an index.
const char* const kMigrations[] = {
    // 1: targets, snapshots, interned stacks, bucket and state runs.
    R"sql(
CREATE TABLE targets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  labels_json TEXT NOT NULL);
-- Goroutine states and dump forms: a few strings repeated millions of times.
CREATE TABLE names(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE);
-- One row per bucket identity, shared by every target. signature is the
-- 64-bit BucketSignature() (stored signed).
CREATE TABLE stacks(
  id INTEGER PRIMARY KEY,
  signature INTEGER NOT NULL UNIQUE,
  state_id INTEGER NOT NULL REFERENCES names(id),
  top_function TEXT NOT NULL,
  top_file TEXT NOT NULL,
  top_line INTEGER NOT NULL,
  creator TEXT NOT NULL,
  stack_text TEXT NOT NULL);
CREATE TABLE snapshots(
  target_id INTEGER NOT NULL REFERENCES targets(id),
  time_ms INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  total INTEGER NOT NULL,
  form_id INTEGER REFERENCES names(id),
  error TEXT,
  PRIMARY KEY(target_id, time_ms)) WITHOUT ROWID;
-- stack_id has no REFERENCES: enforcing it on a stack's deletion would
-- need an index on stack_id over every run; Retain() checks instead.
CREATE TABLE bucket_runs(
  target_id INTEGER NOT NULL REFERENCES targets(id),
  stack_id INTEGER NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER,
  count INTEGER NOT NULL,
  PRIMARY KEY(target_id, stack_id, first_ms)) WITHOUT ROWID;
CREATE INDEX bucket_runs_open ON bucket_runs(target_id) WHERE last_ms IS NULL;
CREATE INDEX bucket_runs_closed ON bucket_runs(target_id, last_ms) WHERE last_ms IS NOT NULL;
CREATE TABLE state_runs(
  target_id INTEGER NOT NULL REFERENCES targets(id),
  state_id INTEGER NOT NULL REFERENCES names(id),
  first_ms INTEGER NOT NULL,
  last_ms INTEGER,
  count INTEGER NOT NULL,
  PRIMARY KEY(target_id, state_id, first_ms)) WITHOUT ROWID;
CREATE INDEX state_runs_open ON state_runs(target_id) WHERE last_ms IS NULL;
CREATE INDEX state_runs_closed ON state_runs(target_id, last_ms) WHERE last_ms IS NOT NULL;
-- Retain()'s progress: snapshots before downsampled_until are thinned.
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL);
)sql",
    // 2: findings and their lifecycle. At most one open finding per
    // (target, fingerprint); a finding that comes back after it was
    // resolved is a new row, so history shows both episodes.
    R"sql(
CREATE TABLE findings(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  fingerprint TEXT NOT NULL,
  pattern TEXT NOT NULL,
  severity TEXT NOT NULL,
  confidence REAL NOT NULL,
  signature TEXT NOT NULL,
  function TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  creator_function TEXT NOT NULL,
  creator_file TEXT NOT NULL,
  creator_line INTEGER NOT NULL,
  count INTEGER NOT NULL,
  growth_per_hour REAL NOT NULL,
  reasons_json TEXT NOT NULL,
  stack_text TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  resolved_ms INTEGER,
  alerted INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX findings_open ON findings(target_id, fingerprint) WHERE resolved_ms IS NULL;
CREATE INDEX findings_resolved ON findings(resolved_ms) WHERE resolved_ms IS NOT NULL;
)sql",
    // 3: the state the goroutines wait in ("chan send"), which debug=2
    // tells and the dashboard shows next to the count.
    R"sql(
ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr int kLatestVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// Every statement the store runs, each a constant so the statement cache
// can key on its address. Values are always bound, never spliced in:
// names, stacks and errors come from untrusted dumps and servers.
const char kInsertSnapshot[] =
    "INSERT INTO snapshots(target_id, time_ms, ok, total, form_id, error) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
const char kLastSnapshot[] =
    "SELECT time_ms FROM snapshots WHERE target_id = ?1 ORDER BY time_ms DESC LIMIT 1";
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
const char kFindStack[] = "SELECT id FROM stacks WHERE signature = ?1";
const char kInsertStack[] =
    "INSERT INTO stacks(signature, state_id, top_function, top_file, top_line, creator, "
    "stack_text) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const char kUpsertTarget[] =
    "INSERT INTO targets(name, url, labels_json) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(name) DO UPDATE SET url = excluded.url, labels_json = excluded.labels_json "
    "RETURNING id";
const char kTargets[] = "SELECT id, name, url, labels_json FROM targets ORDER BY id";
const char kTotalSeries[] =
    "SELECT time_ms, ok, total FROM snapshots WHERE target_id = ?1 AND time_ms >= ?2 "
    "ORDER BY time_ms";
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

#define LH_FINDING_COLUMNS                                                                    \
  "id, target_id, fingerprint, pattern, severity, confidence, signature, function, file, "   \
  "line, creator_function, creator_file, creator_line, count, growth_per_hour, reasons_json, " \
  "stack_text, first_seen_ms, last_seen_ms, coalesce(resolved_ms, 0), alerted, state"
const char kOpenFindings[] =
    "SELECT id, fingerprint, severity FROM findings WHERE target_id = ?1 AND resolved_ms IS NULL";
const char kInsertFinding[] =
    "INSERT INTO findings(target_id, fingerprint, pattern, severity, confidence, signature, "
    "function, file, line, creator_function, creator_file, creator_line, count, "
    "growth_per_hour, reasons_json, stack_text, first_seen_ms, last_seen_ms, resolved_ms, "
    "alerted, state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
    "?16, ?17, ?17, NULL, 0, ?19)";
const char kUpdateFinding[] =
    "UPDATE findings SET pattern = ?3, severity = ?4, confidence = ?5, signature = ?6, "
    "function = ?7, file = ?8, line = ?9, creator_function = ?10, creator_file = ?11, "
    "creator_line = ?12, count = ?13, growth_per_hour = ?14, reasons_json = ?15, "
    "stack_text = ?16, last_seen_ms = ?17, alerted = CASE WHEN ?18 THEN 0 ELSE alerted END, "
    "state = ?19 "
    "WHERE id = ?1 AND target_id = ?2";
const char kResolveFinding[] = "UPDATE findings SET resolved_ms = ?2 WHERE id = ?1";
const char kFindingById[] = "SELECT " LH_FINDING_COLUMNS " FROM findings WHERE id = ?1";
const char kFindings[] =
    "SELECT " LH_FINDING_COLUMNS " FROM findings "
    "WHERE (?1 = 0 OR target_id = ?1) AND (?2 = 0 OR resolved_ms IS NULL) ORDER BY id DESC";
const char kMarkAlerted[] = "UPDATE findings SET alerted = 1 WHERE id = ?1";
#undef LH_FINDING_COLUMNS

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

int SeverityRank(const std::string& s) {
  if (s == "leak") return 2;
  if (s == "suspect") return 1;
  if (s == "info") return 0;
  return -1;
}

// Hex digit values, 16 for anything else. A table: called for every
// bucket of every snapshot, and branches on each character cost more.
struct HexTable {
  uint8_t v[256];
  constexpr HexTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 16;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) {
      v['a' + i] = static_cast<uint8_t>(10 + i);
      v['A' + i] = static_cast<uint8_t>(10 + i);
    }
  }
};
constexpr HexTable kHex;

bool ParseSignature(const std::string& hex, uint64_t* out) {
  if (hex.size() != 16) return false;
  uint64_t v = 0;
  uint8_t bad = 0;
  for (char c : hex) {
    uint8_t d = kHex.v[static_cast<unsigned char>(c)];
    bad |= d;
    v = (v << 4) | (d & 15);
  }
  if (bad & 16) return false;
  *out = v;
  return true;
}

std::string FormatSignature(int64_t stored) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(static_cast<uint64_t>(stored)));
  return buf;
}

// Floor division: step buckets of times before 1970 (tests) stay aligned.
int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

struct OpenRun {
  int64_t first_ms = 0;
  int64_t count = 0;
};

// What AddSnapshot needs to know about a target between calls, so that a
// snapshot whose counts did not change reads nothing and writes one row.
struct TargetState {
  int64_t last_ms = INT64_MIN;     // newest snapshot
  int64_t last_ok_ms = INT64_MIN;  // newest ok snapshot: where open runs end
  std::unordered_map<int64_t, OpenRun> buckets;  // stack id -> its open run
  std::unordered_map<int64_t, OpenRun> states;   // name id -> its open run
};

}  // namespace

struct StoreImpl {
  std::string path;
  sqlite3* db = nullptr;
  int version = 0;
  std::string error;  // of the last failed call
  std::mutex mu;
  std::unordered_map<const char*, sqlite3_stmt*> stmts;
  // Caches of rows that never change once written. Cleared whenever a
  // transaction rolls back (it may have inserted the rows they point to).
  std::unordered_map<std::string, int64_t> names;
  std::unordered_map<uint64_t, int64_t> stacks;  // signature -> id
  std::unordered_map<int64_t, TargetState> targets;

  bool opened = false;  // false: a refused file, which we must not write

  ~StoreImpl() {
    FinalizeAll();
    if (db != nullptr) {
      // Cheap, and keeps the planner's statistics fresh for the next run.
      if (opened) sqlite3_exec(db, "PRAGMA optimize", nullptr, nullptr, nullptr);
      sqlite3_close_v2(db);
    }
  }

  void FinalizeAll() {
    for (auto& [sql, st] : stmts) sqlite3_finalize(st);
    stmts.clear();
  }

  bool Fail(const std::string& what) {
    error = what.empty() ? sqlite3_errmsg(db) : what;
    return false;
  }

  bool Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      error = msg != nullptr ? msg : sqlite3_errmsg(db);
      sqlite3_free(msg);
      return false;
    }
    return true;
  }

  sqlite3_stmt* Prepare(const char* sql) {
    auto it = stmts.find(sql);
    if (it != stmts.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      Fail("");
      return nullptr;
    }
    stmts.emplace(sql, st);
    return st;
  }

  void ForgetCaches() {
    names.clear();
    stacks.clear();
    targets.clear();
  }
};

namespace {

// A cached statement in use: bind, step, read; reset when it goes out of
// scope so the next user finds it clean (and its read lock is released).
class Stmt {
 public:
  Stmt(StoreImpl* impl, const char* sql) : impl_(impl), st_(impl->Prepare(sql)) {}
  ~Stmt() {
    if (st_ != nullptr) sqlite3_reset(st_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, int64_t v) {
    if (st_ != nullptr) sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, uint64_t v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, bool v) { return Bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  Stmt& Bind(int i, double v) {
    if (st_ != nullptr) sqlite3_bind_double(st_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    if (st_ != nullptr)
      sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
  }
  Stmt& BindNull(int i) {
    if (st_ != nullptr) sqlite3_bind_null(st_, i);
    return *this;
  }

  // A next row? false at the end and on error (then ok() is false).
  bool Row() {
    if (st_ == nullptr) return false;
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) Failed();
    return false;
  }
  // Runs a statement to its end.
  bool Run() {
    while (Row()) {
    }
    return ok_;
  }
  bool ok() const { return ok_ && st_ != nullptr; }

  int64_t Int(int c) const { return sqlite3_column_int64(st_, c); }
  double Real(int c) const { return sqlite3_column_double(st_, c); }
  bool Null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  std::string Text(int c) const {
    const unsigned char* p = sqlite3_column_text(st_, c);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(st_, c)));
  }

 private:
  void Failed() {
    ok_ = false;
    impl_->Fail("");
  }
  StoreImpl* impl_;
  sqlite3_stmt* st_;
  bool ok_ = true;
};

// BEGIN IMMEDIATE (take the write lock now, not halfway through, where a
// second writer would make the upgrade fail) ... COMMIT; rolls back and
// forgets the caches unless committed.
class Txn {
 public:
  explicit Txn(StoreImpl* impl) : impl_(impl), begun_(impl->Exec("BEGIN IMMEDIATE")) {}
  ~Txn() {
    if (begun_ && !done_) {
      sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
      impl_->ForgetCaches();
    }
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  bool begun() const { return begun_; }
  bool Commit() {
    if (!impl_->Exec("COMMIT")) return false;
    done_ = true;
    return true;
  }

 private:
  StoreImpl* impl_;
  bool begun_;
  bool done_ = false;
};

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

StoredFinding ReadFinding(const Stmt& q) {
  StoredFinding f;
  f.id = q.Int(0);
  f.target_id = q.Int(1);
  f.fingerprint = q.Text(2);
  f.pattern = q.Text(3);
  f.severity = q.Text(4);
  f.confidence = q.Real(5);
  f.signature = q.Text(6);
  f.function = q.Text(7);
  f.file = q.Text(8);
  f.line = static_cast<int>(q.Int(9));
  f.creator_function = q.Text(10);
  f.creator_file = q.Text(11);
  f.creator_line = static_cast<int>(q.Int(12));
  f.count = static_cast<uint64_t>(q.Int(13));
  f.growth_per_hour = q.Real(14);
  f.reasons_json = q.Text(15);
  f.stack_text = q.Text(16);
  f.first_seen_ms = q.Int(17);
  f.last_seen_ms = q.Int(18);
  f.resolved_ms = q.Int(19);
  f.alerted = q.Int(20) != 0;
  f.state = q.Text(21);
  return f;
}

// Binds ?3..?16 and ?19 of kInsertFinding/kUpdateFinding (same order in both).
void BindFindingFields(Stmt* s, const FindingRecord& f) {
  s->Bind(3, f.pattern).Bind(4, f.severity).Bind(5, f.confidence).Bind(6, f.signature);
  s->Bind(7, f.function).Bind(8, f.file).Bind(9, f.line).Bind(10, f.creator_function);
  s->Bind(11, f.creator_file).Bind(12, f.creator_line).Bind(13, f.count);
  s->Bind(14, f.growth_per_hour).Bind(15, f.reasons_json).Bind(16, f.stack_text);
  s->Bind(19, f.state);
}

// The file's first bytes, to refuse a file that is not SQLite before
// SQLite touches it.
bool LooksLikeSqlite(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || st.st_size == 0) return true;  // we create it
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  return in.gcount() == 16 && std::memcmp(head, "SQLite format 3", 16) == 0;
}

}  // namespace

int Store::LatestSchemaVersion() { return kLatestVersion; }

Store::Store(std::unique_ptr<StoreImpl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::Open(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& msg) {
    if (error != nullptr) *error = path + ": " + msg;
    return nullptr;
  };
  if (!LooksLikeSqlite(path)) return fail("not a leakhound store (not an SQLite database)");

  auto impl = std::make_unique<StoreImpl>();
  impl->path = path;
  int rc = sqlite3_open_v2(path.c_str(), &impl->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    return fail(impl->db != nullptr ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(impl->db, 1);
  // Another process (leakhound serve) may hold the lock for a moment.
  sqlite3_busy_timeout(impl->db, 5000);

  // Only read until we know the file is ours: a foreign or newer file is
  // left exactly as it was.
  auto read_int = [&](const char* sql, int64_t* out) {
    Stmt q(impl.get(), sql);
    *out = q.Row() ? q.Int(0) : 0;
    return q.ok();
  };
  int64_t app_id = 0, version = 0, objects = 0;
  if (!read_int("PRAGMA application_id", &app_id) || !read_int("PRAGMA user_version", &version) ||
      !read_int("SELECT count(*) FROM sqlite_schema", &objects)) {
    return fail(impl->error);
  }
  if (app_id != kApplicationId && (app_id != 0 || version != 0 || objects != 0)) {
    return fail("not a leakhound store (an SQLite database of another program)");
  }
  if (version > kLatestVersion) {
    return fail("store schema version " + std::to_string(version) +
                " is newer than this leakhound (" + std::to_string(kLatestVersion) +
                "); upgrade leakhound");
  }
  // The statements above are cached; migrations change the schema.
  impl->FinalizeAll();

  // WAL: readers (the dashboard) never block the writer, and a commit is
  // one append. synchronous=NORMAL: a commit survives a process crash; an
  // OS crash may lose the last ones, never consistency.
  {
    Stmt q(impl.get(), "PRAGMA journal_mode=WAL");
    std::string mode = q.Row() ? q.Text(0) : "";
    if (!q.ok()) return fail(impl->error);
    if (mode != "wal") return fail("cannot use WAL journal mode (got '" + mode + "')");
  }
  impl->FinalizeAll();
  if (!impl->Exec("PRAGMA synchronous=NORMAL") || !impl->Exec("PRAGMA foreign_keys=ON")) {
    return fail(impl->error);
  }

  // Migrate under the write lock, re-reading the version inside it: two
  // processes opening a new file at once must not both create tables.
  {
    if (!impl->Exec("BEGIN IMMEDIATE")) return fail(impl->error);
    int64_t now = 0;
    bool ok = read_int("PRAGMA user_version", &now);
    for (int64_t v = now; ok && v < kLatestVersion; ++v) {
      ok = impl->Exec(kMigrations[v]);
      std::string set = "PRAGMA user_version=" + std::to_string(v + 1);  // an int, not data
      ok = ok && impl->Exec(set.c_str());
      if (ok && v == 0) {
        ok = impl->Exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
      }
    }
    impl->FinalizeAll();
    if (!ok || !impl->Exec("COMMIT")) {
      std::string msg = impl->error;
      sqlite3_exec(impl->db, "ROLLBACK", nullptr, nullptr, nullptr);
      return fail("migration failed: " + msg);
    }
  }
  impl->version = kLatestVersion;
  impl->opened = true;
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

int Store::schema_version() const { return impl_->version; }

std::string Store::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->error;
}

int64_t Store::UpsertTarget(const std::string& name, const std::string& url,
                            const std::string& labels_json) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt q(impl_.get(), kUpsertTarget);
  q.Bind(1, name).Bind(2, url).Bind(3, labels_json);
  int64_t id = q.Row() ? q.Int(0) : 0;
  if (!q.Run()) return 0;  // RETURNING: step to the end so the write completes
  return id;
}

std::vector<StoredTarget> Store::Targets() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<StoredTarget> out;
  Stmt q(impl_.get(), kTargets);
  while (q.Row()) out.push_back(StoredTarget{q.Int(0), q.Text(1), q.Text(2), q.Text(3)});
  return out;
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

std::vector<StoredFinding> Store::SyncFindings(int64_t target_id, int64_t time_ms,
                                               const std::vector<FindingRecord>& current) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StoreImpl* impl = impl_.get();
  std::vector<StoredFinding> out;
  Txn txn(impl);
  if (!txn.begun()) return out;
  struct Open {
    int64_t id;
    std::string severity;
    bool seen = false;
  };
  std::unordered_map<std::string, Open> open;
  {
    Stmt q(impl, kOpenFindings);
    q.Bind(1, target_id);
    while (q.Row()) open.emplace(q.Text(1), Open{q.Int(0), q.Text(2)});
    if (!q.ok()) return out;
  }
  std::vector<int64_t> alert;
  std::unordered_set<std::string> done;
  for (const FindingRecord& f : current) {
    if (!done.insert(f.fingerprint).second) continue;
    auto it = open.find(f.fingerprint);
    if (it != open.end()) {
      it->second.seen = true;
      bool rose = SeverityRank(f.severity) > SeverityRank(it->second.severity);
      Stmt up(impl, kUpdateFinding);
      up.Bind(1, it->second.id).Bind(2, target_id);
      BindFindingFields(&up, f);
      up.Bind(17, time_ms).Bind(18, rose);
      if (!up.Run()) return {};
      if (rose) alert.push_back(it->second.id);
    } else {
      Stmt ins(impl, kInsertFinding);
      ins.Bind(1, target_id).Bind(2, f.fingerprint);
      BindFindingFields(&ins, f);
      ins.Bind(17, time_ms);
      if (!ins.Run()) return {};
      alert.push_back(sqlite3_last_insert_rowid(impl->db));
    }
  }
  for (const auto& [fp, o] : open) {
    if (o.seen) continue;
    Stmt res(impl, kResolveFinding);
    if (!res.Bind(1, o.id).Bind(2, time_ms).Run()) return {};
  }
  for (int64_t id : alert) {
    Stmt q(impl, kFindingById);
    q.Bind(1, id);
    if (q.Row()) out.push_back(ReadFinding(q));
    if (!q.ok()) return {};
  }
  if (!txn.Commit()) return {};
  return out;
}

void Store::MarkAlerted(int64_t finding_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Stmt q(impl_.get(), kMarkAlerted);
  q.Bind(1, finding_id).Run();
}

std::vector<StoredFinding> Store::Findings(int64_t target_id, bool open_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<StoredFinding> out;
  Stmt q(impl_.get(), kFindings);
  q.Bind(1, target_id).Bind(2, open_only);
  while (q.Row()) out.push_back(ReadFinding(q));
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
  txn.Commit();
  return stats;
}

std::string Store::IntegrityCheck() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string out;
  Stmt q(impl_.get(), "PRAGMA integrity_check");
  while (q.Row()) {
    if (!out.empty()) out += "\n";
    out += q.Text(0);
  }
  if (!q.ok()) return impl_->error;
  return out;
}

}  // namespace leakhound
