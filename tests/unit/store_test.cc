// The SQLite history: schema and migrations, refusal of foreign files,
// run-length bucket counts, gaps, findings lifecycle, retention, and
// crash safety under SIGKILL.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "serve/server.h"
#include "store/store.h"

namespace leakhound {
namespace {

std::string TempPath(const std::string& name) {
  std::string path =
      ::testing::TempDir() + "/lh_store_" + std::to_string(::getpid()) + "_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// A second, raw connection: what is really in the file.
int64_t Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

std::string QueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string v;
  if (sqlite3_step(st) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr),
            SQLITE_OK);
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "");
  sqlite3_free(msg);
  sqlite3_close(db);
}

std::string Sig(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

StoredBucket Bucket(uint64_t sig, const std::string& state, uint64_t count) {
  StoredBucket b;
  b.signature = Sig(sig);
  b.state = state;
  b.top_function = "main.f" + std::to_string(sig & 0xff);
  b.top_file = "/app/main.go";
  b.top_line = static_cast<int>(sig & 0xff) + 10;
  b.creator = "main.start";
  b.stack_text = b.top_function + "\n\t/app/main.go:" + std::to_string(b.top_line) + "\n";
  b.count = count;
  return b;
}

SnapshotRecord Snap(int64_t target, int64_t time_ms, std::vector<StoredBucket> buckets) {
  SnapshotRecord s;
  s.target_id = target;
  s.time_ms = time_ms;
  s.form = "debug2";
  std::map<std::string, uint64_t> states;
  for (const StoredBucket& b : buckets) {
    s.total += b.count;
    states[b.state] += b.count;
  }
  for (const auto& [state, n] : states) s.by_state.push_back(StateCount{state, n});
  s.buckets = std::move(buckets);
  return s;
}

SnapshotRecord Gap(int64_t target, int64_t time_ms) {
  SnapshotRecord s;
  s.target_id = target;
  s.time_ms = time_ms;
  s.form = "debug2";
  s.ok = false;
  s.error = "connect: connection refused";
  return s;
}

std::unique_ptr<Store> MustOpen(const std::string& path) {
  std::string error;
  auto store = Store::Open(path, &error);
  EXPECT_NE(store, nullptr) << error;
  return store;
}

constexpr uint64_t kHigh = 0xfedcba9876543210ULL;  // stored as a negative int64

TEST(Store, CreatesAndReopens) {
  std::string path = TempPath("create");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), Store::LatestSchemaVersion());
    EXPECT_EQ(store->IntegrityCheck(), "ok");
    int64_t a = store->UpsertTarget("api", "http://a:6060", "{\"env\":\"prod\"}");
    int64_t b = store->UpsertTarget("db", "http://b:6060", "{}");
    EXPECT_GT(a, 0);
    EXPECT_NE(a, b);
    EXPECT_EQ(store->UpsertTarget("api", "http://a2:6060", "{}"), a);  // updated in place
  }
  EXPECT_FALSE(Exists(path + "-wal"));  // closed cleanly: WAL checkpointed away
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  auto targets = store->Targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].name, "api");
  EXPECT_EQ(targets[0].url, "http://a2:6060");
  EXPECT_EQ(targets[1].labels_json, "{}");
  EXPECT_EQ(Query(path, "PRAGMA user_version"), Store::LatestSchemaVersion());
}

