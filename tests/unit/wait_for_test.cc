// BuildWaitFor on dumps shaped as Go 1.26 writes them and a small source
// file: the shapes no single real program in testdata shows at once (a
// ring of three, readers that share, a chain of thousands of waiters).
// The real dumps of the common cycles are tested end to end
// (tests/e2e/lockcycle_test.cc).
#include "waitfor/wait_for.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "read_util.h"

namespace leakhound {
namespace {

// Lines 4 and 5 matter: move takes `from` at 4 and waits for `to` at 5;
// peek read-locks at 10 and calls look at 11, which read-locks at 15.
const char* kSource =
    "package main\n"                                   // 1
    "\n"                                               // 2
    "func move(from, to *Account) {\n"                 // 3
    "\tfrom.mu.Lock()\n"                               // 4
    "\tto.mu.Lock()\n"                                 // 5
    "\tto.mu.Unlock()\n"                               // 6
    "\tfrom.mu.Unlock()\n"                             // 7
    "}\n"                                              // 8
    "func (t *Table) peek() int {\n"                   // 9
    "\tt.rw.RLock()\n"                                 // 10
    "\treturn t.look()\n"                              // 11
    "}\n"                                              // 12
    "\n"                                               // 13
    "func (t *Table) look() int {\n"                   // 14
    "\tt.rw.RLock()\n"                                 // 15
    "\tdefer t.rw.RUnlock()\n"                         // 16
    "\treturn 0\n"                                     // 17
    "}\n";                                             // 18

std::string Dir() {
  std::string d = ::testing::TempDir() + "/lh_wait_for_src";
  std::filesystem::create_directories(d);
  std::ofstream(d + "/main.go") << kSource;
  return d;
}

std::string Mover(uint64_t id, uint64_t from, uint64_t to) {
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "goroutine %llu [sync.Mutex.Lock]:\n"
                "internal/sync.runtime_SemacquireMutex(0x1?, 0x0?, 0x19?)\n"
                "\t/usr/local/go/src/runtime/sema.go:95 +0x25\n"
                "sync.(*Mutex).Lock(...)\n"
                "\t/usr/local/go/src/sync/mutex.go:46\n"
                "main.move(0x%llx, 0x%llx)\n"
                "\t/app/main.go:5 +0x45\n"
                "created by main.main in goroutine 1\n"
                "\t/app/main.go:30 +0x65\n\n",
                static_cast<unsigned long long>(id), static_cast<unsigned long long>(from),
                static_cast<unsigned long long>(to));
  return buf;
}

// Goroutine `id` read-locked t at peek and now read-locks it again in look.
std::string Reader(uint64_t id, uint64_t table) {
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "goroutine %llu [sync.RWMutex.RLock]:\n"
                "sync.runtime_SemacquireRWMutexR(0x0?, 0x0?, 0x0?)\n"
                "\t/usr/local/go/src/runtime/sema.go:100 +0x25\n"
                "sync.(*RWMutex).RLock(...)\n"
                "\t/usr/local/go/src/sync/rwmutex.go:74\n"
                "main.(*Table).look(0x%llx)\n"
                "\t/app/main.go:15 +0x45\n"
                "main.(*Table).peek(0x%llx)\n"
                "\t/app/main.go:11 +0x25\n"
                "created by main.main in goroutine 1\n"
                "\t/app/main.go:31 +0x65\n\n",
                static_cast<unsigned long long>(id), static_cast<unsigned long long>(table),
                static_cast<unsigned long long>(table));
  return buf;
}

WaitForGraph Graph(const Snapshot& s, SourceView* view) {
  GoSources sources(view);
  return BuildWaitFor(s, sources);
}

