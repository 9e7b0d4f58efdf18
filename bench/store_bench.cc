// How big and how costly is the watch history? Simulates a fleet polled
// every second and prints CPU per AddSnapshot and file sizes.
//
//   store_bench [--targets N] [--hours H] [--small-targets N] [--small-hours H] [--dir DIR]
//               [--days D [--day-targets N] [--day-interval S]]
//
// Phase 1: N targets (default 200) for H simulated hours (default 1): cost
// per snapshot, size after the hour, per-table sizes, and a projection.
// Phase 2: a small fleet (default 5 targets) for longer (default 7 h)
// with Retain() every 10 simulated minutes and the default policy, so the
// 6 h full-detail window fills and thinning starts: observed sizes, scaled
// to N targets.
// Phase 3 (with --days): a fleet (default 200 targets at 30 s) through
// the whole retention horizon, the file's size at the end of each day.
//
// Each target has 60 buckets: 55 constant, 4 noisy (each moves by one on
// 10% of polls), 1 growing (one goroutine per 30 s). Targets come in
// services of 20 replicas running the same program (so stacks are shared),
// and each target is down for 5-30 s now and then (about one outage per
// 40 min). Figures are printed plainly; nothing passes or fails.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using leakhound::RetentionPolicy;
using leakhound::SnapshotRecord;
using leakhound::StateCount;
using leakhound::Store;
using leakhound::StoredBucket;

constexpr int kBuckets = 60;
constexpr int kNoisyFrom = 55;
constexpr int kGrowing = 59;
constexpr int kReplicas = 20;
const char* const kStates[] = {"chan receive", "select", "IO wait", "semacquire", "sleep"};

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// The main file plus its WAL: what the disk holds while watch runs.
uint64_t StoreSize(const std::string& path) { return FileSize(path) + FileSize(path + "-wal"); }

std::string Mb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}

struct Target {
  int64_t id = 0;
  SnapshotRecord snap;            // reused: only counts and time change
  std::vector<uint64_t> base;     // noisy buckets wander around these
  int down_until = -1;            // simulated second the outage ends
};

struct Fleet {
  std::vector<Target> targets;
  std::mt19937_64 rng{42};
};

StoredBucket MakeBucket(int service, int j) {
  StoredBucket b;
  char sig[17];
  uint64_t h = (static_cast<uint64_t>(service) << 32 | static_cast<uint64_t>(j)) * 0x9e3779b97f4a7c15ULL;
  std::snprintf(sig, sizeof sig, "%016llx", static_cast<unsigned long long>(h));
  b.signature = sig;
  b.state = kStates[j % 5];
  b.top_function = "github.com/acme/svc" + std::to_string(service) + "/internal/worker.(*Pool).run" +
                   std::to_string(j);
  b.top_file = "/src/github.com/acme/svc/internal/worker/pool.go";
  b.top_line = 100 + j;
  b.creator = "github.com/acme/svc/internal/worker.(*Pool).Start";
  // About ten frames, as a real blocked goroutine has.
  for (int f = 0; f < 10; ++f) {
    b.stack_text += (f == 0 ? b.top_function : "github.com/acme/svc/internal/frame" + std::to_string(f)) +
                    "\n\t/src/github.com/acme/svc/internal/frames.go:" + std::to_string(40 + f) + "\n";
  }
  return b;
}

Fleet MakeFleet(Store* store, int n, const std::string& prefix) {
  Fleet fleet;
  for (int t = 0; t < n; ++t) {
    Target target;
    std::string name = prefix + std::to_string(t);
    target.id = store->UpsertTarget(name, "http://" + name + ":6060", "{\"service\":\"svc\"}");
    target.snap.target_id = target.id;
    target.snap.form = "debug2";
    for (int j = 0; j < kBuckets; ++j) {
      StoredBucket b = MakeBucket(t / kReplicas, j);
      b.count = 1 + fleet.rng() % 40;
      target.base.push_back(b.count);
      target.snap.buckets.push_back(std::move(b));
    }
    fleet.targets.push_back(std::move(target));
  }
  return fleet;
}