TEST(Store, RefusesFileThatIsNotADatabaseAndLeavesItAlone) {
  for (std::string content : {std::string("not a database, just some text that is long enough\n"),
                              std::string("short")}) {
    std::string path = TempPath("notadb");
    { std::ofstream(path, std::ios::binary) << content; }
    std::string error;
    EXPECT_EQ(Store::Open(path, &error), nullptr);
    EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
    EXPECT_NE(error.find("not a leakhound store"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos);
    EXPECT_EQ(ReadBytes(path), content);
    EXPECT_FALSE(Exists(path + "-wal"));
    EXPECT_FALSE(Exists(path + "-journal"));
  }
}

TEST(Store, RefusesAnotherProgramsDatabase) {
  std::string path = TempPath("foreign");
  Exec(path, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts "
             "VALUES(1, 'x');");
  std::string before = ReadBytes(path);
  std::string error;
  EXPECT_EQ(Store::Open(path, &error), nullptr);
  EXPECT_NE(error.find("another program"), std::string::npos) << error;
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_FALSE(Exists(path + "-wal"));
}

TEST(Store, RefusesCorruptFile) {
  std::string path = TempPath("corrupt");
  { MustOpen(path); }
  std::string bytes = ReadBytes(path);
  ASSERT_GT(bytes.size(), 200u);
  for (size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5);  // header kept
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
  std::string error;
  EXPECT_EQ(Store::Open(path, &error), nullptr);
  EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
  EXPECT_EQ(ReadBytes(path), bytes);
}

TEST(Store, RefusesNewerSchemaAndLeavesItAlone) {
  std::string path = TempPath("newer");
  { MustOpen(path); }
  Exec(path, "PRAGMA user_version = " + std::to_string(Store::LatestSchemaVersion() + 1));
  std::string before = ReadBytes(path);
  std::string error;
  EXPECT_EQ(Store::Open(path, &error), nullptr);
  EXPECT_NE(error.find("newer than this leakhound"), std::string::npos) << error;
  EXPECT_EQ(ReadBytes(path), before);
}

// The file a version-1 leakhound wrote (before findings were stored):
// written here by hand, as that binary would have.
TEST(Store, MigratesVersion1) {
  std::string path = TempPath("v1");
  Exec(path, R"sql(
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TABLE targets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  labels_json TEXT NOT NULL);
CREATE TABLE names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE stacks(id INTEGER PRIMARY KEY, signature INTEGER NOT NULL UNIQUE,
  state_id INTEGER NOT NULL REFERENCES names(id), top_function TEXT NOT NULL,
  top_file TEXT NOT NULL, top_line INTEGER NOT NULL, creator TEXT NOT NULL,
  stack_text TEXT NOT NULL);
CREATE TABLE snapshots(target_id INTEGER NOT NULL REFERENCES targets(id),
  time_ms INTEGER NOT NULL, ok INTEGER NOT NULL, total INTEGER NOT NULL,
  form_id INTEGER REFERENCES names(id), error TEXT,
  PRIMARY KEY(target_id, time_ms)) WITHOUT ROWID;
CREATE TABLE bucket_runs(target_id INTEGER NOT NULL REFERENCES targets(id),
  stack_id INTEGER NOT NULL, first_ms INTEGER NOT NULL, last_ms INTEGER,
  count INTEGER NOT NULL, PRIMARY KEY(target_id, stack_id, first_ms)) WITHOUT ROWID;
CREATE INDEX bucket_runs_open ON bucket_runs(target_id) WHERE last_ms IS NULL;
CREATE INDEX bucket_runs_closed ON bucket_runs(target_id, last_ms) WHERE last_ms IS NOT NULL;
CREATE TABLE state_runs(target_id INTEGER NOT NULL REFERENCES targets(id),
  state_id INTEGER NOT NULL REFERENCES names(id), first_ms INTEGER NOT NULL,
  last_ms INTEGER, count INTEGER NOT NULL,
  PRIMARY KEY(target_id, state_id, first_ms)) WITHOUT ROWID;
CREATE INDEX state_runs_open ON state_runs(target_id) WHERE last_ms IS NULL;
CREATE INDEX state_runs_closed ON state_runs(target_id, last_ms) WHERE last_ms IS NOT NULL;
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO targets VALUES(1, 'old', 'http://old:6060', '{}');
INSERT INTO names VALUES(1, 'chan receive'), (2, 'debug2');
INSERT INTO stacks VALUES(1, 42, 1, 'main.wait', '/app/w.go', 7, 'main.start', 'main.wait');
INSERT INTO snapshots VALUES(1, 1000, 1, 5, 2, NULL), (1, 2000, 1, 5, 2, NULL);
INSERT INTO bucket_runs VALUES(1, 1, 1000, NULL, 5);
INSERT INTO state_runs VALUES(1, 1, 1000, NULL, 5);
PRAGMA application_id = 1280002116;
PRAGMA user_version = 1;
COMMIT;
)sql");
  ASSERT_GE(Store::LatestSchemaVersion(), 2);
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), Store::LatestSchemaVersion());
  EXPECT_EQ(Query(path, "PRAGMA user_version"), Store::LatestSchemaVersion());
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  // Old data reads back...
  auto snap = store->LatestSnapshot(1);
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(snap->time_ms, 2000);
  EXPECT_EQ(snap->form, "debug2");
  ASSERT_EQ(snap->buckets.size(), 1u);
  EXPECT_EQ(snap->buckets[0].signature, "000000000000002a");
  EXPECT_EQ(snap->buckets[0].count, 5u);
  // ... old runs continue ...
  ASSERT_TRUE(store->AddSnapshot(Snap(1, 3000, {Bucket(42, "chan receive", 5)}), nullptr));
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 1);
  // ... and what versions 2 and 3 added works.
  FindingRecord f;
  f.fingerprint = "fp";
  f.severity = "leak";
  f.state = "chan send";
  EXPECT_EQ(store->SyncFindings(1, 3000, {f}).size(), 1u);
  auto found = store->Findings(1, true);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].state, "chan send");
}