TEST(WaitFor, RingOfThreeIsOneInversion) {
  DumpSet set = Read(Mover(5, 0xa0, 0xb0) + Mover(6, 0xb0, 0xc0) + Mover(7, 0xc0, 0xa0));
  SourceView view({Dir()});
  WaitForGraph g = Graph(set.snapshots.at(0), &view);
  ASSERT_EQ(g.cycles.size(), 1u);
  const WaitCycle& c = g.cycles[0];
  EXPECT_EQ(c.pattern, "lock-order-inversion");
  ASSERT_EQ(c.edges.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(c.edges[i].holder, c.edges[(i + 1) % 3].waiter);
    ASSERT_TRUE(c.edges[i].held);
    EXPECT_EQ(c.edges[i].wanted.lock, c.edges[i].held->lock);
    EXPECT_EQ(c.edges[i].held->line, 4u);
    EXPECT_EQ(c.edges[i].wanted.line, 5u);
  }
  EXPECT_EQ(g.cycle_of.size(), 3u);
}

TEST(WaitFor, OpenChainHasEdgesButNoCycle) {
  // 5 holds a and wants b; 6 holds b and wants c, which nobody holds:
  // 5 waits for 6, 6 for no one the dump shows.
  DumpSet set = Read(Mover(5, 0xa0, 0xb0) + Mover(6, 0xb0, 0xc0));
  SourceView view({Dir()});
  WaitForGraph g = Graph(set.snapshots.at(0), &view);
  EXPECT_TRUE(g.cycles.empty());
  ASSERT_EQ(g.edges.size(), 1u);
  EXPECT_EQ(g.edges[0].waiter, 5u);
  EXPECT_EQ(g.edges[0].holder, 6u);
}

TEST(WaitFor, WaitersBehindACycleAreBehindIt) {
  // 5 and 6 are an AB-BA pair; 7 holds c and waits for a (held by 5); 8
  // holds d and waits for c (held by 7): both wait, directly or not, for
  // goroutines that never move. 9 waits for e, which nobody holds.
  DumpSet set = Read(Mover(5, 0xa0, 0xb0) + Mover(6, 0xb0, 0xa0) + Mover(7, 0xc0, 0xa0) +
                     Mover(8, 0xd0, 0xc0) + Mover(9, 0xf0, 0xe0));
  SourceView view({Dir()});
  WaitForGraph g = Graph(set.snapshots.at(0), &view);
  ASSERT_EQ(g.cycles.size(), 1u);
  EXPECT_EQ(g.cycle_of.size(), 2u);
  ASSERT_EQ(g.behind.size(), 2u);
  EXPECT_EQ(g.edges[g.behind.at(7)].holder, 5u);
  EXPECT_EQ(g.edges[g.behind.at(8)].holder, 7u);
  EXPECT_FALSE(g.behind.count(9));
}

// A goroutine that locks its own local mutex twice (line 5 holds it from
// line 4): a cycle of one frame. Two such goroutines each have their own
// `mu`: neither waits for the other.
TEST(WaitFor, LocalMutexIsItsFramesOwn) {
  std::string d = ::testing::TempDir() + "/lh_wait_for_local";
  std::filesystem::create_directories(d);
  std::ofstream(d + "/local.go") << "package main\n"
                                    "\n"
                                    "func twice() {\n"
                                    "\tvar mu sync.Mutex\n"
                                    "\tmu.Lock()\n"
                                    "\tmu.Lock()\n"
                                    "}\n";
  auto g = [](int id) {
    return "goroutine " + std::to_string(id) +
           " [sync.Mutex.Lock]:\n"
           "internal/sync.runtime_SemacquireMutex(0x1?, 0x0?, 0x19?)\n"
           "\t/usr/local/go/src/runtime/sema.go:95 +0x25\n"
           "sync.(*Mutex).Lock(...)\n"
           "\t/usr/local/go/src/sync/mutex.go:46\n"
           "main.twice()\n"
           "\t/app/local.go:6 +0x45\n"
           "created by main.main in goroutine 1\n"
           "\t/app/local.go:30 +0x65\n\n";
  };
  DumpSet set = Read(g(5) + g(6));
  SourceView view({d});
  WaitForGraph graph = Graph(set.snapshots.at(0), &view);
  ASSERT_EQ(graph.cycles.size(), 2u);
  for (const WaitCycle& c : graph.cycles) {
    EXPECT_EQ(c.pattern, "mutex-held");
    ASSERT_EQ(c.edges.size(), 1u);
    EXPECT_EQ(c.edges[0].waiter, c.edges[0].holder);
    ASSERT_TRUE(c.edges[0].held);
    EXPECT_EQ(c.edges[0].held->line, 5u);
  }
  for (const WaitEdge& e : graph.edges) EXPECT_EQ(e.waiter, e.holder) << "no edge between the two";
}

