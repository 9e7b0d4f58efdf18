// The SQLite history behind `leakhound watch`: targets, snapshots,
// buckets, findings.
//
// Sized for many targets polled often (200 targets every second is
// 17M snapshots a day), so nothing is stored twice that need not be:
//  - a stack (bucket identity) is interned once, shared by every target
//    running the same program;
//  - a bucket's count, and a state's total, are stored as runs: one row
//    (target, key, first_ms, last_ms, count) per stretch of snapshots with
//    the same count. A constant bucket costs no write at all per snapshot:
//    an open run (last_ms NULL) lasts until the target's latest ok
//    snapshot. Only changes write.
//  - a snapshot row is the time grid: (target, time, ok, total, form).
//    A snapshot that failed (target down, timeout) is a row with ok=0 and
//    an error: a gap, not a zero.
// Retain() bounds the file: full detail for a while, then one snapshot
// per step, then nothing.
//
// Crash safety: every write is one transaction in WAL mode, so a process
// killed mid-write loses at most the snapshot being written.
//
// Thread-safe: every call takes the store's mutex (the watch loop writes
// while the dashboard reads).
#ifndef LEAKHOUND_STORE_STORE_H_
#define LEAKHOUND_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leakhound {

struct StoredTarget {
  int64_t id = 0;
  std::string name, url, labels_json;
};

struct StateCount {
  std::string state;
  uint64_t count = 0;
};

struct StoredBucket {            // one bucket (stack+state) as seen in one snapshot
  std::string signature;         // 16 lowercase hex digits of BucketSignature()
  std::string state;
  std::string top_function, top_file;
  int top_line = 0;
  std::string creator;           // creator function, may be empty
  std::string stack_text;        // "func\n\tfile:line\n..." shown by the dashboard
  uint64_t count = 0;
};

struct SnapshotRecord {
  int64_t target_id = 0;
  int64_t time_ms = 0;           // capture time, Unix ms
  std::string form;              // "debug1", "debug2", "proto"
  bool ok = true;                // false: the target was down/timed out: a gap
  std::string error;             // one line when !ok
  uint64_t total = 0;
  std::vector<StateCount> by_state;
  std::vector<StoredBucket> buckets;  // the caller passes only its top N
};

struct FindingRecord {           // one finding of the latest analysis of a target
  std::string fingerprint;       // stable identity (pattern + functions)
  std::string pattern, severity; // catalogue id; "info"|"suspect"|"leak"
  double confidence = 0;
  std::string signature;         // bucket signature
  std::string function, file;    // the blocking frame
  int line = 0;
  std::string creator_function, creator_file;
  int creator_line = 0;
  uint64_t count = 0;
  double growth_per_hour = 0;
  std::string reasons_json;      // JSON array of {"text","weight"}
  std::string stack_text;
  std::string state;             // "chan send"; empty when the form did not say
};

struct StoredFinding : FindingRecord {
  int64_t id = 0, target_id = 0;
  int64_t first_seen_ms = 0, last_seen_ms = 0, resolved_ms = 0;  // 0 = still open
  bool alerted = false;          // alerted at its current severity
};

struct SeriesPoint {
  int64_t time_ms = 0;
  uint64_t value = 0;
  bool ok = true;                // false: a gap; value is 0
};

struct RetentionPolicy {
  int64_t full_ms = 6 * 3600 * 1000LL;       // keep every snapshot this long
  int64_t step_ms = 5 * 60 * 1000LL;         // then one snapshot per step
  int64_t max_ms = 30LL * 24 * 3600 * 1000;  // then nothing
};

struct RetentionStats {
  uint64_t snapshots_deleted = 0;
  uint64_t rows_deleted = 0;     // runs, stacks and findings
  uint64_t runs_merged = 0;      // equal neighbouring runs joined after thinning
};

struct StoreImpl;

// Why Store::Open refused a file.
enum class StoreOpenFault {
  kNone,
  kNotOurs,   // not SQLite, another program's database, or newer than us
  kUnusable,  // cannot be created or written, corrupt or truncated, I/O error
  kLocked,    // another writer (leakhound watch) holds it
};

class Store {
 public:
  // The schema version this binary writes (PRAGMA user_version).
  static int LatestSchemaVersion();

  // Creates or opens `path`, applies migrations, WAL mode,
  // synchronous=NORMAL, busy_timeout, foreign keys. nullptr + one-line
  // *error ("PATH: message") when the file is not a leakhound store, is
  // newer than this binary, or corrupt; such a file is left untouched
  // (never repaired or recreated). `writer`: also take the file's writer
  // lock (one `leakhound watch` per file; readers such as `serve` need
  // none, WAL lets them read while it writes). *fault says why it failed.
  static std::unique_ptr<Store> Open(const std::string& path, std::string* error,
                                     bool writer = false, StoreOpenFault* fault = nullptr);
  ~Store();  // closes cleanly (the last connection checkpoints the WAL)
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version() const;
  // The last SQLite error of a call that has no error out-parameter.
  std::string last_error() const;
  // "PATH: message" once a call failed because the file cannot be written
  // any more (disk full, read-only, I/O error, corrupt); empty until then.
  std::string fault() const;

  // Id of the target called `name`, created or with url/labels updated.
  // 0 on error (see last_error()).
  int64_t UpsertTarget(const std::string& name, const std::string& url,
                       const std::string& labels_json);
  std::vector<StoredTarget> Targets();

  // One transaction. Times of one target must increase; a bucket with
  // count 0 is the same as an absent one; buckets with one signature are
  // summed. A bucket absent from a snapshot reads as 0 there.
  bool AddSnapshot(const SnapshotRecord& s, std::string* error);

  // Opens findings (by fingerprint) not yet open for the target, updates
  // last_seen/confidence/severity/count of open ones, resolves open ones
  // missing from `current`. Returns findings that were newly opened or
  // whose severity rose (their `alerted` is cleared), for alerting.
  // When `current` repeats a fingerprint the first one counts.
  std::vector<StoredFinding> SyncFindings(int64_t target_id, int64_t time_ms,
                                          const std::vector<FindingRecord>& current);
  void MarkAlerted(int64_t finding_id);
  // Newest first.
  std::vector<StoredFinding> Findings(int64_t target_id /*0 = all*/, bool open_only);

  // One point per snapshot of the target at or after since_ms, oldest
  // first; gaps have ok=false.
  std::vector<SeriesPoint> TotalSeries(int64_t target_id, int64_t since_ms);
  std::vector<SeriesPoint> BucketSeries(int64_t target_id, const std::string& signature,
                                        int64_t since_ms);

  // The snapshot taken at exactly time_ms, with buckets (count
  // descending) and by_state rebuilt from the runs.
  std::optional<SnapshotRecord> SnapshotAt(int64_t target_id, int64_t time_ms);
  std::optional<SnapshotRecord> LatestSnapshot(int64_t target_id);  // with buckets and by_state

  RetentionStats Retain(int64_t now_ms, const RetentionPolicy& p);
  std::string IntegrityCheck();  // "ok" or what PRAGMA integrity_check said

 private:
  explicit Store(std::unique_ptr<StoreImpl> impl);
  std::unique_ptr<StoreImpl> impl_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_STORE_STORE_H_
