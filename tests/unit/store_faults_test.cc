// The store's API when its file misbehaves: the writer lock, a file cut
// short, a full disk (RLIMIT_FSIZE in a child process). The e2e tests in
// tests/e2e/store_faults_test.cc run the same faults through the binary.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "store/store.h"

namespace leakhound {
namespace {

std::string TempPath(const std::string& name) {
  std::string path =
      ::testing::TempDir() + "/lh_faults_" + std::to_string(::getpid()) + "_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SnapshotRecord Snap(int64_t target, int64_t time_ms, uint64_t n) {
  SnapshotRecord s;
  s.target_id = target;
  s.time_ms = time_ms;
  s.form = "proto";
  StoredBucket b;
  b.signature = "00000000000000" + std::string(1, "0123456789abcdef"[n % 16]) + "1";
  b.state = "chan send";
  b.top_function = "main.worker";
  b.top_file = "/src/main.go";
  b.top_line = static_cast<int>(n);
  b.stack_text = std::string(200, 'x') + std::to_string(n);  // a new stack row each time
  b.count = n + 1;
  s.total = b.count;
  s.by_state.push_back({"chan send", b.count});
  s.buckets.push_back(b);
  return s;
}

std::string Integrity(const std::string& path) {
  std::string error;
  auto store = Store::Open(path, &error);
  return store ? store->IntegrityCheck() : error;
}

TEST(StoreFaults, OneWriterAtATimeReadersFree) {
  std::string path = TempPath("lock");
  std::string error;
  StoreOpenFault fault = StoreOpenFault::kNone;
  auto writer = Store::Open(path, &error, true);
  ASSERT_NE(writer, nullptr) << error;
  int64_t t = writer->UpsertTarget("svc", "http://x", "{}");
  ASSERT_TRUE(writer->AddSnapshot(Snap(t, 1000, 1), &error)) << error;

  EXPECT_EQ(Store::Open(path, &error, true, &fault), nullptr);
  EXPECT_EQ(fault, StoreOpenFault::kLocked);
  EXPECT_EQ(error, path + ": in use by another leakhound watch (pid " + std::to_string(getpid()) +
                       "); one watch writes a history file at a time");

  auto reader = Store::Open(path, &error);  // no lock: serve
  ASSERT_NE(reader, nullptr) << error;
  ASSERT_TRUE(writer->AddSnapshot(Snap(t, 2000, 2), &error)) << error;
  EXPECT_EQ(reader->TotalSeries(t, 0).size(), 2u);
  reader.reset();  // closing another connection must not drop the lock
  EXPECT_EQ(Store::Open(path, &error, true, &fault), nullptr);
  EXPECT_EQ(fault, StoreOpenFault::kLocked);

  writer.reset();
  EXPECT_NE(Store::Open(path, &error, true), nullptr) << error;
}

TEST(StoreFaults, TruncatedFileIsRefusedAndLeftAsItIs) {
  std::string path = TempPath("cut");
  {
    auto store = Store::Open(path, nullptr, true);
    ASSERT_NE(store, nullptr);
    int64_t t = store->UpsertTarget("svc", "http://x", "{}");
    std::string error;
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(store->AddSnapshot(Snap(t, 1000 + i, i), &error)) << error;
  }
  std::string bytes = ReadBytes(path);
  ASSERT_GT(bytes.size(), 8u * 4096);
  bytes.resize(bytes.size() - 6000);
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
  for (bool writer : {true, false}) {
    std::string error;
    StoreOpenFault fault = StoreOpenFault::kNone;
    EXPECT_EQ(Store::Open(path, &error, writer, &fault), nullptr);
    EXPECT_EQ(fault, StoreOpenFault::kUnusable);
    EXPECT_EQ(error.rfind(path + ": database disk image is malformed (truncated: " +
                              std::to_string(bytes.size()) + " bytes",
                          0),
              0u)
        << error;
    EXPECT_EQ(ReadBytes(path), bytes);
    EXPECT_NE(::access((path + "-wal").c_str(), F_OK), 0);
  }
}

// In a child: ignore SIGXFSZ, cap file size, write until it fails. Exits
// 0 when the failure was a store fault naming the file and EFBIG.
int FillUntilFull(const std::string& path, std::string* fault_out) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
    signal(SIGXFSZ, SIG_IGN);
    rlimit lim{256 * 1024, 256 * 1024};
    setrlimit(RLIMIT_FSIZE, &lim);
    std::string error;
    auto store = Store::Open(path, &error, true);
    if (!store) _exit(2);
    int64_t t = store->UpsertTarget("svc", "http://x", "{}");
    for (int i = 0; i < 100000; ++i) {
      if (!store->AddSnapshot(Snap(t, 1000 + i, static_cast<uint64_t>(i)), &error)) break;
    }
    std::string fault = store->fault();
    (void)!write(pipefd[1], fault.data(), fault.size());
    _exit(fault.empty() ? 3 : 0);
  }
  close(pipefd[1]);
  char buf[512];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) fault_out->append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(StoreFaults, FullDiskIsAFaultAndLosesNothingCommitted) {
  std::string path = TempPath("full");
  std::string fault;
  ASSERT_EQ(FillUntilFull(path, &fault), 0) << fault;
  EXPECT_EQ(fault.rfind(path + ": ", 0), 0u) << fault;
  // SQLite says "disk I/O error" for EFBIG and "database or disk is
  // full" for ENOSPC.
  EXPECT_TRUE(fault.find("disk I/O error") != std::string::npos ||
              fault.find("disk is full") != std::string::npos)
      << fault;
  EXPECT_EQ(Integrity(path), "ok");
  std::string error;
  auto store = Store::Open(path, &error, true);
  ASSERT_NE(store, nullptr) << error;
  auto targets = store->Targets();
  ASSERT_EQ(targets.size(), 1u);
  size_t kept = store->TotalSeries(targets[0].id, 0).size();
  EXPECT_GE(kept, 2u);
  // With room again, the file takes the next snapshot after the last kept one.
  auto latest = store->LatestSnapshot(targets[0].id);
  ASSERT_TRUE(latest.has_value());
  EXPECT_TRUE(store->AddSnapshot(Snap(targets[0].id, latest->time_ms + 1, 7), &error)) << error;
  EXPECT_EQ(store->fault(), "");
}

}  // namespace
}  // namespace leakhound
