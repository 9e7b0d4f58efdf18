// Shared by the store's files (not part of its API): the connection and
// its caches, the statement and transaction wrappers, the SQL that more
// than one file runs, and small codecs. See store.h for the design.
#ifndef LEAKHOUND_STORE_INTERNAL_H_
#define LEAKHOUND_STORE_INTERNAL_H_

#include <sqlite3.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/store.h"

namespace leakhound {
namespace store_internal {

// Statements run by more than one file. `inline`: one address in every
// file, so the statement cache (keyed on it) prepares each once.
inline constexpr char kLastSnapshot[] =
    "SELECT time_ms FROM snapshots WHERE target_id = ?1 ORDER BY time_ms DESC LIMIT 1";
inline constexpr char kFindStack[] = "SELECT id FROM stacks WHERE signature = ?1";
inline constexpr char kTotalSeries[] =
    "SELECT time_ms, ok, total FROM snapshots WHERE target_id = ?1 AND time_ms >= ?2 "
    "ORDER BY time_ms";

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
inline constexpr HexTable kHex;

inline bool ParseSignature(const std::string& hex, uint64_t* out) {
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

inline std::string FormatSignature(int64_t stored) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(static_cast<uint64_t>(stored)));
  return buf;
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

}  // namespace store_internal

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
  std::unordered_map<int64_t, store_internal::TargetState> targets;

  bool opened = false;  // false: a refused file, which we must not write
  bool incremental_vacuum = false;  // auto_vacuum=INCREMENTAL: Retain() frees pages

  ~StoreImpl() {
    FinalizeAll();
    if (db != nullptr) {
      // Cheap, and keeps the planner's statistics fresh for the next run.
      if (opened) sqlite3_exec(db, "PRAGMA optimize", nullptr, nullptr, nullptr);
      sqlite3_close_v2(db);
    }
    // After SQLite's last use of the file: the lock goes with this fd.
    if (lock_fd >= 0) ::close(lock_fd);
  }

  void FinalizeAll() {
    for (auto& [sql, st] : stmts) sqlite3_finalize(st);
    stmts.clear();
  }

  bool Fail(const std::string& what) {
    error = what.empty() ? sqlite3_errmsg(db) : what;
    NoteFault();
    return false;
  }

  // The file cannot be written any more: no point in trying again, and
  // `leakhound watch` stops (keeping what was committed) instead of
  // analysing on with nothing kept. Busy, constraint and misuse errors
  // are not faults of the file.
  std::string fault;  // "PATH: message"; empty while the file is fine
  int lock_fd = -1;   // writer lock (flock) on the file, see schema.cc
  void NoteFault() {
    if (!fault.empty() || db == nullptr) return;
    switch (sqlite3_extended_errcode(db) & 0xff) {
      case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_READONLY: case SQLITE_CORRUPT:
      case SQLITE_NOTADB: case SQLITE_CANTOPEN: case SQLITE_PERM:
        fault = path + ": " + error;
        // "disk I/O error" alone does not say that the disk is full or
        // the file too large (RLIMIT_FSIZE): the system's word does.
        if (int e = sqlite3_system_errno(db); e != 0) fault += std::string(" (") + std::strerror(e) + ")";
        break;
      default:
        break;
    }
  }

  bool Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      error = msg != nullptr ? msg : sqlite3_errmsg(db);
      sqlite3_free(msg);
      NoteFault();
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

namespace store_internal {

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

}  // namespace store_internal
}  // namespace leakhound

#endif  // LEAKHOUND_STORE_INTERNAL_H_
