// The lint rules added for channels, WaitGroups, loops and timers: each
// leaking snippet must be reported at the marked line (a `// want` comment
// in the snippet), with the related lines that explain it, and each
// correct look-alike must stay silent.
#include <gtest/gtest.h>

#include <algorithm>

#include "lint/linter.h"
#include "lint/rule.h"
#include "patterns/pattern.h"

namespace leakhound {
namespace {

const char kHeader[] = "package p\n\nimport (\n\t\"context\"\n\t\"sync\"\n\t\"time\"\n)\n\n";

struct Linted {
  std::string text;
  std::vector<LintFinding> findings;

  // 1-based line of the first line containing `marker`.
  uint32_t Line(const std::string& marker) const {
    size_t at = text.find(marker);
    EXPECT_NE(at, std::string::npos) << marker;
    return static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')) + 1;
  }
  std::vector<const LintFinding*> Of(const std::string& rule) const {
    std::vector<const LintFinding*> v;
    for (const LintFinding& f : findings)
      if (f.rule == rule) v.push_back(&f);
    return v;
  }
  bool Related(const LintFinding& f, const std::string& marker) const {
    uint32_t l = Line(marker);
    for (const auto& r : f.related)
      if (r.first == l) return true;
    return false;
  }
};

Linted Lint(const std::string& body) {
  Linted l;
  l.text = kHeader + body;
  l.findings = LintSource("x.go", l.text);
  return l;
}

// ---- unreceived-send (chan-send-blocked) ----

TEST(LintRules, SendLeftByEarlyReturn) {
  auto l = Lint(R"(func f() (int, error) {
	ch := make(chan int)
	go func() { // launch
		ch <- compute() // want
	}()
	if err := check(); err != nil {
		return 0, err // early
	}
	return <-ch, nil // recv
}
)");
  auto v = l.Of("unreceived-send");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->pattern, "chan-send-blocked");
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// launch"));
  EXPECT_TRUE(l.Related(*v[0], "// early"));
  EXPECT_TRUE(l.Related(*v[0], "// recv"));
  EXPECT_EQ(v[0]->function, "f");
}

TEST(LintRules, SendLeftBySelectTimeout) {
  for (const char* other : {"<-time.After(time.Second)", "<-ctx.Done()"}) {
    auto l = Lint(std::string(R"(func f(ctx context.Context) int {
	ch := make(chan int)
	go func() { ch <- compute() }() // want
	select { // sel
	case v := <-ch:
		return v
	case )") + other + R"(: // giveup
		return -1
	}
}
)");
    auto v = l.Of("unreceived-send");
    ASSERT_EQ(v.size(), 1u) << other;
    EXPECT_EQ(v[0]->line, l.Line("// want"));
    EXPECT_TRUE(l.Related(*v[0], "// sel"));
    EXPECT_TRUE(l.Related(*v[0], "// giveup"));
  }
}

TEST(LintRules, SendLeftByFirstResultWins) {
  auto l = Lint(R"(func first(xs []string) string {
	ch := make(chan string)
	for _, x := range xs {
		go func(x string) { // launch
			ch <- fetch(x) // want
		}(x)
	}
	return <-ch // recv
}
)");
  auto v = l.Of("unreceived-send");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// launch"));
  EXPECT_TRUE(l.Related(*v[0], "// recv"));
  // Passed as an argument under another name: followed.
  auto p = Lint(R"(func first(xs []string) string {
	ch := make(chan string)
	for _, x := range xs {
		go func(out chan<- string, x string) {
			out <- fetch(x) // want
		}(ch, x)
	}
	return <-ch
}
)");
  ASSERT_EQ(p.Of("unreceived-send").size(), 1u);
  EXPECT_EQ(p.Of("unreceived-send")[0]->line, p.Line("// want"));
}

