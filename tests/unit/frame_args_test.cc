// The text parser keeps, per goroutine, the argument words of the frames
// that can name an object goroutines share (user functions, sync's lock
// methods): goroutines with one stack differ in them, and the wait-for
// graph (src/waitfor) matches holders and waiters by them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dump/dump.h"
#include "read_util.h"

namespace leakhound {
namespace {

std::vector<uint64_t> Words(const Snapshot& s, size_t g, size_t frame) {
  std::span<const uint64_t> w = s.ArgsOf(g, frame);
  return std::vector<uint64_t>(w.begin(), w.end());
}

// Go 1.26's shape of two goroutines of an AB-BA deadlock: one stack, the
// two accounts swapped.
const char* kAbba = R"(goroutine 19 [sync.Mutex.Lock]:
internal/sync.runtime_SemacquireMutex(0x1?, 0x0?, 0x19?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0x36710b282030)
	/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
	/usr/local/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.transfer(0x36710b282020, 0x36710b282030, 0x1, 0x36710b282040)
	/tmp/lk/main.go:37 +0x87
created by main.main in goroutine 1
	/tmp/lk/main.go:97 +0x13a

goroutine 20 [sync.Mutex.Lock]:
internal/sync.runtime_SemacquireMutex(0x36710b21f780?, 0x29?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
internal/sync.(*Mutex).lockSlow(0x36710b282020)
	/usr/local/go/src/internal/sync/mutex.go:149 +0x15d
internal/sync.(*Mutex).Lock(...)
	/usr/local/go/src/internal/sync/mutex.go:70
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.transfer(0x36710b282030, 0x36710b282020, 0x2, 0x36710b282040)
	/tmp/lk/main.go:37 +0x87
created by main.main in goroutine 1
	/tmp/lk/main.go:97 +0x13a

)";

TEST(FrameArgs, KeptPerGoroutineForUserAndLockFrames) {
  DumpSet set = Read(kAbba);
  ASSERT_EQ(set.snapshots.size(), 1u);
  const Snapshot& s = set.snapshots[0];
  ASSERT_EQ(s.goroutines().size(), 2u);
  EXPECT_EQ(s.goroutines()[0].stack, s.goroutines()[1].stack);
  // Frame 0 (the runtime's semaphore) and the inlined Lock frames: none.
  EXPECT_TRUE(Words(s, 0, 0).empty());
  EXPECT_TRUE(Words(s, 0, 2).empty());
  EXPECT_TRUE(Words(s, 0, 3).empty());
  EXPECT_EQ(Words(s, 0, 1), std::vector<uint64_t>{0x36710b282030});
  EXPECT_EQ(Words(s, 1, 1), std::vector<uint64_t>{0x36710b282020});
  EXPECT_EQ(Words(s, 0, 4), (std::vector<uint64_t>{0x36710b282020, 0x36710b282030, 1, 0x36710b282040}));
  EXPECT_EQ(Words(s, 1, 4), (std::vector<uint64_t>{0x36710b282030, 0x36710b282020, 2, 0x36710b282040}));
  EXPECT_FALSE(s.args_capped());
}

TEST(FrameArgs, UnknownWordsAndTheElision) {
  DumpSet set = Read(
      "goroutine 5 [chan send]:\n"
      "main.(*Store).Get(0x0?, {0x515e20, 0x1}, 0xc000012345)\n\t/a/main.go:16 +0x5c\n"
      "github.com/x/y.f(0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa, ...)\n\t/a/y.go:3 +0x1\n"
      "net/http.(*conn).serve(0xc000100000)\n\t/go/src/net/http/server.go:1 +0x1\n\n");
  const Snapshot& s = set.snapshots.at(0);
  EXPECT_EQ(Words(s, 0, 0), (std::vector<uint64_t>{kArgUnknown, kArgUnknown, 0xc000012345}));
  EXPECT_EQ(Words(s, 0, 1).size(), 10u);
  EXPECT_EQ(Words(s, 0, 1).back(), 0xau);
  EXPECT_TRUE(Words(s, 0, 2).empty()) << "standard library frames keep no arguments";
}

}  // namespace
}  // namespace leakhound
