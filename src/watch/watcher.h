// `leakhound watch`: poll live services, analyse each one's series of
// snapshots as it grows, keep the history, raise alerts.
//
// One thread drives every target through a Poller (libcurl multi): a slow
// or dead target costs a pending transfer, never a blocked loop. Routine
// polls fetch a cheap aggregated form, one record per distinct stack: the
// protobuf profile by default (debug=0: gzipped, smallest, and it keeps the
// runtime frames, so "chan send" or "semacquire" can be inferred), or
// debug=1 (which hides runtime.* frames, so states are mostly unknown).
// When a bucket starts to look like a leak the watcher fetches debug=2
// once (at most every detail_gap per target) for what aggregated forms
// cannot say: wait reasons, wait minutes and the line that started the
// goroutines.
#ifndef LEAKHOUND_WATCH_WATCHER_H_
#define LEAKHOUND_WATCH_WATCHER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "analyze/verdict.h"
#include "collect/http_fetch.h"
#include "collect/poller.h"
#include "config/config.h"
#include "dump/dump.h"
#include "store/store.h"
#include "watch/alerts.h"

namespace leakhound {

struct WatchOptions {
  std::vector<TargetConfig> targets;
  // Discovery: targets these give come and go as they change (sources.cc).
  std::vector<SourceConfig> sources;
  FetchOptions source_fetch;  // for the Prometheus API
  WatchConfig watch;
  AnalyzeOptions analyze;  // thresholds, ignore rules (source is unused)
  FetchOptions fetch;      // defaults for every target (timeouts, size cap)
  std::string profile = "goroutine";
  std::string form = "proto";  // routine polls: "proto" (debug=0) or "1"
};

// What the watcher knows of one target now.
struct TargetStatus {
  std::string name, url;
  bool up = false;
  bool ever_polled = false;
  std::string last_error;
  uint64_t polls = 0, errors = 0, detail_fetches = 0;
  uint64_t total = 0;  // goroutines in the last good snapshot
  double fetch_seconds = 0;  // summed over routine polls, for the mean
};

class Watcher {
 public:
  // `store` may be null (nothing kept); `alerts` may be null.
  Watcher(WatchOptions options, Store* store, AlertSink* alerts);
  ~Watcher();

  // Starts due polls, waits up to `max_wait_ms` for transfers, handles the
  // ones that ended. Call in a loop.
  void Step(int max_wait_ms);
  // Reads the file_sd sources once, so that a missing or malformed file
  // stops `watch` at start with its error ("PATH:LINE: ..."); later
  // failures keep the targets the source gave before.
  bool ReadSourcesAtStart(std::string* error);
  // Stops starting new polls; in-flight ones are abandoned (their
  // snapshots were never written, so nothing is half-kept).
  void Wakeup() { poller_.Wakeup(); }

  std::vector<TargetStatus> Status() const;
  // Latest findings per target at or above `suspect`, for the summary.
  struct OpenFinding {
    std::string target;
    FindingRecord record;
    std::string state;
    std::string title;
  };
  std::vector<OpenFinding> OpenFindings() const;
  // Set when the store's file cannot be written any more (disk full,
  // read-only, corrupt, I/O error): "FILE: message". The caller stops.
  const std::string& store_fault() const { return store_fault_; }
  uint64_t polls() const {
    std::lock_guard<std::mutex> lock(status_mu_);
    return polls_;
  }

 private:
  struct Target;
  // One discovery source's state (sources.cc).
  struct Source {
    SourceConfig config;
    int64_t next_due = 0;  // steady ms
    bool in_flight = false;
    bool ok_once = false;
    std::string last_error;  // logged when it changes
    std::string files_seen;  // file_sd: the files' names, sizes and times when last read
  };
  static constexpr uint64_t kSourceTag = 1ull << 62;  // | index in sources_
  void InitSources();
  void AddTarget(const TargetConfig& config, int64_t first_due_ms);
  // Makes the targets `source` gave be `now`: new ones start polling,
  // vanished ones stop (their history stays in the store).
  void ApplyTargets(const std::string& source, std::vector<TargetConfig> now);
  void StepSources(int64_t now_ms);
  void HandleSource(size_t index, FetchResult& result);
  void StartPoll(Target& t, bool detail, int64_t now_ms);
  void HandleDone(PollDone done);
  void HandleRoutine(Target& t, FetchResult& result, int64_t wall_ms);
  // The steps of HandleRoutine, in order.
  bool AppendSnapshot(Target& t, FetchResult& result, int64_t wall_ms);
  void StoreSnapshot(Target& t, const Verdict& v, const Snapshot& snap, int64_t wall_ms);
  std::vector<FindingRecord> KeepFindings(Target& t, const Verdict& v, const Snapshot& snap,
                                          size_t series_size);
  FindingRecord MakeRecord(const Target& t, const Finding& f, const Verdict& v,
                           const Snapshot& snap) const;
  void AddFading(Target& t, std::vector<FindingRecord>* records);
  void SyncAndAlert(Target& t, const std::vector<FindingRecord>& records, int64_t wall_ms);
  void MaybeAskDetail(Target& t);
  void StartQueuedDetails();
  void StoreFailed(const std::string& error);
  void HandleDetail(Target& t, FetchResult& result);
  void RecordGap(Target& t, const std::string& error, int64_t wall_ms);
  const char* RoutineForm() const { return options_.form == "1" ? "debug1" : "proto"; }

  WatchOptions options_;
  Store* store_;
  AlertSink* alerts_;
  Poller poller_;
  // By id, which is also the poll's tag: a target that discovery removed
  // while its poll was in flight is simply not found when the poll ends.
  std::map<uint64_t, std::unique_ptr<Target>> targets_;
  uint64_t next_target_id_ = 0;
  size_t details_in_flight_ = 0;       // debug=2 fetches running
  std::deque<uint64_t> detail_queue_;  // target ids waiting for one
  std::vector<std::unique_ptr<Source>> sources_;
  uint64_t polls_ = 0;
  int64_t last_retain_ms_ = 0;
  int64_t last_trim_ms_ = 0;  // steady clock: last ReturnFreeMemory()
  std::string store_fault_;
  // Guards what Status()/OpenFindings() read; held while a poll's result
  // is handled (the dashboard's threads read it, the loop writes it).
  mutable std::mutex status_mu_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_WATCH_WATCHER_H_