TEST(LintRules, SendLookAlikesAreQuiet) {
  const char* fine[] = {
      // Buffered for its one sender.
      R"(func f() (int, error) {
	ch := make(chan int, 1)
	go func() { ch <- compute() }()
	if err := check(); err != nil {
		return 0, err
	}
	return <-ch, nil
})",
      // Buffered for every sender of the loop.
      R"(func f(xs []string) string {
	ch := make(chan string, len(xs))
	for _, x := range xs {
		go func(x string) { ch <- fetch(x) }(x)
	}
	return <-ch
})",
      // Every result received.
      R"(func f(xs []string) (out []string) {
	ch := make(chan string)
	for _, x := range xs {
		go func(x string) { ch <- fetch(x) }(x)
	}
	for range xs {
		out = append(out, <-ch)
	}
	return out
})",
      // The sender can give up too.
      R"(func f(ctx context.Context) int {
	ch := make(chan int)
	go func() {
		select {
		case ch <- compute():
		case <-ctx.Done():
		}
	}()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return -1
	}
})",
      // Received before any return.
      R"(func f() (int, error) {
	ch := make(chan int)
	go func() { ch <- compute() }()
	v := <-ch
	if err := check(); err != nil {
		return 0, err
	}
	return v, nil
})",
      // Handed to a function we cannot see.
      R"(func f() {
	ch := make(chan int)
	go func() { ch <- 1 }()
	drain(ch)
})",
      // A package variable: others may receive.
      R"(var updated chan struct{}

func f() {
	updated = make(chan struct{})
	go func() { updated <- struct{}{} }()
})",
      // An event loop: the select runs again after the timeout.
      R"(func f(tick <-chan time.Time) {
	done := make(chan bool)
	go func() { done <- true }()
	for {
		select {
		case <-done:
			return
		case <-tick:
		}
	}
})",
      // Two fixed senders, two receives.
      R"(func f() int {
	ch := make(chan int)
	for i := 0; i < 2; i++ {
		go func() { ch <- 1 }()
	}
	return <-ch + <-ch
})",
  };
  for (const char* src : fine) EXPECT_TRUE(Lint(src).Of("unreceived-send").empty()) << src;
}

// ---- range-never-closed (range-unclosed) ----

TEST(LintRules, RangeOverUnclosedChannel) {
  auto l = Lint(R"(func sum(xs []int) int {
	ch := make(chan int) // made
	go func() {
		for _, x := range xs {
			ch <- x
		}
	}()
	total := 0
	for v := range ch { // want
		total += v
	}
	return total
}
)");
  auto v = l.Of("range-never-closed");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->pattern, "range-unclosed");
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// made"));
  // The consumer is the goroutine.
  auto g = Lint(R"(func start() chan<- int {
	jobs := make(chan int)
	go func() {
		for j := range jobs { // want
			work(j)
		}
	}()
	jobs <- 1
	return nil
}
)");
  ASSERT_EQ(g.Of("range-never-closed").size(), 1u);
  EXPECT_EQ(g.Of("range-never-closed")[0]->line, g.Line("// want"));
}

TEST(LintRules, RangeLookAlikesAreQuiet) {
  const char* fine[] = {
      // The producer closes it.
      R"(func sum(xs []int) (t int) {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, x := range xs {
			ch <- x
		}
	}()
	for v := range ch {
		t += v
	}
	return t
})",
      // Closed by a goroutine that got it as an argument.
      R"(func sum(xs []int) (t int) {
	ch := make(chan int)
	go func(out chan<- int) {
		for _, x := range xs {
			out <- x
		}
		close(out)
	}(ch)
	for v := range ch {
		t += v
	}
	return t
})",
      // A parameter: who closes it is not visible here.
      R"(func consume(ch chan int) {
	for v := range ch {
		use(v)
	}
})",
      // Given to a named function, which may close it.
      R"(func f() {
	ch := make(chan int)
	go produce(ch)
	for v := range ch {
		use(v)
	}
})",
      // The loop leaves by itself.
      R"(func f() int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	for v := range ch {
		return v
	}
	return 0
})",
  };
  for (const char* src : fine) EXPECT_TRUE(Lint(src).Of("range-never-closed").empty()) << src;
}

// ---- waitgroup-mismatch (waitgroup-wait) ----