// A version-2 file (findings without a state) gains the column and keeps
// its rows.
TEST(Store, MigratesVersion2FindingsKeepTheirRows) {
  std::string path = TempPath("v2");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    int64_t t = store->UpsertTarget("api", "http://api", "{}");
    FindingRecord f;
    f.fingerprint = "old";
    f.pattern = "chan-send-blocked";
    f.severity = "leak";
    ASSERT_EQ(store->SyncFindings(t, 1000, {f}).size(), 1u);
  }
  // Roll the file back to what version 2 wrote.
  Exec(path, "ALTER TABLE findings DROP COLUMN state; PRAGMA user_version = 2;");
  ASSERT_EQ(Query(path, "PRAGMA user_version"), 2);
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), 3);
  auto found = store->Findings(0, true);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].fingerprint, "old");
  EXPECT_EQ(found[0].state, "");
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

TEST(Store, RunLengthEncodesCounts) {
  std::string path = TempPath("rle");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  auto snap = [&](int64_t time, uint64_t a, uint64_t b) {
    std::vector<StoredBucket> buckets = {Bucket(kHigh, "chan receive", a)};
    if (b > 0) buckets.push_back(Bucket(7, "select", b));
    std::string error;
    EXPECT_TRUE(store->AddSnapshot(Snap(t, time, buckets), &error)) << error;
  };
  for (int i = 0; i < 100; ++i) snap(1000 + i * 1000, 10, 3);
  // 100 snapshots of two unchanged buckets: two runs, two stacks, two state runs.
  EXPECT_EQ(Query(path, "SELECT count(*) FROM snapshots"), 100);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 2);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM state_runs"), 2);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM stacks"), 2);
  snap(101000, 11, 3);  // a changes: one more run
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 3);
  snap(102000, 11, 0);  // b vanishes: its run closes, no new row
  snap(103000, 11, 3);  // b back with the same count: a new run (it was 0 between)
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 4);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs WHERE last_ms IS NULL"), 2);

  auto a = store->BucketSeries(t, Sig(kHigh), 99000);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].time_ms, 99000);
  EXPECT_EQ(a[0].value, 10u);
  EXPECT_EQ(a[1].value, 10u);
  EXPECT_EQ(a[2].value, 11u);
  EXPECT_EQ(a[4].value, 11u);
  auto b = store->BucketSeries(t, Sig(7), 0);
  ASSERT_EQ(b.size(), 103u);
  EXPECT_EQ(b[0].value, 3u);
  EXPECT_EQ(b[100].value, 3u);
  EXPECT_EQ(b[101].value, 0u);
  EXPECT_TRUE(b[101].ok);
  EXPECT_EQ(b[102].value, 3u);
  // Unknown signature: the time grid with zeros.
  auto none = store->BucketSeries(t, Sig(99), 102000);
  ASSERT_EQ(none.size(), 2u);
  EXPECT_EQ(none[0].value + none[1].value, 0u);
  EXPECT_TRUE(store->BucketSeries(t, "xyz", 0).empty());

  // Snapshots rebuilt from runs, at any retained time.
  auto old = store->SnapshotAt(t, 50000);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->total, 13u);
  ASSERT_EQ(old->buckets.size(), 2u);
  EXPECT_EQ(old->buckets[0].signature, Sig(kHigh));
  EXPECT_EQ(old->buckets[0].count, 10u);
  EXPECT_EQ(old->buckets[0].top_function, "main.f16");
  EXPECT_EQ(old->buckets[0].top_line, 0x10 + 10);
  EXPECT_EQ(old->buckets[0].creator, "main.start");
  EXPECT_EQ(old->buckets[0].stack_text, "main.f16\n\t/app/main.go:26\n");
  EXPECT_EQ(old->buckets[1].state, "select");
  ASSERT_EQ(old->by_state.size(), 2u);
  EXPECT_EQ(old->by_state[0].state, "chan receive");
  EXPECT_EQ(old->by_state[0].count, 10u);
  auto mid = store->SnapshotAt(t, 102000);
  ASSERT_TRUE(mid.has_value());
  ASSERT_EQ(mid->buckets.size(), 1u);
  EXPECT_EQ(mid->buckets[0].count, 11u);
  ASSERT_EQ(mid->by_state.size(), 1u);
  EXPECT_FALSE(store->SnapshotAt(t, 102500).has_value());

  // The in-memory view of open runs survives a reopen.
  store.reset();
  store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  snap(104000, 11, 3);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 4);
  snap(105000, 12, 3);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 5);
  auto latest = store->LatestSnapshot(t);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->time_ms, 105000);
  EXPECT_EQ(latest->total, 15u);
  EXPECT_EQ(latest->buckets[0].count, 12u);
}

