// leakhound watch when its history file misbehaves: a full disk, a
// read-only file or folder, a file cut short, a WAL left by a killed
// watch, a second watch on the same file. Each runs the built binary
// against a real SQLite file and checks the file with SQLite afterwards.
// The target is a port nobody listens on: every poll is a gap, and a gap
// is a snapshot row like any other, so each poll is one write.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "run_util.h"

namespace e2e {
namespace {

std::string DeadUrl() { return "http://127.0.0.1:" + std::to_string(FreePort()); }

// integrity_check and the number of snapshot rows, straight from SQLite
// (read-only: checking must not change the file).
std::string Check(const std::string& db, long* snapshots) {
  sqlite3* h = nullptr;
  *snapshots = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return "cannot open";
  }
  std::string result;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  else
    result = sqlite3_errmsg(h);
  sqlite3_finalize(st);
  if (sqlite3_prepare_v2(h, "SELECT count(*) FROM snapshots", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    *snapshots = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return result;
}

// A watch of a dead target writing a gap every 100 ms into `db`.
std::vector<std::string> WatchArgs(const std::string& db, const std::string& duration) {
  return {"watch", DeadUrl(), "--no-config", "--interval", "100ms", "--duration", duration,
          "--timeout", "1s", "--db", db, "--quiet"};
}

long Snapshots(const std::string& db) {
  long n = 0;
  Check(db, &n);
  return n;
}

size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(StoreFaults, DiskFullStopsWithOneLineAndTheFileStaysSound) {
  std::string db = Fresh("full.db");
  RunResult first = Leakhound(WatchArgs(db, "1s"));
  ASSERT_EQ(first.status, 0) << first.err;
  long before = Snapshots(db);
  ASSERT_GE(before, 3);
  // RLIMIT_FSIZE with SIGXFSZ ignored: a write past the limit returns
  // EFBIG, as a full disk returns ENOSPC. 400 blocks of 512 bytes: room
  // for the file as it is and a few WAL frames, not for 30 s of polls.
  RunResult r = e2e::Run({"sh", "-c", "trap '' XFSZ; ulimit -f 400; exec \"$0\" \"$@\"", LeakhoundBinary(),
                     "watch", DeadUrl(), "--no-config", "--interval", "50ms", "--duration", "30s",
                     "--timeout", "1s", "--db", db, "--quiet"});
  EXPECT_EQ(r.status, 11) << r.err;
  EXPECT_NE(r.err.find("leakhound: " + db + ": "), std::string::npos) << r.err;
  EXPECT_TRUE(r.err.find("disk I/O error") != std::string::npos ||
              r.err.find("disk is full") != std::string::npos)
      << r.err;
  long after = 0;
  EXPECT_EQ(Check(db, &after), "ok");
  EXPECT_GE(after, before);  // what was committed before is kept
  // And the same file takes more history once there is room again.
  RunResult again = Leakhound(WatchArgs(db, "1s"));
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_GT(Snapshots(db), after);
}

// Root ignores permission bits; the immutable attribute binds root too.
bool Immutable(const std::string& path, bool on) {
  return e2e::Run({"chattr", on ? "+i" : "-i", path}).status == 0;
}

TEST(StoreFaults, ReadOnlyFileIsRefusedAndLeftAlone) {
  std::string db = Fresh("readonly.db");
  ASSERT_EQ(Leakhound(WatchArgs(db, "500ms")).status, 0);
  std::string bytes = ReadFile(db);
  ASSERT_TRUE(Immutable(db, true)) << "chattr +i does not work on " << db;
  RunResult r = Leakhound(WatchArgs(db, "1s"));
  Immutable(db, false);
  EXPECT_EQ(r.status, 11) << r.err;
  EXPECT_EQ(r.err, "leakhound: " + db + ": cannot open for writing: Operation not permitted; the file is left as it is\n");
  EXPECT_EQ(ReadFile(db), bytes);
}

TEST(StoreFaults, ReadOnlyFolderIsRefused) {
  std::string dir = WorkDir() + "/rodir";
  e2e::Run({"mkdir", "-p", dir});
  std::string db = Fresh("rodir/new.db");
  ASSERT_TRUE(Immutable(dir, true));
  RunResult r = Leakhound(WatchArgs(db, "1s"));
  Immutable(dir, false);
  EXPECT_EQ(r.status, 11) << r.err;
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err, "leakhound: " + db + ": cannot create: Operation not permitted\n");
  EXPECT_NE(access(db.c_str(), F_OK), 0);
}

TEST(StoreFaults, TruncatedFileIsRefusedNotRepaired) {
  std::string db = Fresh("cut.db");
  // Enough history for several pages.
  ASSERT_EQ(Leakhound(WatchArgs(db, "2s")).status, 0);
  std::string bytes = ReadFile(db);
  ASSERT_GE(bytes.size(), 4u * 4096) << "too small to cut";
  bytes.resize(bytes.size() - 4096 - 1000);  // mid-page
  WriteFile(db, bytes);
  RunResult r = Leakhound(WatchArgs(db, "1s"));
  EXPECT_EQ(r.status, 11) << r.err;
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("leakhound: " + db + ": database disk image is malformed (truncated"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(ReadFile(db), bytes) << "the file was changed";
  EXPECT_NE(access((db + "-wal").c_str(), F_OK), 0) << "a WAL was started on it";
  // serve does not crash on it either: one line, exit code, no change.
  RunResult s = Leakhound({"serve", "--db", db, "--addr", "127.0.0.1:0", "--no-config"},
                          [] { RunOptions o; o.timeout_ms = 10000; return o; }());
  EXPECT_FALSE(s.timed_out);
  EXPECT_NE(s.status, 0);
  EXPECT_LT(s.status, 128) << s.err;  // not a signal
  EXPECT_EQ(ReadFile(db), bytes);
}

TEST(StoreFaults, KilledWriterLeavesAWalThatTheNextWatchRecovers) {
  std::string db = Fresh("killed.db");
  std::vector<std::string> argv = {LeakhoundBinary()};
  for (const std::string& a : WatchArgs(db, "60s")) argv.push_back(a);
  long committed = 0;
  {
    Service w(argv, "history in ", true);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    kill(w.pid(), SIGKILL);
    w.Stop();
  }
  ASSERT_EQ(access((db + "-wal").c_str(), F_OK), 0) << "no WAL left behind";
  {
    std::ifstream wal(db + "-wal", std::ios::binary | std::ios::ate);
    EXPECT_GT(static_cast<long>(wal.tellg()), 0);
  }
  // What a reader sees now is what the watch committed before it died.
  EXPECT_EQ(Check(db, &committed), "ok");
  EXPECT_GE(committed, 5);
  RunResult r = Leakhound(WatchArgs(db, "1s"));
  ASSERT_EQ(r.status, 0) << r.err;
  long after = 0;
  EXPECT_EQ(Check(db, &after), "ok");
  EXPECT_GT(after, committed);
}

TEST(StoreFaults, SecondWatchIsRefusedByTheLockWhileServeReads) {
  std::string db = Fresh("locked.db");
  std::vector<std::string> argv = {LeakhoundBinary()};
  for (const std::string& a : WatchArgs(db, "60s")) argv.push_back(a);
  Service first(argv, "history in ", true);
  RunResult second = Leakhound(WatchArgs(db, "1s"));
  EXPECT_EQ(second.status, 12) << second.err;
  EXPECT_EQ(second.err, "leakhound: " + db + ": in use by another leakhound watch (pid " +
                            std::to_string(first.pid()) +
                            "); one watch writes a history file at a time\n");
  // A reader needs no lock: serve shows the history while the watch writes.
  Service serve({LeakhoundBinary(), "serve", "--db", db, "--addr", "127.0.0.1:0", "--no-config"},
                "dashboard at ", true);
  std::string url = serve.ready_line();
  long n1 = Snapshots(db);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  RunResult page = e2e::Run({"curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                        url + "api/dashboard"});
  EXPECT_EQ(page.out, "200") << page.err;
  EXPECT_GT(Snapshots(db), n1) << "the watch stopped writing while serve read";
  EXPECT_EQ(first.SignalAndWait(SIGTERM, 10000), 0);
  long n = 0;
  EXPECT_EQ(Check(db, &n), "ok");
  // Once the first watch is gone the file is free again.
  EXPECT_EQ(Leakhound(WatchArgs(db, "500ms")).status, 0);
}

}  // namespace
}  // namespace e2e