// A channel followed from its function to the callers in its file holds
// only while no other file of the package names that function; a dump
// path that resolves under a root is checked in the directory it
// resolved to.
TEST(GoSources, ReturnedChannelNeedsThePackageToAgree) {
  std::string d = ::testing::TempDir() + "/lh_go_sources_pkg";
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  std::ofstream(d + "/gen.go") << "package main\n"
                                  "func numbers() <-chan int {\n"
                                  "\tout := make(chan int)\n"
                                  "\tgo func() {\n"
                                  "\t\tout <- 1\n"
                                  "\t}()\n"
                                  "\treturn out\n"
                                  "}\n"
                                  "func first() int { return <-numbers() }\n";
  std::ofstream(d + "/README.txt") << "numbers is not Go\n";
  std::ofstream(d + "/other.go") << "package main\n// mynumbers is another word\n";
  {
    SourceView view({d}, /*use_absolute=*/false);
    GoSources sources(&view);
    const LocalWait* w = sources.Local("/build/app/gen.go", 5);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->blocker, "");
    EXPECT_EQ(view.Where("/build/app/gen.go"), d + "/gen.go");
  }
  std::ofstream(d + "/other.go") << "package main\nvar keep = numbers\n";
  SourceView view({d}, /*use_absolute=*/false);
  GoSources sources(&view);
  const LocalWait* w = sources.Local("/build/app/gen.go", 5);
  ASSERT_NE(w, nullptr);
  EXPECT_NE(w->blocker.find("other.go"), std::string::npos) << w->blocker;
}

TEST(WaitFor, ReadersShareWithoutAQueuedWriter) {
  // Two readers, each holding t's read lock and taking it again: with no
  // writer waiting, RLock does not wait for RLock, so nothing is proven.
  DumpSet set = Read(Reader(5, 0xd0) + Reader(6, 0xd0));
  SourceView view({Dir()});
  WaitForGraph g = Graph(set.snapshots.at(0), &view);
  EXPECT_TRUE(g.edges.empty());
  EXPECT_TRUE(g.cycles.empty());
}

TEST(WaitFor, NoSourceNoGraph) {
  DumpSet set = Read(Mover(5, 0xa0, 0xb0) + Mover(6, 0xb0, 0xa0));
  SourceView nowhere({::testing::TempDir() + "/lh_wait_for_nowhere"}, /*use_absolute=*/false);
  WaitForGraph g = Graph(set.snapshots.at(0), &nowhere);
  EXPECT_TRUE(g.goroutines.empty());
  EXPECT_TRUE(g.cycles.empty());
}

TEST(WaitFor, LongChainDoesNotRecurse) {
  // 50,000 goroutines each holding lock k and waiting for k+1, closed
  // into one ring: the walk is iterative, so a hostile dump cannot
  // overflow the stack, and the whole ring is one cycle.
  const uint64_t n = 50000;
  std::string text;
  for (uint64_t k = 0; k < n; ++k) text += Mover(10 + k, 0x1000 + 16 * k, 0x1000 + 16 * ((k + 1) % n));
  DumpSet set = Read(text);
  SourceView view({Dir()});
  WaitForGraph g = Graph(set.snapshots.at(0), &view);
  ASSERT_EQ(g.cycles.size(), 1u);
  EXPECT_EQ(g.cycles[0].edges.size(), n);
  EXPECT_LT(g.cycles[0].text.size(), 4096u) << "the proof's text names the first steps only";
}

}  // namespace
}  // namespace leakhound
