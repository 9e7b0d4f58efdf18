// Lint rules on small Go snippets: each leaking shape must be reported at
// the right line, and its correct look-alike must not be.
#include <gtest/gtest.h>

#include "lint/linter.h"

namespace leakhound {
namespace {

std::vector<LintFinding> Lint(const std::string& body) {
  return LintSource("x.go", "package p\n\nimport (\n\t\"net/http\"\n\t\"sync\"\n)\n\n" + body);
}

// Line numbers below count from the top of the generated file: the
// snippet starts on line 8.
int Count(const std::vector<LintFinding>& v, const std::string& pattern) {
  int n = 0;
  for (const LintFinding& f : v) n += f.pattern == pattern;
  return n;
}

TEST(Lint, SelectEmptyOutsideMain) {
  auto v = Lint("func serve() {\n\tgo func() {\n\t\tselect {}\n\t}()\n}\n");
  ASSERT_EQ(Count(v, "select-forever"), 1);
  EXPECT_EQ(v[0].line, 10u);
  EXPECT_EQ(Count(Lint("func main() {\n\tselect {}\n}\n"), "select-forever"), 0);
  EXPECT_EQ(Count(Lint("func f(c chan int) {\n\tselect {\n\tcase <-c:\n\t}\n}\n"), "select-forever"), 0);
}

TEST(Lint, NilChannelVar) {
  auto v = Lint("func f() {\n\tvar ch chan int\n\tgo func() { ch <- 1 }()\n\t<-ch\n}\n");
  EXPECT_EQ(Count(v, "nil-chan"), 2);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].related.at(0).first, 9u);
  // Made later, or only used to disable a select case: fine.
  EXPECT_EQ(Count(Lint("func f() {\n\tvar ch chan int\n\tch = make(chan int, 1)\n\tch <- 1\n}\n"), "nil-chan"), 0);
  EXPECT_EQ(Count(Lint("func f(d chan int) {\n\tvar off chan int\n\tselect {\n\tcase <-off:\n\tcase <-d:\n\t}\n}\n"), "nil-chan"), 0);
}

TEST(Lint, HttpWithoutTimeout) {
  auto v = Lint("func f(u string) {\n\thttp.Get(u)\n\tc := &http.Client{}\n\t_ = c\n\t_ = http.DefaultClient\n}\n");
  EXPECT_EQ(Count(v, "http-no-timeout"), 3);
  EXPECT_EQ(Count(Lint("func f(u string) {\n\tc := &http.Client{Timeout: 5}\n\tc.Get(u)\n}\n"), "http-no-timeout"), 0);
}

TEST(Lint, LockWithoutUnlock) {
  auto early = Lint("var mu sync.Mutex\n\nfunc f(x int) int {\n\tmu.Lock()\n\tif x < 0 {\n\t\treturn 0\n\t}\n\tmu.Unlock()\n\treturn x\n}\n");
  ASSERT_EQ(Count(early, "mutex-held"), 1);
  EXPECT_EQ(early[0].line, 11u);
  EXPECT_EQ(early[0].related.at(0).first, 13u);
  EXPECT_EQ(Count(Lint("var mu sync.Mutex\n\nfunc f() {\n\tmu.Lock()\n}\n"), "mutex-held"), 1);
  EXPECT_EQ(Count(Lint("var mu sync.Mutex\n\nfunc f(x int) int {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\tif x < 0 {\n\t\treturn 0\n\t}\n\treturn x\n}\n"), "mutex-held"), 0);
  EXPECT_EQ(Count(Lint("var mu sync.RWMutex\n\nfunc f() int {\n\tmu.RLock()\n\tv := 1\n\tmu.RUnlock()\n\treturn v\n}\n"), "mutex-held"), 0);
}

TEST(Lint, ContextCancelLost) {
  auto v = Lint("func f(ctx context.Context) {\n\tc, _ := context.WithCancel(ctx)\n\tgo work(c)\n}\n");
  ASSERT_EQ(Count(v, "context-never-done"), 1);
  EXPECT_EQ(v[0].line, 9u);
  EXPECT_EQ(Count(Lint("func f(ctx context.Context) {\n\tc, cancel := context.WithTimeout(ctx, 1)\n\tgo work(c)\n}\n"), "context-never-done"), 1);
  EXPECT_EQ(Count(Lint("func f(ctx context.Context) {\n\tc, cancel := context.WithCancel(ctx)\n\t_ = cancel\n\tgo work(c)\n}\n"), "context-never-done"), 1);
  EXPECT_EQ(Count(Lint("func f(ctx context.Context) {\n\tc, cancel := context.WithTimeout(ctx, 1)\n\tdefer cancel()\n\tgo work(c)\n}\n"), "context-never-done"), 0);
  EXPECT_EQ(Count(Lint("func f(ctx context.Context) (c context.Context, cancel func()) {\n\tc, cancel = context.WithCancel(ctx)\n\treturn\n}\n"), "context-never-done"), 0);
  EXPECT_EQ(Count(Lint("func f(ctx context.Context) (context.Context, func()) {\n\tc, cancel := context.WithCancel(ctx)\n\treturn c, cancel\n}\n"), "context-never-done"), 0);
}

TEST(Lint, IgnoreComments) {
  size_t suppressed = 0;
  auto v = LintSource("x.go", "package p\n\nfunc f() {\n\tgo func() {\n\t\t//leakhound:ignore select-forever parked on purpose\n\t\tselect {}\n\t}()\n}\n", &suppressed);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(suppressed, 1u);
}

TEST(Lint, GarbageDoesNotCrash) {
  std::string junk = "package p\nfunc (((( {{{{ select {} <- <- chan chan var var\n";
  for (int i = 0; i < 2000; ++i) junk += "{";
  EXPECT_NO_THROW(LintSource("junk.go", junk));
}

}  // namespace
}  // namespace leakhound
