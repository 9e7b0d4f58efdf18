// Leak verdicts: which buckets are leaks, which pattern, how sure, why.
//
// Confidence is built from named pieces of evidence so a person can see
// (and disagree with) each one: a pattern's prior, the count at one place,
// the wait time, growth across snapshots, surviving goroutine ids and the
// runtime's own "(leaked)" proof push it up; a small pool and a flat
// series pull it down. Evidence for combines as a noisy-or,
//   c = 1 - (1 - prior) * prod(1 - e_i),
// and each piece against multiplies c by (1 - e_j).
#ifndef LEAKHOUND_ANALYZE_VERDICT_H_
#define LEAKHOUND_ANALYZE_VERDICT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyze/buckets.h"
#include "analyze/lint_link.h"
#include "analyze/source_view.h"
#include "model/snapshot.h"
#include "patterns/benign.h"
#include "patterns/pattern.h"
#include "waitfor/dump_locks.h"
#include "waitfor/wait_edge.h"

namespace re2 {
class RE2;
}

namespace leakhound {

struct Thresholds {
  double leak = 0.7;          // confidence at which a finding is a leak
  double suspect = 0.4;       // ... a suspect; below: info
  uint64_t count_high = 100;  // goroutines at one place that count as many
  int wait_minutes = 10;      // a wait this long is strong evidence
  uint64_t small_pool = 8;    // receive-waiting groups this small look like pools
  // A group main.main (or an init) started, waiting in a loop, up to this
  // size is taken for a pool that lives as long as the program.
  uint64_t startup_pool = 256;
  double growth_r2 = 0.8;     // fit quality needed to call growth steady
  uint64_t min_growth = 3;    // goroutines a bucket must gain over a series
};

enum class Severity { kInfo = 0, kSuspect = 1, kLeak = 2 };
const char* SeverityName(Severity s);
bool ParseSeverity(std::string_view text, Severity* out);

struct Reason {
  std::string text;
  double weight;  // > 0 evidence for a leak, < 0 against
};

// A bucket's counts across a series of snapshots.
struct Growth {
  std::vector<uint64_t> counts;  // one per snapshot, oldest first
  double slope = 0;              // goroutines per snapshot (per second when times known)
  double per_hour = -1;          // -1 when capture times are unknown
  double r2 = 0;
  uint64_t surviving_ids = 0;    // ids present in this bucket in every snapshot
  bool growing = false;
  bool flat = false;
};

// A user's rule to drop findings (goleak-style), from .leakhound.yaml.
// Every condition that is set must hold.
struct IgnoreRule {
  std::string top_function;  // the stack's first frame, exactly
  std::string any_function;  // some frame, exactly
  std::string creator;       // the creator function, exactly
  std::shared_ptr<re2::RE2> regex;  // some frame's function or the creator
  std::string pattern;       // pattern id
  std::string reason;
  std::string origin;        // "FILE:LINE" of the rule, for messages
};

// What proves a finding beyond inference: the Go runtime itself found
// these goroutines can never wake. Reports print it as is.
struct Proof {
  std::string marker;   // "(leaked)", "bubble-deadlock", "all-asleep"
  std::string text;     // one sentence a person can check against the dump
  int64_t bubble = -1;  // bubble-deadlock: the synctest bubble
  // Who proved it: "go-runtime" (its leak mark, its deadlock check) or
  // "leakhound" (a cycle of lock waits read from the dump and the source).
  std::string by = "go-runtime";
  std::vector<WaitEdge> cycle;  // wait-for-cycle: each goroutine's wait
  // nobody-left: the goroutines running the function whose local objects
  // they wait on, each parked (waitfor/nobody_left.h).
  std::vector<StuckWait> component;
};

struct Finding {
  const Pattern* pattern = nullptr;
  Severity severity = Severity::kInfo;
  double confidence = 0;
  std::vector<Reason> reasons;
  size_t bucket = 0;          // index into Verdict::buckets
  int blocking_frame = -1;    // frame index of the line to look at
  std::optional<Growth> growth;
  std::optional<Proof> proof;
  // Buckets of the findings this one waits for: goroutines it started,
  // blocked themselves (analyze/ranking.h). Listed after them.
  std::vector<size_t> waits_for;
  // Goroutines a dump-only lock shape pairs this one with (the other half
  // of an AB-BA, the writer queued behind a recursive read lock):
  // evidence, never proof (waitfor/dump_locks.h).
  std::vector<ShapePeer> shape_with;
  const BenignRule* benign = nullptr;  // set: expected, never a leak
  std::string fingerprint;    // stable across line edits: pattern+functions
  bool baselined = false;
  std::vector<LintLink> lint;  // lint findings that agree (--source), best first
};

struct AnalyzeOptions {
  Thresholds thresholds;
  Grouping grouping = Grouping::kExact;
  SourceView* source = nullptr;           // optional
  const std::vector<IgnoreRule>* ignore = nullptr;
  // Lint findings over the source roots: links and a reason when they
  // agree with a runtime finding (lint_link.h). Must outlive the Verdict.
  const std::vector<SourceLint>* lint = nullptr;
  // Infer as if no goroutine carried the runtime's "(leaked)" mark:
  // leakhound's own view of the same buckets, to compare with the
  // runtime's (analyze/agreement.h). Buckets are split by the mark
  // either way, so both verdicts index the same buckets.
  bool ignore_runtime_marks = false;
  // Goroutines from which independent parts of the analysis run on a
  // second thread (the result is the same either way; tests lower it).
  size_t second_thread_from = 200'000;
};

struct Verdict {
  const Snapshot* current = nullptr;  // the newest snapshot
  std::vector<Bucket> buckets;        // of `current`
  std::vector<Finding> findings;      // severity, confidence, count: descending
  size_t ignored = 0;                 // findings dropped by ignore rules
  size_t series_length = 1;
  bool times_known = false;           // capture times gave per-hour growth
};

// Analyzes a series of snapshots of one process, oldest first (one
// snapshot is a series of one). `times_sec`: capture time of each, or
// empty when unknown.
Verdict AnalyzeSeries(const std::vector<const Snapshot*>& series,
                      const std::vector<double>& times_sec, const AnalyzeOptions& options);

// What AnalyzeSeries needs of a snapshot that is no longer the newest: per
// bucket (in MakeBuckets' order) its cross-snapshot signature, count and
// goroutine ids, and the running goroutines' top user functions (busy
// loops). A few KB where the parsed Snapshot is tens, so `watch` keeps
// each target's window of older polls as these and only the newest whole.
struct SnapshotSummary {
  struct Entry {
    uint64_t signature = 0, count = 0;
    uint32_t ids_begin = 0, ids_end = 0;  // into `ids`
  };
  std::vector<Entry> buckets;
  std::vector<uint64_t> ids;  // sorted within each entry's range
  std::vector<std::pair<uint64_t, std::string>> running;  // id -> function, by id
  size_t Bytes() const;  // heap held, roughly
};
// Valid for AnalyzeSeries calls with the same options.grouping.
SnapshotSummary SummarizeForSeries(const Snapshot& snapshot, const AnalyzeOptions& options);
// The same verdict as AnalyzeSeries over the snapshots `older` were made
// of followed by `current`; `times_sec` has older.size() + 1 entries or none.
Verdict AnalyzeSeries(const std::vector<const SnapshotSummary*>& older, const Snapshot& current,
                      const std::vector<double>& times_sec, const AnalyzeOptions& options);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_VERDICT_H_
