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

// net/http.send's deadline: its time.Time's location word is nil for
// the zero Time (no Client.Timeout) and set otherwise. Go 1.17+ prints
// the Time braced (go1.26.8's shape below), older Go flat.
std::string HttpSend(uint64_t id, const std::string& args) {
  return "goroutine " + std::to_string(id) + " [select]:\n"
         "net/http.(*persistConn).roundTrip(0xc000150000, 0xc00013a180)\n"
         "\t/usr/local/go/src/net/http/transport.go:2911 +0x83d\n"
         "net/http.send(" + args + ")\n"
         "\t/usr/local/go/src/net/http/client.go:264 +0x64b\n"
         "main.fetch({0xc0000161e0, 0x17})\n"
         "\t/app/main.go:21 +0x32\n"
         "created by main.main in goroutine 1\n"
         "\t/app/main.go:70 +0x5a\n\n";
}

TEST(FrameArgs, HttpSendDeadlineSetsTheGoroutineFlag) {
  struct Case {
    const char* args;
    bool deadline;
  } cases[] = {
      {"0x3d24ed074640, {0x764ec0, 0x9debe0}, {0x3d24ed007d58?, 0x4883a6?, 0x9e5360?}", true},
      {"0x3d24ed0743c0, {0x764ec0, 0x9debe0}, {0x3d24ed006d68?, 0x4883a6?, 0x0?}", false},
      {"0xc000074100, {0x71cf40, 0x895960}, {0x69b400, 0x1, 0x0}", false},
      {"0xc000074100, 0x71cf40, 0x895960, 0xc0a1b2, 0x12a05f200, 0x9e5360, 0x0, 0x0", true},
      {"0xc000074100, 0x71cf40, 0x895960, 0x0, 0x0, 0x0, 0x0, 0x0", false},
      {"0xc000074100, {0x71cf40, 0x895960}, {0x69b400?, 0x1?, ...}", false},
      {"0xc000074100, {0x71cf40, 0x895960}, {0x69b400?, 0x1?, zz}", false},
      {"...", false},
      {"", false},
  };
  for (const Case& c : cases) {
    DumpSet set = Read(HttpSend(7, c.args));
    ASSERT_EQ(set.snapshots.size(), 1u) << c.args;
    ASSERT_EQ(set.snapshots[0].goroutines().size(), 1u) << c.args;
    EXPECT_EQ(set.snapshots[0].goroutines()[0].has(kHttpDeadline), c.deadline) << c.args;
  }
  // Per goroutine: the next one, without a deadline, does not inherit it.
  DumpSet set = Read(HttpSend(7, cases[0].args) + HttpSend(8, cases[1].args));
  ASSERT_EQ(set.snapshots[0].goroutines().size(), 2u);
  EXPECT_TRUE(set.snapshots[0].goroutines()[0].has(kHttpDeadline));
  EXPECT_FALSE(set.snapshots[0].goroutines()[1].has(kHttpDeadline));
}

}  // namespace
}  // namespace leakhound