TEST(LintRules, WaitGroupConstantMismatch) {
  auto l = Lint(R"(func gather(work func()) {
	var wg sync.WaitGroup
	wg.Add(2) // want
	go func() { // launch
		defer wg.Done()
		work()
	}()
	wg.Wait() // wait
}
)");
  auto v = l.Of("waitgroup-mismatch");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->pattern, "waitgroup-wait");
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// launch"));
  EXPECT_TRUE(l.Related(*v[0], "// wait"));
}

TEST(LintRules, WaitGroupAddInsideGoroutine) {
  auto l = Lint(R"(func run(jobs []func()) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		go func(j func()) {
			wg.Add(1) // want
			defer wg.Done()
			j()
		}(j)
	}
	wg.Wait() // wait
}
)");
  auto v = l.Of("waitgroup-mismatch");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// wait"));
  EXPECT_NE(v[0]->message.find("return early"), std::string::npos);
}

TEST(LintRules, WaitGroupDoneSkippedByReturn) {
  auto l = Lint(R"(func run(jobs []func() error) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func(j func() error) {
			if err := j(); err != nil {
				return // early
			}
			wg.Done() // want
		}(j)
	}
	wg.Wait()
}
)");
  auto v = l.Of("waitgroup-mismatch");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// early"));
}

TEST(LintRules, WaitGroupLookAlikesAreQuiet) {
  const char* fine[] = {
      R"(func run(jobs []func()) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func(j func()) {
			defer wg.Done()
			j()
		}(j)
	}
	wg.Wait()
})",
      R"(func run(xs []int) {
	var wg sync.WaitGroup
	wg.Add(len(xs))
	for _, x := range xs {
		go func(x int) {
			defer wg.Done()
			use(x)
		}(x)
	}
	wg.Wait()
})",
      R"(func two(a, b func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a() }()
	go func() { defer wg.Done(); b() }()
	wg.Wait()
})",
      // Handed to a worker we cannot see.
      R"(func two() {
	var wg sync.WaitGroup
	wg.Add(2)
	go worker(&wg)
	go worker(&wg)
	wg.Wait()
})",
      // Add inside a goroutine that is itself counted: the counter
      // cannot reach zero while it adds.
      R"(func serve(ln listener) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); handle(c) }()
		}
	}()
	wg.Wait()
})",
      // Done deferred: the early return still counts down.
      R"(func run(j func() error) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := j(); err != nil {
			return
		}
	}()
	wg.Wait()
})",
  };
  for (const char* src : fine) EXPECT_TRUE(Lint(src).Of("waitgroup-mismatch").empty()) << src;
}

// ---- loop-no-exit ----

TEST(LintRules, LoopWithoutExitInGoroutine) {
  auto spin = Lint(R"(func start(flag *bool) {
	go func() {
		for { // want
			if *flag {
				work()
			}
		}
	}()
}
)");
  auto v = spin.Of("loop-no-exit");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->pattern, "busy-loop");
  EXPECT_EQ(v[0]->line, spin.Line("// want"));

  auto sel = Lint(R"(func (s *server) start() {
	go s.loop()
}

func (s *server) loop() {
	for { // want
		select { // parks
		case m := <-s.in:
			s.handle(m)
		case <-s.tick:
			s.flush()
		}
	}
}
)");
  auto w = sel.Of("loop-no-exit");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0]->pattern, "select-forever");
  EXPECT_EQ(w[0]->line, sel.Line("// want"));
  EXPECT_TRUE(sel.Related(*w[0], "// parks"));

  auto gen = Lint("func f(out chan int) {\n\tgo func() {\n\t\tfor {\n\t\t\tout <- next()\n\t\t}\n\t}()\n}\n");
  ASSERT_EQ(gen.Of("loop-no-exit").size(), 1u);
  EXPECT_EQ(gen.Of("loop-no-exit")[0]->pattern, "chan-send-blocked");
}