// One poll of every target at simulated second `sec`.
// `step_s`: seconds between polls (outages stay about one per 40 min).
void Tick(Store* store, Fleet* fleet, int64_t t0, int sec, double* cpu, uint64_t* calls, int step_s = 1) {
  std::uniform_real_distribution<double> u(0, 1);
  for (Target& t : fleet->targets) {
    SnapshotRecord& s = t.snap;
    s.time_ms = t0 + sec * 1000LL;
    if (t.down_until < sec && u(fleet->rng) < step_s / 2400.0) {
      t.down_until = sec + 5 + static_cast<int>(fleet->rng() % 26);
    }
    s.ok = sec > t.down_until;
    s.error = s.ok ? "" : "Get \"http://x:6060/debug/pprof/goroutine\": dial tcp: connection refused";
    if (s.ok) {
      for (int j = kNoisyFrom; j < kGrowing; ++j) {
        if (u(fleet->rng) < 0.1) {
          uint64_t b = t.base[static_cast<size_t>(j)];
          s.buckets[static_cast<size_t>(j)].count = fleet->rng() % 2 ? b + 1 : b - 1 + (b == 1);
        }
      }
      s.buckets[kGrowing].count = t.base[kGrowing] + static_cast<uint64_t>(sec / 30);
      s.total = 0;
      s.by_state.assign(5, StateCount{});
      for (int j = 0; j < kBuckets; ++j) {
        s.total += s.buckets[static_cast<size_t>(j)].count;
        s.by_state[static_cast<size_t>(j % 5)].state = kStates[j % 5];
        s.by_state[static_cast<size_t>(j % 5)].count += s.buckets[static_cast<size_t>(j)].count;
      }
    }
    std::string error;
    double c0 = CpuSeconds();
    if (!store->AddSnapshot(s, &error)) {
      std::fprintf(stderr, "AddSnapshot: %s\n", error.c_str());
      std::exit(1);
    }
    *cpu += CpuSeconds() - c0;
    ++*calls;
  }
}

