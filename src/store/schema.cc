// Opening a store: refusing files that are not ours, WAL, migrations.
#include "store/store.h"

#include <sys/stat.h>

#include <cstring>
#include <fstream>

#include "store/store_internal.h"

namespace leakhound {

using namespace store_internal;

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