TEST(Store, GapsAreGapsNotZeros) {
  std::string path = TempPath("gaps");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  ASSERT_TRUE(store->AddSnapshot(Snap(t, 1000, {Bucket(1, "select", 4)}), nullptr));
  ASSERT_TRUE(store->AddSnapshot(Gap(t, 2000), nullptr));
  auto latest = store->LatestSnapshot(t);
  ASSERT_TRUE(latest.has_value());
  EXPECT_FALSE(latest->ok);
  EXPECT_EQ(latest->error, "connect: connection refused");
  EXPECT_TRUE(latest->buckets.empty());
  ASSERT_TRUE(store->AddSnapshot(Gap(t, 3000), nullptr));
  ASSERT_TRUE(store->AddSnapshot(Snap(t, 4000, {Bucket(1, "select", 4)}), nullptr));
  // The run spans the gaps: the target came back with the same count.
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 1);
  auto total = store->TotalSeries(t, 0);
  ASSERT_EQ(total.size(), 4u);
  EXPECT_TRUE(total[0].ok);
  EXPECT_EQ(total[0].value, 4u);
  EXPECT_FALSE(total[1].ok);
  EXPECT_EQ(total[1].value, 0u);
  EXPECT_FALSE(total[2].ok);
  EXPECT_TRUE(total[3].ok);
  auto series = store->BucketSeries(t, Sig(1), 0);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].value, 4u);
  EXPECT_FALSE(series[1].ok);
  EXPECT_EQ(series[1].value, 0u);
  EXPECT_EQ(series[3].value, 4u);
  EXPECT_EQ(store->TotalSeries(t, 3000).size(), 2u);
  // After a gap a changed count closes the run at the last ok snapshot.
  ASSERT_TRUE(store->AddSnapshot(Gap(t, 5000), nullptr));
  ASSERT_TRUE(store->AddSnapshot(Snap(t, 6000, {Bucket(1, "select", 5)}), nullptr));
  EXPECT_EQ(Query(path, "SELECT last_ms FROM bucket_runs WHERE first_ms = 1000"), 4000);
}

