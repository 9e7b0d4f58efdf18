// The store file itself: the schema and its migrations, opening (and
// refusing what is not ours), closing, the integrity check.
#include "store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <cstring>
#include <fstream>

#include "store/internal.h"

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

// SQLite reads a file cut short (a copy that stopped, a full disk during
// a copy) as if the missing pages were never there, and fails only at
// the first query touching them; writing to it could bury what is left.
// The header tells the size the file had at its last commit, so compare.
// A hot WAL is left to SQLite: a checkpoint cut short legitimately
// leaves the file shorter than its new header until recovery redoes it.
std::string Truncated(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || st.st_size == 0) return "";
  struct stat wal;
  if (::stat((path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0) return "";
  std::ifstream in(path, std::ios::binary);
  unsigned char h[100] = {};
  in.read(reinterpret_cast<char*>(h), sizeof h);
  auto be32 = [&](int o) {
    return (uint32_t{h[o]} << 24) | (uint32_t{h[o + 1]} << 16) | (uint32_t{h[o + 2]} << 8) | h[o + 3];
  };
  uint64_t page = (uint32_t{h[16]} << 8) | h[17];
  if (page == 1) page = 65536;
  uint64_t pages = be32(28);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  bool header_size_valid = in.gcount() == 100 && pages > 0 && be32(24) == be32(92);
  if (page < 512 || (size % page == 0 && (!header_size_valid || size >= pages * page))) return "";
  return "database disk image is malformed (truncated: " + std::to_string(size) +
         " bytes, its header says " + std::to_string(pages) + " pages of " + std::to_string(page) +
         "); the file is left as it is";
}

// The pid holding a flock on the file, from /proc/locks ("1: FLOCK
// ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF"); 0 when it cannot be told.
long LockHolder(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return 0;
  std::ifstream in("/proc/locks");
  std::string line;
  while (std::getline(in, line)) {
    char kind[16];
    long pid = 0;
    unsigned maj = 0, min = 0;
    unsigned long long ino = 0;
    if (std::sscanf(line.c_str(), "%*s %15s %*s %*s %ld %x:%x:%llu", kind, &pid, &maj, &min, &ino) != 5)
      continue;
    if (std::strcmp(kind, "FLOCK") == 0 && ino == st.st_ino && maj == major(st.st_dev) &&
        min == minor(st.st_dev))
      return pid;
  }
  return 0;
}

// One writer per file. SQLite's own locks are per transaction: two
// watches on one file would interleave their snapshots and each trust
// caches the other invalidates. flock on a descriptor of our own: it is
// independent of SQLite's fcntl locks (closing other descriptors of the
// file does not drop it) and the kernel drops it when the process dies,
// so a killed watch leaves no stale lock.
std::string LockForWriting(const std::string& path, int* fd_out, StoreOpenFault* why) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    *why = StoreOpenFault::kUnusable;
    struct stat st;
    bool exists = ::stat(path.c_str(), &st) == 0;
    return std::string(exists ? "cannot open for writing: " : "cannot create: ") + std::strerror(e) +
           (exists ? "; the file is left as it is" : "");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    long pid = e == EWOULDBLOCK ? LockHolder(fd) : 0;
    ::close(fd);
    if (e != EWOULDBLOCK) {
      *why = StoreOpenFault::kUnusable;
      return std::string("cannot lock: ") + std::strerror(e);
    }
    *why = StoreOpenFault::kLocked;
    return "in use by another leakhound watch" +
           (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
           "; one watch writes a history file at a time";
  }
  *fd_out = fd;
  return "";
}

}  // namespace

int Store::LatestSchemaVersion() { return kLatestVersion; }

Store::Store(std::unique_ptr<StoreImpl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::Open(const std::string& path, std::string* error, bool writer,
                                   StoreOpenFault* fault) {
  StoreOpenFault why = StoreOpenFault::kNotOurs;
  auto fail = [&](const std::string& msg) {
    if (error != nullptr) *error = path + ": " + msg;
    if (fault != nullptr) *fault = why;
    return nullptr;
  };
  if (!LooksLikeSqlite(path)) return fail("not a leakhound store (not an SQLite database)");
  why = StoreOpenFault::kUnusable;
  if (std::string t = Truncated(path); !t.empty()) return fail(t);

  auto impl = std::make_unique<StoreImpl>();
  impl->path = path;
  if (writer) {
    std::string msg = LockForWriting(path, &impl->lock_fd, &why);
    if (!msg.empty()) return fail(msg);
  }
  int rc = sqlite3_open_v2(path.c_str(), &impl->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    return fail(impl->db != nullptr ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc));
  }
  // SQLite opens a file it may not write read-only, and would fail only
  // at the first write; say so now.
  if (writer && sqlite3_db_readonly(impl->db, "main") == 1) {
    return fail("read-only (the history must be writable); the file is left as it is");
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
  why = StoreOpenFault::kNotOurs;
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
  why = StoreOpenFault::kUnusable;
  // A new file keeps a map of its free pages so Retain() can hand them
  // back (it must be set before the first table exists).
  if (objects == 0 && !impl->Exec("PRAGMA auto_vacuum=INCREMENTAL")) return fail(impl->error);
  {
    int64_t mode = 0;
    if (!read_int("PRAGMA auto_vacuum", &mode)) return fail(impl->error);
    impl->incremental_vacuum = mode == 2;
  }
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

std::string Store::fault() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->fault;
}

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