// Bytes per table and index, when SQLite was built with dbstat.
void PrintTables(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db,
                         "SELECT name, sum(pgsize), sum(ncell) FROM dbstat GROUP BY name "
                         "ORDER BY 2 DESC",
                         -1, &st, nullptr) == SQLITE_OK) {
    std::printf("  %-22s %12s %12s %10s\n", "table/index", "bytes", "rows", "B/row");
    while (sqlite3_step(st) == SQLITE_ROW) {
      double bytes = sqlite3_column_double(st, 1);
      double cells = sqlite3_column_double(st, 2);
      std::printf("  %-22s %12.0f %12.0f %10.1f\n",
                  reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), bytes, cells,
                  cells > 0 ? bytes / cells : 0.0);
    }
  } else {
    std::printf("  (no dbstat in this SQLite: per-table sizes unavailable)\n");
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int64_t Count(const std::string& path, const char* sql);

// Bytes of live pages (the file minus its free list, WAL included): what
// the data takes, independent of when SQLite last checkpointed or how
// many freed pages wait for reuse.
double UsedBytes(const std::string& path) {
  return static_cast<double>(Count(path, "SELECT (page_count - freelist_count) * page_size "
                                         "FROM pragma_page_count, pragma_freelist_count, "
                                         "pragma_page_size"));
}

int64_t Count(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return v;
}

std::unique_ptr<Store> Fresh(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  std::string error;
  auto store = Store::Open(path, &error);
  if (store == nullptr) {
    std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(1);
  }
  return store;
}

// Phase 3: the whole default retention, simulated: `targets` polled every
// `interval` s for `days` days, Retain() every 10 simulated minutes as
// watch does. Prints the file at the end of each day: it should stop
// growing once the history reaches max (30 days), and the thinned part
// should grow by the same amount each day before that.
void Days(const std::string& dir, int targets, int interval, double days, int64_t t0,
          const RetentionPolicy& policy) {
  std::string path = dir + "/leakhound_store_bench_days.db";
  uint64_t calls = 0;
  double cpu = 0, retain_cpu = 0;
  const int seconds = static_cast<int>(days * 86400);
  std::printf("phase 3: %d targets every %d s for %.0f simulated days, Retain() every 10 min, "
              "default policy\n", targets, interval, days);
  std::printf("  %5s %12s %12s %12s %14s %14s\n", "day", "file", "live", "free pages", "snapshots",
              "bucket runs");
  {
    auto store = Fresh(path);
    Fleet fleet = MakeFleet(store.get(), targets, "d");
    for (int sec = 0; sec < seconds; sec += interval) {
      Tick(store.get(), &fleet, t0, sec, &cpu, &calls, interval);
      int next = sec + interval;
      if (next / 600 != sec / 600) {
        double c0 = CpuSeconds();
        store->Retain(t0 + next * 1000LL, policy);
        retain_cpu += CpuSeconds() - c0;
      }
      if (next / 86400 != sec / 86400) {
        std::printf("  %5d %12s %12s %12" PRId64 " %14" PRId64 " %14" PRId64 "\n", next / 86400,
                    Mb(static_cast<double>(StoreSize(path))).c_str(), Mb(UsedBytes(path)).c_str(),
                    Count(path, "PRAGMA freelist_count"), Count(path, "SELECT count(*) FROM snapshots"),
                    Count(path, "SELECT count(*) FROM bucket_runs"));
        std::fflush(stdout);
      }
    }
  }
  std::printf("  AddSnapshot %.1f us CPU each (%" PRIu64 " calls); Retain %.1f s CPU in all\n",
              cpu / static_cast<double>(calls) * 1e6, calls, retain_cpu);
  std::printf("  file after close: %s\n", Mb(static_cast<double>(StoreSize(path))).c_str());
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int targets = 200, small_targets = 5, day_targets = 200, day_interval = 30;
  double hours = 1, small_hours = 7, days = 0;
  std::string dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--targets") targets = std::atoi(argv[i + 1]);
    else if (flag == "--hours") hours = std::atof(argv[i + 1]);
    else if (flag == "--small-targets") small_targets = std::atoi(argv[i + 1]);
    else if (flag == "--small-hours") small_hours = std::atof(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
    else if (flag == "--days") days = std::atof(argv[i + 1]);
    else if (flag == "--day-targets") day_targets = std::atoi(argv[i + 1]);
    else if (flag == "--day-interval") day_interval = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  const int64_t t0 = 1'700'000'100'000;  // a multiple of 5 min
  const RetentionPolicy policy;

  // Phase 1: the full fleet.
  std::string path = dir + "/leakhound_store_bench.db";
  uint64_t calls = 0;
  double cpu = 0;
  const int seconds = static_cast<int>(hours * 3600);
  {
    auto store = Fresh(path);
    Fleet fleet = MakeFleet(store.get(), targets, "t");
    for (int sec = 0; sec < seconds; ++sec) Tick(store.get(), &fleet, t0, sec, &cpu, &calls);
  }  // closed: WAL checkpointed into the file
  const double size1 = static_cast<double>(StoreSize(path));
  const int64_t snapshots = Count(path, "SELECT count(*) FROM snapshots");
  const int64_t bucket_runs = Count(path, "SELECT count(*) FROM bucket_runs");
  const int64_t state_runs = Count(path, "SELECT count(*) FROM state_runs");
  std::printf("phase 1: %d targets x %d buckets, 1 poll/s, %.2f h simulated\n", targets, kBuckets,
              hours);
  std::printf("  AddSnapshot: %" PRIu64 " calls, %.1f us CPU each (%.1f%% of one core at %d/s)\n",
              calls, cpu / static_cast<double>(calls) * 1e6,
              cpu / static_cast<double>(calls) * targets * 100, targets);
  std::printf("  rows: %" PRId64 " snapshots, %" PRId64 " bucket runs, %" PRId64
              " state runs (%.3f bucket runs per bucket per poll)\n",
              snapshots, bucket_runs, state_runs,
              static_cast<double>(bucket_runs) / static_cast<double>(calls) / kBuckets);
  std::printf("  size after %.2f h: %s (%.1f bytes per snapshot)\n", hours, Mb(size1).c_str(),
              size1 / static_cast<double>(calls));
  PrintTables(path);
  const double per_hour = size1 / hours;
  std::printf("  projected without retention: %s per day\n", Mb(per_hour * 24).c_str());
  // Steady state under the default policy: the full window at this rate;
  // thinned days keep one snapshot per 5 min, each with at most the runs
  // that changed around it (measured in phase 2 below).
  const double full_h = static_cast<double>(policy.full_ms) / 3.6e6;
  std::printf("  projected full-detail window (%.0f h): %s\n", full_h, Mb(per_hour * full_h).c_str());

  // Phase 2: a small fleet through the full window, with retention.
  std::string small_path = dir + "/leakhound_store_bench_small.db";
  calls = 0;
  cpu = 0;
  double retain_cpu = 0;
  int retains = 0;
  const int small_seconds = static_cast<int>(small_hours * 3600);
  std::vector<std::pair<double, double>> sizes;  // (hour, bytes)
  {
    auto store = Fresh(small_path);
    Fleet fleet = MakeFleet(store.get(), small_targets, "s");
    for (int sec = 0; sec < small_seconds; ++sec) {
      Tick(store.get(), &fleet, t0, sec, &cpu, &calls);
      if ((sec + 1) % 600 == 0) {
        double c0 = CpuSeconds();
        store->Retain(t0 + (sec + 1) * 1000LL, policy);
        retain_cpu += CpuSeconds() - c0;
        ++retains;
      }
      if ((sec + 1) % 3600 == 0) sizes.emplace_back((sec + 1) / 3600.0, UsedBytes(small_path));
    }
  }
  const double small_size = static_cast<double>(StoreSize(small_path));
  const double scale = static_cast<double>(targets) / small_targets;
  std::printf("phase 2: %d targets, %.1f h simulated, Retain() every 10 min (default policy: "
              "full %.0f h, then 1 per %.0f min, max %.0f d)\n",
              small_targets, small_hours, full_h, static_cast<double>(policy.step_ms) / 60000,
              static_cast<double>(policy.max_ms) / 8.64e7);
  std::printf("  AddSnapshot %.1f us CPU each; Retain %.1f ms CPU each (x%.0f for %d targets)\n",
              cpu / static_cast<double>(calls) * 1e6, retain_cpu / retains * 1e3, scale, targets);
  for (const auto& [h, bytes] : sizes) {
    std::printf("  after %4.1f h: %10s live (x%.0f: %s)\n", h, Mb(bytes).c_str(), scale,
                Mb(bytes * scale).c_str());
  }
  std::printf("  file after close: %s (freed pages are reused, not returned); snapshots %" PRId64 ", bucket runs %" PRId64 "\n",
              Mb(small_size).c_str(), Count(small_path, "SELECT count(*) FROM snapshots"),
              Count(small_path, "SELECT count(*) FROM bucket_runs"));
  if (small_hours > full_h + 1) {
    // Past the full window the file only grows by thinned steps: measure
    // that growth per hour and extrapolate it over the rest of max_ms.
    const double last = sizes.back().second, before = sizes[sizes.size() - 2].second;
    const double thinned_per_hour = std::max(0.0, last - before);
    const double max_h = static_cast<double>(policy.max_ms) / 3.6e6;
    std::printf("  observed growth past the full window: %s/h (x%.0f: %s/h)\n",
                Mb(thinned_per_hour).c_str(), scale, Mb(thinned_per_hour * scale).c_str());
    std::printf("  steady state at %.0f d, %d targets: about %s (full window %s + thinned %s)\n",
                max_h / 24, targets, Mb((last + thinned_per_hour * (max_h - small_hours)) * scale).c_str(),
                Mb(last * scale).c_str(), Mb(thinned_per_hour * (max_h - small_hours) * scale).c_str());
  }
  for (const std::string& p : {path, small_path})
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  if (days > 0) Days(dir, day_targets, day_interval, days, t0, policy);
  return 0;
}
