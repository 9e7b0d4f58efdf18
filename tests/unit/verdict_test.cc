// Verdicts over small hand-written dumps: one pattern per test, plus the
// scoring rules (count, wait, small pools, benign table, series growth).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "analyze/baseline.h"
#include "analyze/verdict.h"
#include "config/config.h"
#include "dump/dump.h"

namespace leakhound {
namespace {

// One goroutine block: header state, then "function\n\tfile:line" pairs.
std::string G(uint64_t id, const std::string& state,
              const std::vector<std::pair<std::string, std::string>>& frames,
              const std::string& creator = "main.main", const std::string& creator_at = "/app/main.go:10") {
  std::string s = "goroutine " + std::to_string(id) + " [" + state + "]:\n";
  for (const auto& [fn, at] : frames) s += fn + "(...)\n\t" + at + " +0x1d\n";
  if (!creator.empty()) s += "created by " + creator + "\n\t" + creator_at + " +0x85\n";
  return s + "\n";
}

std::string Repeat(uint64_t first_id, int n, const std::string& state,
                   const std::vector<std::pair<std::string, std::string>>& frames) {
  std::string s;
  for (int i = 0; i < n; ++i) s += G(first_id + static_cast<uint64_t>(i), state, frames);
  return s;
}

struct Analyzed {
  DumpSet set;
  Verdict verdict;
};

std::unique_ptr<Analyzed> Analyze(const std::string& text, AnalyzeOptions options = {}) {
  auto a = std::make_unique<Analyzed>();
  ReadError err = ReadDumpBytes(text, "test", &a->set);
  EXPECT_FALSE(err) << err.message;
  std::vector<const Snapshot*> series = {&a->set.snapshots.back()};
  a->verdict = AnalyzeSeries(series, {}, options);
  return a;
}

const Finding* FindingFor(const Verdict& v, std::string_view pattern) {
  for (const Finding& f : v.findings)
    if (pattern == f.pattern->id) return &f;
  return nullptr;
}

const std::vector<std::pair<std::string, std::string>> kSend = {
    {"runtime.gopark", "/go/src/runtime/proc.go:363"},
    {"runtime.chansend", "/go/src/runtime/chan.go:259"},
    {"runtime.chansend1", "/go/src/runtime/chan.go:145"},
    {"main.fetch", "/app/fetch.go:42"}};

// Goroutines at one place that started one another (each a link of a
// recursive chain) count as chains, not as separate leaks; members whose
// creators are gone or elsewhere are roots.
TEST(Verdict, ChainsOfSelfStartedGoroutinesCountTheirRoots) {
  const std::vector<std::pair<std::string, std::string>> walk = {
      {"runtime.gopark", "/go/src/runtime/proc.go:363"},
      {"runtime.chansend", "/go/src/runtime/chan.go:259"},
      {"runtime.chansend1", "/go/src/runtime/chan.go:145"},
      {"main.walk", "/app/walk.go:12"}};
  auto in = [](uint64_t parent) { return "main.walk in goroutine " + std::to_string(parent); };
  std::string text;
  // Two chains: 20 <- 21 <- 22 <- 23 and 30 <- 31 <- 32; 20 and 30 were
  // started by goroutine 5, which is not in the dump.
  for (uint64_t id : {20, 21, 22, 23}) text += G(id, "chan send", walk, in(id == 20 ? 5 : id - 1), "/app/walk.go:20");
  for (uint64_t id : {30, 31, 32}) text += G(id, "chan send", walk, in(id == 30 ? 5 : id - 1), "/app/walk.go:20");
  auto a = Analyze(text);
  ASSERT_EQ(a->verdict.buckets.size(), 1u);
  EXPECT_EQ(a->verdict.buckets[0].count, 7u);
  EXPECT_EQ(a->verdict.buckets[0].started_by_member, 5u);
  const Finding* f = FindingFor(a->verdict, "chan-send-blocked");
  ASSERT_NE(f, nullptr);
  bool said = false;
  for (const Reason& r : f->reasons) said = said || r.text.find("2 chain(s), not 7 separate leaks") != std::string::npos;
  EXPECT_TRUE(said);

  // The same place without the chain: seven separate goroutines.
  std::string flat;
  for (uint64_t id : {20, 21, 22, 23, 30, 31, 32}) flat += G(id, "chan send", walk, in(5), "/app/walk.go:20");
  auto b = Analyze(flat);
  ASSERT_EQ(b->verdict.buckets.size(), 1u);
  EXPECT_EQ(b->verdict.buckets[0].started_by_member, 0u);
}

// Parts of a large dump's analysis run on a second thread; the verdict
// is the same as on one (and TSan checks the sharing: Makefile TSAN_UNIT).
TEST(Verdict, SecondThreadGivesTheSameVerdict) {
  const std::vector<std::pair<std::string, std::string>> lock = {
      {"sync.runtime_SemacquireMutex", "/go/src/runtime/sema.go:77"},
      {"sync.(*Mutex).lockSlow", "/go/src/sync/mutex.go:171"},
      {"sync.(*Mutex).Lock", "/go/src/sync/mutex.go:90"},
      {"main.(*Ledger).Add", "/app/ledger.go:31"}};
  std::string text = Repeat(10, 40, "chan send", kSend) + Repeat(100, 5, "sync.Mutex.Lock", lock);
  AnalyzeOptions one, two;
  one.second_thread_from = SIZE_MAX;
  two.second_thread_from = 0;
  auto a = Analyze(text, one);
  auto b = Analyze(text, two);
  ASSERT_EQ(a->verdict.findings.size(), b->verdict.findings.size());
  ASSERT_FALSE(a->verdict.findings.empty());
  for (size_t i = 0; i < a->verdict.findings.size(); ++i) {
    const Finding &x = a->verdict.findings[i], &y = b->verdict.findings[i];
    EXPECT_EQ(x.bucket, y.bucket);
    EXPECT_EQ(x.confidence, y.confidence);
    ASSERT_EQ(x.reasons.size(), y.reasons.size());
    for (size_t k = 0; k < x.reasons.size(); ++k) EXPECT_EQ(x.reasons[k].text, y.reasons[k].text);
  }
}

TEST(Verdict, ChanSendScoresWithCount) {
  auto few = Analyze(Repeat(10, 3, "chan send", kSend));
  auto many = Analyze(Repeat(10, 500, "chan send", kSend));
  const Finding* f1 = FindingFor(few->verdict, "chan-send-blocked");
  const Finding* f2 = FindingFor(many->verdict, "chan-send-blocked");
  ASSERT_TRUE(f1 && f2);
  EXPECT_LT(f1->confidence, f2->confidence);
  EXPECT_EQ(f2->severity, Severity::kLeak);
  EXPECT_NE(f1->severity, Severity::kLeak);
  // The blocking frame is the user's line, not the runtime's.
  const Snapshot& s = *many->verdict.current;
  const Stack& st = s.stacks()[many->verdict.buckets[f2->bucket].stack];
  EXPECT_EQ(s.str(st.frames[static_cast<size_t>(f2->blocking_frame)].function), "main.fetch");
}

TEST(Verdict, WaitMinutesRaiseConfidence) {
  auto fresh = Analyze(Repeat(10, 3, "chan send", kSend));
  auto old = Analyze(Repeat(10, 3, "chan send, 45 minutes", kSend));
  EXPECT_LT(FindingFor(fresh->verdict, "chan-send-blocked")->confidence,
            FindingFor(old->verdict, "chan-send-blocked")->confidence);
}

TEST(Verdict, NilChanAndSelectNoCasesNeverWake) {
  auto a = Analyze(G(5, "chan receive (nil chan)",
                     {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
                      {"runtime.chanrecv", "/go/src/runtime/chan.go:583"},
                      {"main.wait", "/app/w.go:7"}}) +
                   G(6, "select (no cases)",
                     {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
                      {"runtime.block", "/go/src/runtime/select.go:104"},
                      {"main.forever", "/app/w.go:12"}}));
  const Finding* nil_chan = FindingFor(a->verdict, "nil-chan");
  const Finding* sel = FindingFor(a->verdict, "select-forever");
  ASSERT_TRUE(nil_chan && sel);
  // A single goroutine, yet a leak: nothing can wake it.
  EXPECT_EQ(nil_chan->severity, Severity::kLeak);
  EXPECT_EQ(sel->severity, Severity::kLeak);
}

TEST(Verdict, MutexAndWaitGroupFromSemacquireBefore120) {
  auto a = Analyze(
      Repeat(10, 4, "semacquire",
             {{"sync.runtime_SemacquireMutex", "/go/src/runtime/sema.go:77"},
              {"sync.(*Mutex).lockSlow", "/go/src/sync/mutex.go:171"},
              {"sync.(*Mutex).Lock", "/go/src/sync/mutex.go:90"},
              {"main.update", "/app/m.go:20"}}) +
      G(30, "semacquire",
        {{"sync.runtime_Semacquire", "/go/src/runtime/sema.go:62"},
         {"sync.(*WaitGroup).Wait", "/go/src/sync/waitgroup.go:139"},
         {"main.gather", "/app/m.go:40"}}) +
      G(31, "sync.RWMutex.RLock",
        {{"sync.runtime_SemacquireRWMutexR", "/go/src/runtime/sema.go:82"},
         {"sync.(*RWMutex).RLock", "/go/src/sync/rwmutex.go:71"},
         {"main.read", "/app/m.go:60"}}));
  EXPECT_NE(FindingFor(a->verdict, "mutex-held"), nullptr);
  EXPECT_NE(FindingFor(a->verdict, "waitgroup-wait"), nullptr);
  int mutex = 0;
  for (const Finding& f : a->verdict.findings) mutex += f.pattern->id == std::string("mutex-held");
  EXPECT_EQ(mutex, 2);  // the Mutex group and the RWMutex one
}

TEST(Verdict, RangeTellsApartByChanrecv2) {
  auto a = Analyze(Repeat(10, 20, "chan receive",
                          {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
                           {"runtime.chanrecv", "/go/src/runtime/chan.go:583"},
                           {"runtime.chanrecv2", "/go/src/runtime/chan.go:447"},
                           {"main.consume", "/app/r.go:9"}}) +
                   Repeat(100, 20, "chan receive",
                          {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
                           {"runtime.chanrecv", "/go/src/runtime/chan.go:583"},
                           {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
                           {"main.waitOne", "/app/r.go:19"}}));
  EXPECT_NE(FindingFor(a->verdict, "range-unclosed"), nullptr);
  EXPECT_NE(FindingFor(a->verdict, "chan-recv-blocked"), nullptr);
}

TEST(Verdict, SourceLineDecidesRangeAndContext) {
  std::string dir = ::testing::TempDir() + "/lh_src";
  std::string cmd = "mkdir -p " + dir;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  {
    std::ofstream f(dir + "/r.go");
    f << "package main\n\nfunc a(ch chan int) {\n\tv, ok := <-ch\n}\n"
         "func b(ctx context.Context) {\n\t<-ctx.Done()\n}\n";
  }
  std::string file = dir + "/r.go";
  auto a = Analyze(Repeat(10, 20, "chan receive",
                          {{"runtime.chanrecv2", "/go/src/runtime/chan.go:447"},
                           {"main.a", file + ":4"}}) +
                   Repeat(100, 20, "chan receive",
                          {{"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
                           {"main.b", file + ":7"}}),
                   [] {
                     AnalyzeOptions o;
                     static SourceView view({}, true);
                     o.source = &view;
                     return o;
                   }());
  // `v, ok := <-ch` is not a range, whatever chanrecv2 suggests.
  EXPECT_EQ(FindingFor(a->verdict, "range-unclosed"), nullptr);
  EXPECT_NE(FindingFor(a->verdict, "chan-recv-blocked"), nullptr);
  EXPECT_NE(FindingFor(a->verdict, "context-never-done"), nullptr);
}

TEST(Verdict, SmallReceivePoolScoresLow) {
  std::vector<std::pair<std::string, std::string>> recv = {
      {"runtime.gopark", "/go/src/runtime/proc.go:363"},
      {"runtime.chanrecv", "/go/src/runtime/chan.go:583"},
      {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
      {"main.worker", "/app/pool.go:12"}};
  auto pool = Analyze(Repeat(10, 4, "chan receive", recv));
  auto pile = Analyze(Repeat(10, 2000, "chan receive", recv));
  EXPECT_EQ(FindingFor(pool->verdict, "chan-recv-blocked")->severity, Severity::kInfo);
  EXPECT_NE(FindingFor(pile->verdict, "chan-recv-blocked")->severity, Severity::kInfo);
}

// The pool discount is for workers, which wait in a loop. A goroutine the
// source shows waiting once (started to receive one result) keeps its
// score; without source the discount needs several goroutines at one
// frame with one creator (a single one may as well be a one-shot wait).
TEST(Verdict, PoolDiscountNeedsALoopInTheSource) {
  std::string dir = ::testing::TempDir() + "/lh_loop";
  std::string cmd = "mkdir -p " + dir;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  {
    std::ofstream f(dir + "/w.go");
    f << "package main\n"                              // 1
         "\n"                                          // 2
         "func worker(jobs chan int) {\n"              // 3
         "\tfor {\n"                                   // 4
         "\t\tif x := 1; x > 0 { // {\n"               // 5
         "\t\t}\n"                                     // 6
         "\t\tselect {\n"                              // 7
         "\t\tcase j := <-jobs:\n"                     // 8
         "\t\t\t_ = j\n"                               // 9
         "\t\t}\n"                                     // 10
         "\t}\n"                                       // 11
         "}\n"                                         // 12
         "\n"                                          // 13
         "func once(done chan int) {\n"                // 14
         "\tfor i := 0; i < 3; i++ {\n"                // 15
         "\t}\n"                                       // 16
         "\tgo func() {\n"                             // 17
         "\t\ts := \"}\"\n"                            // 18
         "\t\t<-done\n"                                // 19
         "\t}()\n"                                     // 20
         "}\n";                                        // 21
  }
  std::string file = dir + "/w.go";
  auto with_source = [] {
    AnalyzeOptions o;
    static SourceView view({}, true);
    o.source = &view;
    return o;
  };
  auto pool = Analyze(Repeat(10, 3, "select",
                             {{"runtime.selectgo", "/go/src/runtime/select.go:328"},
                              {"main.worker", file + ":8"}}),
                      with_source());
  auto once = Analyze(Repeat(10, 1, "chan receive",
                             {{"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
                              {"main.once.func1", file + ":19"}}),
                      with_source());
  auto unread = Analyze(Repeat(10, 1, "chan receive",
                               {{"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
                                {"main.gone", "/nonexistent/x.go:19"}}),
                        with_source());
  auto unread_pool = Analyze(Repeat(10, 3, "chan receive",
                                    {{"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
                                     {"main.gone", "/nonexistent/x.go:19"}}),
                             with_source());
  auto discounted = [](const Finding* f) {
    for (const Reason& r : f->reasons)
      if (r.text.find("workers waiting for work") != std::string::npos) return true;
    return false;
  };
  const Finding* p = FindingFor(pool->verdict, "select-forever");
  const Finding* o = FindingFor(once->verdict, "chan-recv-blocked");
  const Finding* u = FindingFor(unread->verdict, "chan-recv-blocked");
  const Finding* up = FindingFor(unread_pool->verdict, "chan-recv-blocked");
  ASSERT_TRUE(p && o && u && up);
  EXPECT_TRUE(discounted(p));
  EXPECT_FALSE(discounted(o)) << o->confidence;
  // Without the source, one goroutine is no sign of a pool (a one-shot
  // <-done looks the same); several with one creator at one frame are.
  EXPECT_FALSE(discounted(u)) << u->confidence;
  EXPECT_TRUE(discounted(up));
  EXPECT_GT(u->confidence, up->confidence);
}

// A pool main.main started once, waiting in a loop, lives as long as the
// program: discounted whatever its size up to Thresholds::startup_pool.
// The same group started per request (main.serve), or a pile larger than
// any pool, is not.
TEST(Verdict, StartupPoolLivesWithTheProgram) {
  std::string dir = ::testing::TempDir() + "/lh_startup";
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::ofstream(dir + "/p.go") << "package main\n"              // 1
                                  "\n"                          // 2
                                  "func worker(jobs chan int) {\n"  // 3
                                  "\tfor j := range jobs {\n"  // 4
                                  "\t\t_ = j\n"               // 5
                                  "\t}\n"                      // 6
                                  "}\n";                        // 7
  std::string at = dir + "/p.go:4";
  auto group = [&](int n, const std::string& creator) {
    std::string s;
    for (int i = 0; i < n; ++i)
      s += G(100 + static_cast<uint64_t>(i), "chan receive",
             {{"runtime.chanrecv2", "/go/src/runtime/chan.go:447"}, {"main.worker", at}}, creator);
    AnalyzeOptions o;
    static SourceView view({}, true);
    o.source = &view;
    return Analyze(s, o);
  };
  auto lives = [](const std::unique_ptr<Analyzed>& a) {
    const Finding* f = FindingFor(a->verdict, "range-unclosed");
    EXPECT_NE(f, nullptr);
    if (!f) return false;
    for (const Reason& r : f->reasons)
      if (r.text.find("lives as long as the program") != std::string::npos) return true;
    return false;
  };
  auto startup = group(20, "main.main");
  EXPECT_TRUE(lives(startup));
  EXPECT_EQ(FindingFor(startup->verdict, "range-unclosed")->severity, Severity::kInfo);
  EXPECT_FALSE(lives(group(20, "main.serve")));
  EXPECT_FALSE(lives(group(300, "main.main")));
}

// Goroutines at one place count as repetitions of a leak only when they
// did not start one another: a recursive chain, each waiting for the one
// it started, is one structure.
TEST(Verdict, ChainOfGoroutinesIsOneStructure) {
  std::vector<std::pair<std::string, std::string>> wait = {
      {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"}, {"main.chain", "/app/c.go:20"}};
  std::string chain, apart;
  for (uint64_t id = 100; id < 300; ++id) {
    chain += G(id, "chan receive", wait, "main.chain", "/app/c.go:19");
    chain.replace(chain.rfind("created by main.chain"), std::string("created by main.chain").size(),
                  "created by main.chain in goroutine " + std::to_string(id == 100 ? 1 : id - 1));
    apart += G(id, "chan receive", wait, "main.chain", "/app/c.go:19");
    apart.replace(apart.rfind("created by main.chain"), std::string("created by main.chain").size(),
                  "created by main.chain in goroutine " + std::to_string(5000 + id));
  }
  auto c = Analyze(G(1, "running", {{"main.main", "/app/main.go:5"}}, "") + chain);
  auto a = Analyze(G(1, "running", {{"main.main", "/app/main.go:5"}}, "") + apart);
  const Finding* fc = FindingFor(c->verdict, "chan-recv-blocked");
  const Finding* fa = FindingFor(a->verdict, "chan-recv-blocked");
  ASSERT_TRUE(fc && fa);
  EXPECT_EQ(c->verdict.buckets[fc->bucket].count, 200u);
  EXPECT_LT(fc->confidence, fa->confidence);
  EXPECT_EQ(fc->severity, Severity::kInfo) << fc->confidence;
  EXPECT_NE(fa->severity, Severity::kInfo) << fa->confidence;
}

// The testing row excuses goroutines parked inside package testing (a
// parent test waiting for its subtests), not a test's own goroutines,
// which all have testing.tRunner at the bottom.
TEST(Verdict, TestingRowIsForTestingItself) {
  auto a = Analyze(
      G(5, "chan receive",
        {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
         {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
         {"testing.(*T).Run", "/go/src/testing/testing.go:1494"},
         {"testing.runTests.func1", "/go/src/testing/testing.go:1846"},
         {"testing.tRunner", "/go/src/testing/testing.go:1446"}},
        "testing.runTests", "/go/src/testing/testing.go:1844") +
      G(7, "chan send",
        {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
         {"runtime.chansend1", "/go/src/runtime/chan.go:145"},
         {"example.com/app.TestLeak", "/app/app_test.go:12"},
         {"testing.tRunner", "/go/src/testing/testing.go:1446"}},
        "testing.(*T).Run", "/go/src/testing/testing.go:1493") +
      G(9, "chan receive",
        {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
         {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"},
         {"testing.(*T).Parallel", "/go/src/testing/testing.go:1332"},
         {"example.com/app.TestSlow", "/app/app_test.go:30"},
         {"testing.tRunner", "/go/src/testing/testing.go:1446"}},
        "testing.(*T).Run", "/go/src/testing/testing.go:1493"));
  for (const Finding& f : a->verdict.findings) {
    if (f.pattern->id == std::string_view("chan-recv-blocked")) {
      EXPECT_NE(f.benign, nullptr) << "waiting in testing itself";
    }
  }
  const Finding* runner = FindingFor(a->verdict, "chan-recv-blocked");
  const Finding* test = FindingFor(a->verdict, "chan-send-blocked");
  ASSERT_TRUE(runner && test);
  ASSERT_NE(runner->benign, nullptr);
  EXPECT_STREQ(runner->benign->id, "testing");
  EXPECT_EQ(test->benign, nullptr);
  EXPECT_NE(test->severity, Severity::kInfo);
}

// Concurrent goroutine-profile requests queue on runtime/pprof's lock
// behind the one being written.
TEST(Verdict, QueuedProfileWritersAreBenign) {
  auto a = Analyze(Repeat(20, 40, "sync.Mutex.Lock",
                          {{"internal/sync.runtime_SemacquireMutex", "/go/src/runtime/sema.go:95"},
                           {"sync.(*Mutex).Lock", "/go/src/sync/mutex.go:46"},
                           {"runtime/pprof.writeGoroutineLeak", "/go/src/runtime/pprof/pprof.go:796"},
                           {"runtime/pprof.(*Profile).WriteTo", "/go/src/runtime/pprof/pprof.go:408"},
                           {"main.report", "/app/main.go:30"}}) +
                   Repeat(100, 40, "sync.Mutex.Lock",
                          {{"internal/sync.runtime_SemacquireMutex", "/go/src/runtime/sema.go:95"},
                           {"sync.(*Mutex).Lock", "/go/src/sync/mutex.go:46"},
                           {"main.(*cache).get", "/app/cache.go:30"}}));
  int benign = 0, flagged = 0;
  for (const Finding& f : a->verdict.findings) {
    if (f.benign) ++benign;
    else if (f.severity != Severity::kInfo) ++flagged;
  }
  EXPECT_EQ(benign, 1);
  EXPECT_EQ(flagged, 1) << "a user lock queue is still a finding";
}

TEST(Verdict, BenignGoroutinesAreInfo) {
  auto a = Analyze(
      Repeat(10, 50, "select",
             {{"runtime.gopark", "/go/src/runtime/proc.go:363"},
              {"runtime.selectgo", "/go/src/runtime/select.go:328"},
              {"net/http.(*persistConn).writeLoop", "/go/src/net/http/transport.go:2410"}}) +
      G(3, "IO wait",
        {{"internal/poll.runtime_pollWait", "/go/src/runtime/netpoll.go:305"},
         {"net.(*TCPListener).accept", "/go/src/net/tcpsock_posix.go:142"},
         {"net/http.(*Server).Serve", "/go/src/net/http/server.go:3070"}}));
  for (const Finding& f : a->verdict.findings) {
    EXPECT_EQ(f.severity, Severity::kInfo) << f.pattern->id;
    EXPECT_NE(f.benign, nullptr);
  }
}

TEST(Verdict, LeakedMarkerIsProof) {
  auto a = Analyze(G(7, "chan send (leaked)", kSend) +
                   G(8, "sync.Cond.Wait (leaked)",
                     {{"sync.runtime_notifyListWait", "/go/src/runtime/sema.go:597"},
                      {"sync.(*Cond).Wait", "/go/src/sync/cond.go:71"},
                      {"main.await", "/app/c.go:5"}}));
  ASSERT_EQ(a->verdict.findings.size(), 2u);
  for (const Finding& f : a->verdict.findings) EXPECT_EQ(f.severity, Severity::kLeak);
  EXPECT_NE(FindingFor(a->verdict, "cond-wait"), nullptr);
}

TEST(Verdict, SeriesGrowthAndFlatPools) {
  std::vector<std::pair<std::string, std::string>> recv = {
      {"runtime.chanrecv1", "/go/src/runtime/chan.go:442"}, {"main.worker", "/app/pool.go:12"}};
  std::vector<DumpSet> sets(4);
  std::vector<const Snapshot*> series;
  for (int k = 0; k < 4; ++k) {
    std::string text = Repeat(1000, 5 + 20 * k, "chan send", kSend) + Repeat(10, 4, "chan receive", recv);
    ASSERT_FALSE(ReadDumpBytes(text, "s" + std::to_string(k), &sets[static_cast<size_t>(k)]));
    series.push_back(&sets[static_cast<size_t>(k)].snapshots.back());
  }
  Verdict v = AnalyzeSeries(series, {0, 600, 1200, 1800}, {});
  const Finding* grow = FindingFor(v, "chan-send-blocked");
  const Finding* flat = FindingFor(v, "chan-recv-blocked");
  ASSERT_TRUE(grow && grow->growth && flat && flat->growth);
  EXPECT_TRUE(grow->growth->growing);
  EXPECT_NEAR(grow->growth->per_hour, 120.0, 0.01);  // 20 per 10 minutes
  EXPECT_EQ(grow->severity, Severity::kLeak);
  EXPECT_EQ(grow->growth->surviving_ids, 5u);  // ids 1000..1004 stay blocked
  EXPECT_TRUE(flat->growth->flat);
  EXPECT_EQ(flat->severity, Severity::kInfo);
}

// In-flight work: requests waiting on a backend that come and go between
// snapshots, or rise and fall with load, are not leaks, even many of them.
TEST(Verdict, TransientBucketsAreNotLeaks) {
  const int absent_counts[] = {30, 0, 25, 40, 0, 35};
  const int noisy_counts[] = {30, 45, 20, 50, 25, 40};
  for (const int* counts : {absent_counts, noisy_counts}) {
    std::vector<DumpSet> sets(6);
    std::vector<const Snapshot*> series;
    uint64_t next_id = 100;
    for (int k = 0; k < 6; ++k) {
      // Fresh ids every time: no goroutine stays.
      std::string text = G(1, "running", {{"main.main", "/app/main.go:5"}}, "") +
                         Repeat(next_id, counts[k], "chan send", kSend);
      next_id += 100;
      ASSERT_FALSE(ReadDumpBytes(text, "s", &sets[static_cast<size_t>(k)]));
      series.push_back(&sets[static_cast<size_t>(k)].snapshots.back());
    }
    Verdict v = AnalyzeSeries(series, {0, 30, 60, 90, 120, 150}, {});
    const Finding* f = FindingFor(v, "chan-send-blocked");
    ASSERT_NE(f, nullptr);
    EXPECT_LT(f->severity, Severity::kSuspect) << f->confidence;
    bool said = false;
    for (const Reason& r : f->reasons) said = said || r.weight < 0;
    EXPECT_TRUE(said);
  }
}

TEST(Verdict, BusyLoopNeedsTheSameGoroutineRunningEverywhere) {
  std::vector<std::pair<std::string, std::string>> spin = {{"main.spin", "/app/s.go:30"}};
  std::vector<DumpSet> sets(3);
  std::vector<const Snapshot*> series;
  for (int k = 0; k < 3; ++k) {
    std::string text = G(1, "running", {{"main.main", "/app/main.go:5"}}, "") +
                       G(9, "runnable", spin) +
                       G(static_cast<uint64_t>(20 + k), "runnable", {{"main.once", "/app/s.go:50"}});
    ASSERT_FALSE(ReadDumpBytes(text, "s", &sets[static_cast<size_t>(k)]));
    series.push_back(&sets[static_cast<size_t>(k)].snapshots.back());
  }
  Verdict v = AnalyzeSeries(series, {}, {});
  int busy = 0;
  for (const Finding& f : v.findings) {
    if (f.pattern->id != std::string("busy-loop") || f.benign) continue;
    ++busy;
    EXPECT_EQ(v.buckets[f.bucket].ids, std::vector<uint64_t>{9});
  }
  EXPECT_EQ(busy, 1);  // not main.once (new goroutine each time), not main (benign main)
}

// `watch` keeps only its newest poll whole and the ones before as
// SnapshotSummary: the verdict must be what the whole snapshots give, with
// the older Snapshots gone by the time it is made.
TEST(Verdict, SummariesOfOlderSnapshotsGiveTheSameVerdict) {
  std::vector<std::pair<std::string, std::string>> spin = {{"main.spin", "/app/s.go:30"}};
  std::vector<std::string> texts;
  for (int k = 0; k < 5; ++k)
    texts.push_back(G(1, "running", {{"main.main", "/app/main.go:5"}}, "") + G(9, "runnable", spin) +
                    Repeat(100, 10 + 8 * k, "chan send", kSend) +      // grows, old ids stay
                    Repeat(500 + 100 * static_cast<uint64_t>(k), 7, "chan receive",
                           {{"main.recv", "/app/r.go:8"}}));        // flat, fresh ids
  std::vector<double> times = {0, 60, 120, 180, 240};
  std::vector<DumpSet> whole(texts.size());
  std::vector<const Snapshot*> series;
  for (size_t k = 0; k < texts.size(); ++k) {
    ASSERT_FALSE(ReadDumpBytes(texts[k], "s", &whole[k]));
    series.push_back(&whole[k].snapshots.back());
  }
  Verdict want = AnalyzeSeries(series, times, {});

  std::vector<SnapshotSummary> older;
  size_t summary_bytes = 0;
  for (size_t k = 0; k + 1 < texts.size(); ++k) {
    auto set = std::make_unique<DumpSet>();
    ASSERT_FALSE(ReadDumpBytes(texts[k], "s", set.get()));
    older.push_back(SummarizeForSeries(set->snapshots.back(), {}));
    summary_bytes += older.back().Bytes();
  }  // each Snapshot is freed here
  std::vector<const SnapshotSummary*> ptrs;
  for (const SnapshotSummary& p : older) ptrs.push_back(&p);
  Verdict got = AnalyzeSeries(ptrs, whole.back().snapshots.back(), times, {});

  EXPECT_EQ(got.series_length, 5u);
  ASSERT_EQ(got.findings.size(), want.findings.size());
  for (size_t i = 0; i < got.findings.size(); ++i) {
    const Finding& a = got.findings[i];
    const Finding& b = want.findings[i];
    EXPECT_EQ(a.pattern->id, b.pattern->id);
    EXPECT_DOUBLE_EQ(a.confidence, b.confidence);
    ASSERT_EQ(a.growth.has_value(), b.growth.has_value());
    if (a.growth) {
      EXPECT_EQ(a.growth->counts, b.growth->counts);
      EXPECT_EQ(a.growth->surviving_ids, b.growth->surviving_ids);
    }
  }
  const Finding* send = FindingFor(got, "chan-send-blocked");
  ASSERT_NE(send, nullptr);
  ASSERT_TRUE(send->growth.has_value());
  EXPECT_EQ(send->growth->counts, (std::vector<uint64_t>{10, 18, 26, 34, 42}));
  EXPECT_EQ(send->growth->surviving_ids, 10u);  // ids 100..109 are in every poll
  EXPECT_TRUE(send->growth->growing);
  EXPECT_NE(FindingFor(got, "busy-loop"), nullptr);  // goroutine 9 in main.spin each time
  // The ids are all a summary keeps per goroutine.
  EXPECT_LT(summary_bytes, 4 * (10 + 18 + 26 + 34 + 4 * 7 + 8) * sizeof(uint64_t) + 4 * 512);
}

TEST(Verdict, IgnoreRulesDropFindings) {
  std::vector<IgnoreRule> rules(1);
  rules[0].top_function = "runtime.gopark";
  rules[0].pattern = "chan-send-blocked";
  AnalyzeOptions o;
  o.ignore = &rules;
  auto a = Analyze(Repeat(10, 30, "chan send", kSend), o);
  EXPECT_EQ(a->verdict.findings.size(), 0u);
  EXPECT_EQ(a->verdict.ignored, 1u);
  rules[0].pattern = "nil-chan";  // does not match: kept
  auto b = Analyze(Repeat(10, 30, "chan send", kSend), o);
  EXPECT_EQ(b->verdict.findings.size(), 1u);
}

TEST(Config, ParsesAndRejectsWithLine) {
  std::string path = ::testing::TempDir() + "/lh_config.yaml";
  {
    std::ofstream f(path);
    f << "thresholds:\n  leak: 0.8\n  count: 50\nignore:\n  - top_function: a.b\n"
         "    reason: known\n  - regex: '^go\\.etcd\\.io/'\n";
  }
  Config c;
  std::string err;
  ASSERT_TRUE(LoadConfig(path, &c, &err)) << err;
  EXPECT_DOUBLE_EQ(c.thresholds.leak, 0.8);
  EXPECT_EQ(c.thresholds.count_high, 50u);
  ASSERT_EQ(c.ignore.size(), 2u);
  EXPECT_EQ(c.ignore[0].top_function, "a.b");
  EXPECT_TRUE(c.ignore[1].regex != nullptr);
  {
    std::ofstream f(path);
    f << "thresholds:\n  leak: 0.8\n  lek: 0.5\n";
  }
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_EQ(err.rfind(path + ":3:", 0), 0u) << err;
  {
    std::ofstream f(path);
    f << "ignore:\n  - pattern: no-such-pattern\n";
  }
  EXPECT_FALSE(LoadConfig(path, &c, &err));
  EXPECT_NE(err.find("no-such-pattern"), std::string::npos);
}

TEST(Baseline, RoundTripsAndRefusesToOverwrite) {
  auto a = Analyze(Repeat(10, 300, "chan send", kSend));
  std::string path = ::testing::TempDir() + "/lh_baseline.json";
  std::remove(path.c_str());
  std::string err;
  ASSERT_TRUE(WriteBaseline(path, a->verdict, false, &err)) << err;
  EXPECT_FALSE(WriteBaseline(path, a->verdict, false, &err));
  std::set<std::string> fps;
  ASSERT_TRUE(LoadBaseline(path, &fps, &err)) << err;
  EXPECT_EQ(fps.size(), 1u);
  ApplyBaseline(fps, &a->verdict);
  EXPECT_TRUE(a->verdict.findings[0].baselined);
}

}  // namespace
}  // namespace leakhound