TEST(LintRules, LoopLookAlikesAreQuiet) {
  const char* fine[] = {
      R"(func f(ctx context.Context, in chan int) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case v := <-in:
				use(v)
			}
		}
	}()
})",
      R"(func f(in chan int, quit chan struct{}) {
	go func() {
		for {
			select {
			case <-quit:
			case v := <-in:
				use(v)
			}
		}
	}()
})",
      R"(func f(in chan int) {
	go func() {
		for {
			v, ok := <-in
			if !ok {
				break
			}
			use(v)
		}
	}()
})",
      // A worker waiting for jobs: a pool, not a leak.
      R"(func f(in chan int) {
	go func() {
		for {
			use(<-in)
		}
	}()
})",
      // Not a goroutine: main's own loop.
      R"(func main() {
	for {
		work()
	}
})",
      R"(func f() {
	go func() {
		for {
			if err := work(); err != nil {
				panic(err)
			}
		}
	}()
})",
  };
  for (const char* src : fine) EXPECT_TRUE(Lint(src).Of("loop-no-exit").empty()) << src;
}

// ---- timer-in-loop ----

TEST(LintRules, TimersMadeInLoops) {
  auto l = Lint(R"(func poll(ctx context.Context, in chan int) {
	for { // loop
		select { // sel
		case v := <-in:
			use(v)
		case <-time.After(time.Minute): // want-after
			return
		}
	}
}

func tick() {
	for i := 0; i < 10; i++ {
		<-time.Tick(time.Second) // want-tick
	}
}
)");
  auto v = l.Of("timer-in-loop");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0]->pattern, "timer-in-loop");
  EXPECT_EQ(v[0]->line, l.Line("// want-after"));
  EXPECT_TRUE(l.Related(*v[0], "// sel"));
  EXPECT_TRUE(l.Related(*v[0], "// loop"));
  EXPECT_EQ(v[1]->line, l.Line("// want-tick"));
  ASSERT_NE(FindPattern("timer-in-loop"), nullptr);
}

TEST(LintRules, TimerLookAlikesAreQuiet) {
  const char* fine[] = {
      R"(func f() {
	for range time.Tick(time.Second) {
		work()
	}
})",
      R"(func f(in chan int) int {
	select {
	case v := <-in:
		return v
	case <-time.After(time.Second):
		return 0
	}
})",
      R"(func f(ctx context.Context, in chan int) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			work()
		}
	}
})",
  };
  for (const char* src : fine) EXPECT_TRUE(Lint(src).Of("timer-in-loop").empty()) << src;
}

// ---- nil-chan-field (nil-chan) ----

TEST(LintRules, ChannelFieldNeverMade) {
  auto l = Lint(R"(type pipeline struct {
	out chan int // decl
}

func (p *pipeline) publish(v int) {
	p.out <- v // want
}
)");
  auto v = l.Of("nil-chan-field");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->pattern, "nil-chan");
  EXPECT_EQ(v[0]->line, l.Line("// want"));
  EXPECT_TRUE(l.Related(*v[0], "// decl"));
  EXPECT_EQ(v[0]->function, "(*pipeline).publish");
  const char* fine[] = {
      "type pipeline struct {\n\tout chan int\n}\n\nfunc newP() *pipeline {\n\treturn &pipeline{out: make(chan int)}\n}\n\nfunc (p *pipeline) publish(v int) {\n\tp.out <- v\n}\n",
      "type pipeline struct {\n\tout chan int\n}\n\nfunc (p *pipeline) init() {\n\tp.out = make(chan int)\n}\n\nfunc (p *pipeline) publish(v int) {\n\tp.out <- v\n}\n",
      "type Pipeline struct {\n\tOut chan int\n}\n\nfunc (p *Pipeline) publish(v int) {\n\tp.Out <- v\n}\n",
  };
  for (const char* src : fine) EXPECT_TRUE(Lint(src).Of("nil-chan-field").empty()) << src;
}

TEST(LintRules, EveryRuleNamesACataloguePattern) {
  for (const LintRule& r : AllLintRules()) EXPECT_NE(FindPattern(r.pattern), nullptr) << r.name;
}

}  // namespace
}  // namespace leakhound