TEST(Store, RejectsBadInputAndStaysConsistent) {
  std::string path = TempPath("bad");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  ASSERT_TRUE(store->AddSnapshot(Snap(t, 5000, {Bucket(1, "select", 4)}), nullptr));
  std::string error;
  EXPECT_FALSE(store->AddSnapshot(Snap(t, 5000, {Bucket(1, "select", 9)}), &error));
  EXPECT_NE(error.find("not after"), std::string::npos) << error;
  EXPECT_FALSE(store->AddSnapshot(Snap(t, 4000, {}), &error));
  SnapshotRecord bad = Snap(t, 6000, {Bucket(1, "select", 9)});
  bad.buckets[0].signature = "'); DROP TABLE x;--";
  EXPECT_FALSE(store->AddSnapshot(bad, &error));
  EXPECT_NE(error.find("signature"), std::string::npos);
  EXPECT_FALSE(store->AddSnapshot(Snap(999, 6000, {Bucket(2, "select", 1)}), &error));
  EXPECT_NE(error.find("FOREIGN KEY"), std::string::npos) << error;
  // None of that was written; the next good snapshot extends the run.
  EXPECT_EQ(Query(path, "SELECT count(*) FROM snapshots"), 1);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM stacks"), 1);
  ASSERT_TRUE(store->AddSnapshot(Snap(t, 6000, {Bucket(1, "select", 4)}), &error)) << error;
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs"), 1);
  // Untrusted strings are data, never SQL.
  int64_t odd = store->UpsertTarget("x'); DROP TABLE targets;--", "u", "{}");
  EXPECT_GT(odd, 0);
  EXPECT_EQ(store->Targets().size(), 2u);
}

FindingRecord Finding(const std::string& fp, const std::string& severity, uint64_t count) {
  FindingRecord f;
  f.fingerprint = fp;
  f.pattern = "chan-send-blocked";
  f.severity = severity;
  f.confidence = severity == "leak" ? 0.9 : 0.5;
  f.signature = Sig(1);
  f.function = "main.fetch";
  f.file = "/app/fetch.go";
  f.line = 42;
  f.creator_function = "main.handle";
  f.creator_file = "/app/handler.go";
  f.creator_line = 30;
  f.count = count;
  f.growth_per_hour = 12.5;
  f.reasons_json = R"([{"text":"many","weight":0.5}])";
  f.stack_text = "main.fetch\n\t/app/fetch.go:42\n";
  return f;
}

TEST(Store, FindingsLifecycle) {
  std::string path = TempPath("findings");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  int64_t u = store->UpsertTarget("db", "http://db", "{}");

  // Opened: returned for alerting.
  auto fresh = store->SyncFindings(t, 1000, {Finding("A", "suspect", 10), Finding("A", "leak", 1)});
  ASSERT_EQ(fresh.size(), 1u);  // a repeated fingerprint counts once
  const int64_t first_id = fresh[0].id;
  EXPECT_EQ(fresh[0].severity, "suspect");
  EXPECT_EQ(fresh[0].first_seen_ms, 1000);
  EXPECT_EQ(fresh[0].resolved_ms, 0);
  EXPECT_EQ(fresh[0].function, "main.fetch");
  EXPECT_EQ(fresh[0].creator_line, 30);
  EXPECT_DOUBLE_EQ(fresh[0].growth_per_hour, 12.5);
  EXPECT_FALSE(fresh[0].alerted);
  store->MarkAlerted(first_id);
  EXPECT_EQ(store->SyncFindings(u, 1000, {Finding("A", "info", 1)}).size(), 1u);  // per target

  // Still open, same severity: not returned, but updated.
  EXPECT_TRUE(store->SyncFindings(t, 2000, {Finding("A", "suspect", 20)}).empty());
  auto open = store->Findings(t, true);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, first_id);
  EXPECT_EQ(open[0].last_seen_ms, 2000);
  EXPECT_EQ(open[0].first_seen_ms, 1000);
  EXPECT_EQ(open[0].count, 20u);
  EXPECT_TRUE(open[0].alerted);

  // Severity rises: returned again, alert flag cleared.
  auto rose = store->SyncFindings(t, 3000, {Finding("A", "leak", 30)});
  ASSERT_EQ(rose.size(), 1u);
  EXPECT_EQ(rose[0].id, first_id);
  EXPECT_EQ(rose[0].severity, "leak");
  EXPECT_FALSE(rose[0].alerted);
  // Falls back: updated, not returned.
  EXPECT_TRUE(store->SyncFindings(t, 3500, {Finding("A", "suspect", 30)}).empty());

  // Missing: resolved.
  EXPECT_TRUE(store->SyncFindings(t, 4000, {}).empty());
  EXPECT_TRUE(store->Findings(t, true).empty());
  auto all = store->Findings(t, false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].resolved_ms, 4000);
  EXPECT_EQ(all[0].last_seen_ms, 3500);

  // Back: a new row; the old episode stays resolved.
  auto again = store->SyncFindings(t, 5000, {Finding("A", "suspect", 5)});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].id, first_id);
  EXPECT_EQ(again[0].first_seen_ms, 5000);
  all = store->Findings(t, false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, again[0].id);  // newest first
  EXPECT_EQ(all[1].resolved_ms, 4000);
  EXPECT_EQ(store->Findings(0, true).size(), 2u);  // both targets
  EXPECT_EQ(store->Findings(u, false).size(), 1u);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM findings WHERE resolved_ms IS NULL"), 2);
}

