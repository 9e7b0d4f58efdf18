// LocksAt / IsPackageVar: what the Go source says about locks at one line.
// Each case is a small Go file and a marker naming the line asked about;
// the wait-for graph trusts these facts for its proofs, so both the held
// locks and the ones that must not count as held are checked.
#include "waitfor/lock_source.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "go_src.h"

namespace leakhound {
namespace {

struct Src : GoSrc {
  using GoSrc::GoSrc;
  LineLocks At(const std::string& marker) const { return LocksAt(file, Line(marker)); }
};

std::vector<std::string> Exprs(const std::vector<LockExpr>& v) {
  std::vector<std::string> out;
  for (const LockExpr& e : v) out.push_back(e.base + e.path + (e.read ? "(r)" : ""));
  return out;
}

using Names = std::vector<std::string>;

TEST(LockSource, MethodLocksThenCalls) {
  Src s(
      "package p\n"
      "type Store struct{ mu sync.Mutex; m map[string]int }\n"
      "func (s *Store) Bump(k string) {\n"
      "\ts.mu.Lock()\n"
      "\ts.Get(k) // here\n"
      "\ts.mu.Unlock()\n"
      "}\n");
  LineLocks ll = s.At("// here");
  ASSERT_TRUE(ll.found);
  EXPECT_EQ(ll.function, "(*Store).Bump");
  EXPECT_EQ(ll.params, (Names{"s", "k"}));
  EXPECT_EQ(Exprs(ll.held), (Names{"s.mu"}));
  EXPECT_EQ(ll.held[0].line, s.Line("s.mu.Lock()"));
  EXPECT_TRUE(ll.released.empty());
  EXPECT_FALSE(ll.acquires);
  ASSERT_EQ(ll.calls.size(), 1u);
  EXPECT_EQ(ll.calls[0].callee, "Get");
  EXPECT_EQ(ll.calls[0].receiver, "s");
  EXPECT_EQ(ll.calls[0].args, (Names{"k"}));
}

TEST(LockSource, TransferSecondLock) {
  Src s(
      "package p\n"
      "func transfer(from, to *Account, amount int) {\n"
      "\tfrom.mu.Lock()\n"
      "\tto.mu.Lock() // second\n"
      "\tfrom.balance -= amount\n"
      "\tto.mu.Unlock()\n"
      "\tfrom.mu.Unlock()\n"
      "}\n"
      "func pay(a, b *Account) { transfer(a, b, 1+1) } // caller\n");
  LineLocks ll = s.At("// second");
  ASSERT_TRUE(ll.found);
  EXPECT_EQ(ll.function, "transfer");
  EXPECT_EQ(ll.params, (Names{"from", "to", "amount"}));
  EXPECT_EQ(Exprs(ll.held), (Names{"from.mu"}));
  ASSERT_TRUE(ll.acquires);
  EXPECT_EQ(ll.acquires->base, "to");
  EXPECT_EQ(ll.acquires->path, ".mu");
  EXPECT_FALSE(ll.acquires->read);
  EXPECT_EQ(ll.acquires->line, s.Line("// second"));
  EXPECT_TRUE(ll.calls.empty());  // the lock itself is not a call to follow

  LineLocks caller = s.At("// caller");
  ASSERT_TRUE(caller.found);
  EXPECT_EQ(caller.function, "pay");
  ASSERT_EQ(caller.calls.size(), 1u);
  EXPECT_EQ(caller.calls[0].callee, "transfer");
  EXPECT_EQ(caller.calls[0].receiver, "");
  EXPECT_EQ(caller.calls[0].args, (Names{"a", "b", ""}));
}

TEST(LockSource, ReadLockHeldThenCall) {
  Src s(
      "package p\n"
      "func (c Cache) Read(k string) int {\n"
      "\tc.rw.RLock()\n"
      "\tv := lookup(c, k) // here\n"
      "\tc.rw.RUnlock()\n"
      "\treturn v\n"
      "}\n");
  LineLocks ll = s.At("// here");
  EXPECT_EQ(ll.function, "Cache.Read");
  EXPECT_EQ(Exprs(ll.held), (Names{"c.rw(r)"}));
  ASSERT_EQ(ll.calls.size(), 1u);
  EXPECT_EQ(ll.calls[0].callee, "lookup");
  EXPECT_EQ(ll.calls[0].args, (Names{"c", "k"}));
}

TEST(LockSource, UnlockInBranchReleases) {
  Src s(
      "package p\n"
      "func f(s *S) {\n"
      "\ts.mu.Lock()\n"
      "\tif s.done {\n"
      "\t\ts.mu.Unlock()\n"
      "\t}\n"
      "\tmu.Lock()\n"
      "\ts.wait() // here\n"
      "}\n");
  LineLocks ll = s.At("// here");
  EXPECT_EQ(Exprs(ll.held), (Names{"mu"}));  // s.mu may have been released
  EXPECT_EQ(Exprs(ll.released), (Names{"s.mu"}));
  EXPECT_EQ(ll.released[0].line, s.Line("s.mu.Unlock()"));
}

TEST(LockSource, UnlockInReturningBranchIsOffThePath) {
  Src s(
      "package p\n"
      "func f(s *S) error {\n"
      "\ts.mu.Lock()\n"
      "\tif s.closed {\n"
      "\t\ts.mu.Unlock()\n"
      "\t\treturn errClosed\n"
      "\t}\n"
      "\tif s.broken {\n"
      "\t\ts.mu.Unlock()\n"
      "\t\tpanic(\"broken\")\n"
      "\t}\n"
      "\ts.wait() // here\n"
      "\tif s.last {\n"
      "\t\ts.mu.Unlock()\n"
      "\t\ts.flush() // inside\n"
      "\t\treturn nil\n"
      "\t}\n"
      "\treturn nil\n"
      "}\n");
  LineLocks ll = s.At("// here");
  EXPECT_EQ(Exprs(ll.held), (Names{"s.mu"}));  // both unlocks leave the function
  EXPECT_TRUE(ll.released.empty());
  LineLocks in = s.At("// inside");
  EXPECT_TRUE(in.held.empty());  // this branch released it on the way
  EXPECT_EQ(Exprs(in.released), (Names{"s.mu"}));
}

TEST(LockSource, RUnlockDoesNotReleaseWriteLock) {
  Src s(
      "package p\n"
      "func f(s *S) {\n"
      "\ts.mu.Lock()\n"
      "\ts.mu.RUnlock()\n"
      "\ts.wait() // here\n"
      "}\n");
  LineLocks ll = s.At("// here");
  EXPECT_EQ(Exprs(ll.held), (Names{"s.mu"}));
  EXPECT_EQ(Exprs(ll.released), (Names{"s.mu(r)"}));
}

TEST(LockSource, LockInBlockNotEnclosingLine) {
  Src s(
      "package p\n"
      "func f(s *S, x int) {\n"
      "\tif x > 0 {\n"
      "\t\ts.mu.Lock()\n"
      "\t}\n"
      "\tswitch x {\n"
      "\tcase 1:\n"
      "\t\ts.a.Lock()\n"
      "\tcase 2:\n"
      "\t\ts.wait() // case\n"
      "\t}\n"
      "\tfor i := 0; i < x; i++ {\n"
      "\t\ts.b.Lock()\n"
      "\t}\n"
      "\tif s.ready() { // header\n"
      "\t\ts.c.Lock()\n"
      "\t} else {\n"
      "\t\ts.wait() // else\n"
      "\t}\n"
      "\ts.wait() // after\n"
      "}\n");
  EXPECT_TRUE(s.At("// case").held.empty());
  EXPECT_EQ(Exprs(s.At("// header").held), Names{});
  EXPECT_TRUE(s.At("// else").held.empty());
  EXPECT_TRUE(s.At("// after").held.empty());
}

TEST(LockSource, LockInEnclosingBlockIsHeld) {
  Src s(
      "package p\n"
      "func f(s *S, ch chan int) {\n"
      "\tfor {\n"
      "\t\ts.mu.Lock()\n"
      "\t\tselect {\n"
      "\t\tcase <-ch:\n"
      "\t\t\ts.inner.mu.Lock()\n"
      "\t\t\ts.wait() // deep\n"
      "\t\t}\n"
      "\t\ts.mu.Unlock()\n"
      "\t}\n"
      "}\n");
  EXPECT_EQ(Exprs(s.At("// deep").held), (Names{"s.mu", "s.inner.mu"}));
}

TEST(LockSource, DeferredUnlockStillHeld) {
  Src s(
      "package p\n"
      "func (s *S) f() {\n"
      "\ts.Lock()\n"
      "\tdefer s.Unlock()\n"
      "\tdefer s.flush(s)\n"
      "\ts.mu.Lock()\n"
      "\ts.mu.Lock() // again\n"
      "}\n");
  LineLocks ll = s.At("// again");
  EXPECT_EQ(Exprs(ll.held), (Names{"s", "s.mu"}));
  EXPECT_TRUE(ll.released.empty());
  ASSERT_TRUE(ll.acquires);
  EXPECT_EQ(ll.acquires->base + ll.acquires->path, "s.mu");

  LineLocks d = s.At("defer s.flush");
  ASSERT_EQ(d.calls.size(), 1u);  // deferred calls on the line still count
  EXPECT_EQ(d.calls[0].callee, "flush");
}

TEST(LockSource, SameLockTwiceKeepsBoth) {
  Src s(
      "package p\n"
      "func f() {\n"
      "\tmu.RLock()\n"
      "\tmu.RLock()\n"
      "\tg() // here\n"
      "}\n");
  EXPECT_EQ(Exprs(s.At("// here").held), (Names{"mu(r)", "mu(r)"}));
}

TEST(LockSource, FuncLiteralHasItsOwnFacts) {
  Src s(
      "package p\n"
      "func (s *S) Run(n int) {\n"
      "\ts.mu.Lock()\n"
      "\tgo func(id int, ch chan int) {\n"
      "\t\tq.Lock()\n"
      "\t\ts.work(id) // inner\n"
      "\t}(n, nil)\n"
      "\tt.Run(\"x\", func(t *testing.T) { // opens\n"
      "\t\tt.Log(n)\n"
      "\t})\n"
      "\ts.wait(func() { s.mu.Unlock() }) // one-liner\n"
      "\ts.wait(n) // outer\n"
      "}\n");
  LineLocks in = s.At("// inner");
  ASSERT_TRUE(in.found);
  EXPECT_EQ(in.function, "");
  EXPECT_EQ(in.params, (Names{"id", "ch"}));
  EXPECT_EQ(Exprs(in.held), (Names{"q"}));  // not the outer s.mu

  // A multi-line literal opened on the line: the outer frame is parked there.
  LineLocks opens = s.At("// opens");
  EXPECT_EQ(opens.function, "(*S).Run");
  EXPECT_EQ(Exprs(opens.held), (Names{"s.mu"}));
  ASSERT_EQ(opens.calls.size(), 1u);
  EXPECT_EQ(opens.calls[0].callee, "Run");
  EXPECT_EQ(opens.calls[0].args, (Names{"", ""}));

  LineLocks one = s.At("// one-liner");
  EXPECT_EQ(one.function, "");
  EXPECT_TRUE(one.params.empty());

  // The literal's Unlock is another function's: the outer lock stays held.
  LineLocks out = s.At("// outer");
  EXPECT_EQ(out.function, "(*S).Run");
  EXPECT_EQ(Exprs(out.held), (Names{"s.mu"}));
  EXPECT_TRUE(out.released.empty());
}

TEST(LockSource, LineOutsideAnyFunction) {
  Src s(
      "package p\n"
      "var mu sync.Mutex // top\n"
      "func f() {\n"
      "}\n");
  EXPECT_FALSE(s.At("// top").found);
  EXPECT_FALSE(LocksAt(s.file, 0).found);
  EXPECT_FALSE(LocksAt(s.file, 1000).found);
}

TEST(LockSource, GenericReceiverAndNames) {
  Src s(
      "package p\n"
      "func (l *List[T]) Push(v T, _ string, rest ...T) {\n"
      "\tl.mu.Lock() // push\n"
      "}\n"
      "func (List[T]) Len() int { return n() } // len\n"
      "func Map[T any](xs []T) { G[int](xs, 1); pkg.F[int](xs); (h)(xs) } // generic\n");
  LineLocks push = s.At("// push");
  EXPECT_EQ(push.function, "(*List).Push");
  EXPECT_EQ(push.params, (Names{"l", "v", "_", "rest"}));
  ASSERT_TRUE(push.acquires);
  EXPECT_EQ(push.acquires->base + push.acquires->path, "l.mu");

  LineLocks len = s.At("// len");
  EXPECT_EQ(len.function, "List.Len");
  EXPECT_EQ(len.params, (Names{""}));

  LineLocks g = s.At("// generic");
  EXPECT_EQ(g.function, "Map");
  ASSERT_EQ(g.calls.size(), 3u);
  EXPECT_EQ(g.calls[0].callee, "G");
  EXPECT_EQ(g.calls[0].args, (Names{"xs", ""}));
  EXPECT_EQ(g.calls[1].callee, "F");
  EXPECT_EQ(g.calls[1].receiver, "pkg");
  EXPECT_EQ(g.calls[1].args, (Names{"xs"}));
  EXPECT_EQ(g.calls[2].callee, "h");
}

TEST(LockSource, UnnamedParams) {
  Src s(
      "package p\n"
      "func f(int, string) {\n"
      "\tg() // here\n"
      "}\n");
  LineLocks ll = s.At("// here");
  EXPECT_EQ(ll.function, "f");
  EXPECT_EQ(ll.params, (Names{"", ""}));
}

TEST(LockSource, UnnameableLockExpressionsAreIgnored) {
  Src s(
      "package p\n"
      "func f(s *S) {\n"
      "\ts.m[0].Lock()\n"
      "\tget().mu.Lock()\n"
      "\t(s.mu).Lock()\n"
      "\ts.mu.Lock(1)\n"
      "\ts.mu.TryLock()\n"
      "\ts.wait(s.m[0], get()) // here\n"
      "}\n");
  LineLocks ll = s.At("// here");
  EXPECT_TRUE(ll.held.empty());
  ASSERT_EQ(ll.calls.size(), 2u);  // wait, and get() in its arguments
  EXPECT_EQ(ll.calls[0].callee, "wait");
  EXPECT_EQ(ll.calls[0].args, (Names{"", ""}));
  EXPECT_EQ(ll.calls[1].callee, "get");
  EXPECT_EQ(ll.calls[1].receiver, "");
}

TEST(LockSource, PackageVar) {
  Src s(
      "package p\n"
      "var mu sync.Mutex\n"
      "var (\n"
      "\ta, b sync.RWMutex\n"
      "\tc = 1\n"
      ")\n"
      "func f() {\n"
      "\tvar local sync.Mutex\n"
      "\tlocal.Lock()\n"
      "}\n");
  EXPECT_TRUE(IsPackageVar(s.file, "mu"));
  EXPECT_TRUE(IsPackageVar(s.file, "b"));
  EXPECT_TRUE(IsPackageVar(s.file, "c"));
  EXPECT_FALSE(IsPackageVar(s.file, "local"));
  EXPECT_FALSE(IsPackageVar(s.file, "f"));
  EXPECT_FALSE(IsPackageVar(s.file, ""));
}

TEST(LockSource, HostileSourceDoesNotCrash) {
  std::string deep = "package p\nfunc f() {\n";
  for (int i = 0; i < 3000; ++i) deep += "{ mu.Lock()\n";
  deep += "g()\n";
  LocksAt(Src(deep).file, 3003);  // never closed: an ERROR tree
  for (int i = 0; i <= 3000; ++i) deep += "}\n";
  Src nested(deep);
  LineLocks ll = LocksAt(nested.file, 3003);
  EXPECT_TRUE(ll.found);
  EXPECT_EQ(ll.held.size(), 3000u);

  for (const char* text : {"", "func", "package p\nfunc (",
                           "package p\nfunc (s *) M(, {\n s.Lock(\n}",
                           "package p\nfunc f() { go func( { defer ).Lock() }\n",
                           "package p\nvar (\nfunc f() { x.Lock() }\n",
                           "package p\nfunc (((((*T)))) M() {\n\tt.Run(func() {\n})\n}"}) {
    Src broken(text);
    for (uint32_t line = 0; line < 6; ++line) LocksAt(broken.file, line);
    IsPackageVar(broken.file, "x");
  }
  // Every truncation of a real function: half-written source mid-edit.
  const std::string whole =
      "package p\nvar mu sync.Mutex\nfunc (s *S[T]) F(a, b int) {\n\ts.mu.Lock()\n"
      "\tif a > b { s.mu.Unlock() } else {\n\t\tgo func() { s.G(a) }()\n\t}\n"
      "\tswitch { case a: mu.RLock(); default: defer mu.RUnlock() }\n\ts.H[int](a, b)\n}\n";
  for (size_t n = 0; n <= whole.size(); ++n) {
    Src cut(whole.substr(0, n));
    for (uint32_t line = 0; line < 12; ++line) LocksAt(cut.file, line);
    IsPackageVar(cut.file, "mu");
  }
}

}  // namespace
}  // namespace leakhound