// Two hours at 1 s; keep 30 min in full, 5 min steps back to 90 min.
TEST(Store, RetentionThinsThenDeletes) {
  std::string path = TempPath("retain");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  int64_t gone = store->UpsertTarget("gone", "http://gone", "{}");
  const int64_t t0 = 1'699'999'800'000;  // a multiple of 5 min
  const int n = 7200;
  auto noisy = [](int i) { return static_cast<uint64_t>(1 + i % 2); };  // a new run every second
  for (int i = 0; i < n; ++i) {
    int64_t time = t0 + i * 1000LL;
    std::vector<StoredBucket> buckets = {Bucket(1, "select", 50), Bucket(2, "chan receive", noisy(i))};
    if (i < 1200) buckets.push_back(Bucket(3, "IO wait", 1 + i % 3));  // first 20 min only
    std::string error;
    if (i == 2700) {
      ASSERT_TRUE(store->AddSnapshot(Gap(t, time), &error)) << error;
    } else {
      ASSERT_TRUE(store->AddSnapshot(Snap(t, time, buckets), &error)) << error;
    }
    if (i < 600) {
      ASSERT_TRUE(store->AddSnapshot(Snap(gone, time, {Bucket(9, "select", 1)}), &error));
    }
  }
  store->SyncFindings(t, t0 + 600'000, {Finding("old", "leak", 1)});
  store->SyncFindings(t, t0 + 610'000, {Finding("open", "leak", 1)});      // resolves "old"
  store->SyncFindings(t, t0 + 6'000'000, {Finding("open", "leak", 1), Finding("new", "info", 1)});
  store->SyncFindings(t, t0 + 6'010'000, {Finding("open", "leak", 1)});   // resolves "new"

  const int64_t now = t0 + n * 1000LL;
  RetentionPolicy p;
  p.full_ms = 30 * 60'000;
  p.step_ms = 5 * 60'000;
  p.max_ms = 90 * 60'000;
  RetentionStats stats = store->Retain(now, p);
  EXPECT_EQ(store->IntegrityCheck(), "ok");

  // Beyond 90 min: nothing. 90..30 min ago: one per 5 min (12). Last 30 min: all.
  auto total = store->TotalSeries(t, 0);
  ASSERT_EQ(total.size(), 12u + 1800u);
  for (int k = 0; k < 12; ++k) {
    int64_t step = t0 + 30 * 60'000 + k * 300'000LL;
    // The step that starts with a gap keeps its first ok snapshot instead.
    int64_t want = step == t0 + 2'700'000 ? step + 1000 : step;
    EXPECT_EQ(total[k].time_ms, want) << k;
    EXPECT_TRUE(total[k].ok);
  }
  for (int k = 0; k < 1800; ++k) EXPECT_EQ(total[12 + k].time_ms, t0 + (5400 + k) * 1000LL);
  EXPECT_EQ(stats.snapshots_deleted, static_cast<uint64_t>(n - 1812 + 600));
  EXPECT_EQ(Query(path, "SELECT count(*) FROM snapshots"), 1812);

  // The noisy bucket: runs that cover no kept snapshot are gone, and the
  // series still reads right at every kept time.
  auto series = store->BucketSeries(t, Sig(2), 0);
  ASSERT_EQ(series.size(), total.size());
  for (const SeriesPoint& pt : series) {
    EXPECT_EQ(pt.value, noisy(static_cast<int>((pt.time_ms - t0) / 1000))) << pt.time_ms;
  }
  auto stack_id = "(SELECT id FROM stacks WHERE signature = 2)";
  // The twelve kept steps read 1 but one (the step after the gap keeps an
  // odd second: 2); equal neighbours with nothing kept between them are
  // one run: 1, 2, 1.
  EXPECT_EQ(Query(path, std::string("SELECT count(*) FROM bucket_runs WHERE stack_id = ") + stack_id),
            3 + 1800);
  EXPECT_EQ(stats.runs_merged, 18u);  // and the same 9 of its state, "chan receive"
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs WHERE stack_id = "
                        "(SELECT id FROM stacks WHERE signature = 1)"), 1);
  // The bucket seen only in the first 20 minutes, and the target not polled
  // for over 90 minutes: their runs and stacks are gone.
  EXPECT_EQ(Query(path, "SELECT count(*) FROM stacks WHERE signature IN (3, 9)"), 0);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM bucket_runs WHERE target_id = " +
                            std::to_string(gone)), 0);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM state_runs WHERE target_id = " +
                            std::to_string(gone)), 0);
  EXPECT_FALSE(store->LatestSnapshot(gone).has_value());
  EXPECT_EQ(Query(path, "SELECT count(*) FROM stacks"), 2);
  EXPECT_GT(stats.rows_deleted, 5000u);
  auto kept = store->SnapshotAt(t, t0 + 30 * 60'000);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->total, 50 + noisy(1800));
  EXPECT_EQ(kept->buckets.size(), 2u);
  EXPECT_EQ(kept->by_state.size(), 2u);

  // Resolved findings older than max_ms are deleted; open and newer stay.
  auto findings = store->Findings(t, false);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].fingerprint, "new");
  EXPECT_EQ(findings[1].fingerprint, "open");

  // Idempotent; and the store keeps working where it left off.
  RetentionStats again = store->Retain(now, p);
  EXPECT_EQ(again.snapshots_deleted, 0u);
  EXPECT_EQ(again.rows_deleted, 0u);
  EXPECT_EQ(again.runs_merged, 0u);
  std::string error;
  ASSERT_TRUE(store->AddSnapshot(Snap(t, now, {Bucket(1, "select", 50), Bucket(2, "chan receive", noisy(n))}), &error)) << error;
  EXPECT_EQ(store->LatestSnapshot(t)->total, 50 + noisy(n));
  // Ten minutes on: two more steps thinned.
  for (int i = 1; i <= 600; ++i) {
    ASSERT_TRUE(store->AddSnapshot(Snap(t, now + i * 1000LL, {Bucket(1, "select", 50)}), &error));
  }
  store->Retain(now + 600'000, p);
  EXPECT_EQ(store->TotalSeries(t, 0).size(), 12u + 1800u + 1u);
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

// A new file is auto_vacuum=INCREMENTAL: what retention deletes is given
// back to the file system, so the file shrinks with the history.
TEST(Store, RetentionGivesFreedPagesBack) {
  std::string path = TempPath("vacuum");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Query(path, "PRAGMA auto_vacuum"), 2);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  const int64_t t0 = 1'699'999'800'000;
  for (int i = 0; i < 3000; ++i) {
    std::vector<StoredBucket> buckets;
    for (uint64_t b = 0; b < 40; ++b) buckets.push_back(Bucket(100 + b, "select", 1 + (i + b) % 3));
    std::string error;
    ASSERT_TRUE(store->AddSnapshot(Snap(t, t0 + i * 1000LL, buckets), &error)) << error;
  }
  int64_t before = Query(path, "PRAGMA page_count");
  RetentionPolicy p;
  p.full_ms = 60'000;
  p.step_ms = 30'000;
  p.max_ms = 120'000;  // all but the last two minutes go
  RetentionStats stats = store->Retain(t0 + 3000 * 1000LL, p);
  EXPECT_GT(stats.rows_deleted, 10000u);
  int64_t after = Query(path, "PRAGMA page_count");
  EXPECT_EQ(Query(path, "PRAGMA freelist_count"), 0);
  EXPECT_LT(after * 4, before) << before << " -> " << after << " pages";
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

// What the child writes at step i, so the parent can check every row.
SnapshotRecord CrashSnap(int64_t target, int i) {
  if (i % 11 == 5) return Gap(target, 1'000'000 + i * 1000LL);
  std::vector<StoredBucket> buckets;
  for (uint64_t j = 0; j < 5; ++j) buckets.push_back(Bucket(kHigh + j, "select", 10 + j));
  buckets.push_back(Bucket(100, "chan receive", 1 + static_cast<uint64_t>(i) / 3));  // growing
  buckets.push_back(Bucket(101, "chan send", 5 + static_cast<uint64_t>(i * 7) % 3));  // noisy
  if (i % 4 < 2) buckets.push_back(Bucket(102, "IO wait", 2));                       // flapping
  SnapshotRecord s = Snap(target, 1'000'000 + i * 1000LL, std::move(buckets));
  s.form = i % 2 ? "proto" : "debug2";
  return s;
}

TEST(Store, SurvivesSigkillMidWrite) {
  std::string path = TempPath("crash");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string error;
    auto store = Store::Open(path, &error);
    if (store == nullptr) ::_exit(2);
    int64_t target = store->UpsertTarget("api", "http://api", "{}");
    for (int i = 0;; ++i) {
      if (!store->AddSnapshot(CrashSnap(target, i), &error)) ::_exit(3);
      if (i % 10 == 0) {
        store->SyncFindings(target, 1'000'000 + i * 1000LL, {Finding(std::to_string(i % 30), "leak", 1)});
      }
      if (i % 50 == 49) store->Retain(1'000'000 + i * 1000LL, RetentionPolicy{});
      // Acknowledge only what has committed.
      if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(4);
    }
  }
  ::close(fds[1]);
  int acked = -1, i = 0;
  ASSERT_EQ(::read(fds[0], &i, sizeof i), static_cast<ssize_t>(sizeof i));  // it is writing
  acked = i;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  while (::read(fds[0], &i, sizeof i) == static_cast<ssize_t>(sizeof i)) acked = i;
  ::close(fds[0]);

  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  auto targets = store->Targets();
  ASSERT_EQ(targets.size(), 1u);
  auto total = store->TotalSeries(targets[0].id, 0);
  // Every acknowledged snapshot is there; at most the one being written
  // when the kill came is lost (or made it).
  ASSERT_GE(static_cast<int>(total.size()), acked + 1);
  ASSERT_LE(static_cast<int>(total.size()), acked + 2);
  std::printf("[          ] %zu snapshots written before SIGKILL\n", total.size());
  for (size_t k = 0; k < total.size(); ++k) {
    SnapshotRecord want = CrashSnap(targets[0].id, static_cast<int>(k));
    ASSERT_EQ(total[k].time_ms, want.time_ms);
    ASSERT_EQ(total[k].ok, want.ok);
    auto got = store->SnapshotAt(targets[0].id, want.time_ms);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->form, want.form);
    EXPECT_EQ(got->total, want.total) << k;
    std::map<std::string, uint64_t> want_buckets, got_buckets, want_states, got_states;
    for (const auto& b : want.buckets) want_buckets[b.signature] = b.count;
    for (const auto& b : got->buckets) got_buckets[b.signature] = b.count;
    for (const auto& s : want.by_state) want_states[s.state] = s.count;
    for (const auto& s : got->by_state) got_states[s.state] = s.count;
    EXPECT_EQ(got_buckets, want_buckets) << k;
    EXPECT_EQ(got_states, want_states) << k;
  }
  // And it carries on from there.
  std::string error;
  EXPECT_TRUE(store->AddSnapshot(CrashSnap(targets[0].id, static_cast<int>(total.size())), &error))
      << error;
  EXPECT_LE(store->Findings(0, true).size(), 1u);
}

// A state the form could not give (debug=1 hides channel operations) is
// kept as "" in the store and named on /metrics: an empty label value is
// a series nobody can select by name.
TEST(Metrics, UnknownStateIsLabelledUnknown) {
  std::string path = TempPath("metrics-unknown");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  int64_t t = store->UpsertTarget("api", "http://api", "{}");
  std::string error;
  ASSERT_TRUE(store->AddSnapshot(Snap(t, 1000, {Bucket(7, "", 4), Bucket(8, "select", 2)}), &error))
      << error;
  std::string m = MetricsFromStore(*store, nullptr);
  EXPECT_NE(m.find("leakhound_goroutines{target=\"api\",state=\"unknown\"} 4"), std::string::npos) << m;
  EXPECT_NE(m.find("leakhound_goroutines{target=\"api\",state=\"select\"} 2"), std::string::npos) << m;
  EXPECT_EQ(m.find("state=\"\""), std::string::npos) << m;
}

}  // namespace
}  // namespace leakhound
