#include "analyze/test_context.h"

#include <algorithm>

#include <fmt/format.h>

#include "analyze/buckets.h"
#include "model/func_name.h"
#include "patterns/pattern.h"

namespace leakhound {

namespace {

// What follows the package path: "example.com/p.TestMain" -> "TestMain",
// "p.(*T).M" -> "(*T).M"; "" when there is nothing after it.
std::string_view AfterPackage(std::string_view fn) {
  std::string_view pkg = PackageOf(fn);
  return pkg.size() < fn.size() ? fn.substr(pkg.size() + 1) : std::string_view();
}

// Test names from the preamble's "running tests:" block: each following
// line, TABs or spaces first (a pasted dump may have either), is
// "TestX (2s)" or, for a subtest, "TestX/sub (2s)".
std::vector<std::string> RunningTests(std::string_view preamble) {
  std::vector<std::string> out;
  size_t at = preamble.find("running tests:");
  if (at == std::string_view::npos) return out;
  std::string_view rest = preamble.substr(at);
  size_t nl = rest.find('\n');
  while (nl != std::string_view::npos) {
    rest.remove_prefix(nl + 1);
    nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos) break;
    line.remove_prefix(b);
    line = line.substr(0, line.find(' '));
    if (!line.starts_with("Test") && !line.starts_with("Example") && !line.starts_with("Fuzz"))
      break;
    out.emplace_back(line);
  }
  return out;
}

}  // namespace

bool IsGoTestOwn(const Snapshot& s, const Stack& st, int top_user) {
  const Frame& top = st.frames[static_cast<size_t>(top_user)];
  if (ParseFuncName(s.str(top.function)).stdlib || s.str(top.file).ends_with("_testmain.go"))
    return true;
  for (const Frame& f : st.frames)
    if (s.str(f.function) == "testing.(*M).Run") return true;
  return false;
}

std::string TestOfFunction(std::string_view fn) {
  std::string_view name = AfterPackage(fn);
  name = name.substr(0, name.find('.'));
  return name.starts_with("Test") && name != "TestMain" ? std::string(name) : std::string();
}

std::string TestOnStack(const Snapshot& s, const Stack& st) {
  for (const Frame& f : st.frames)
    if (std::string t = TestOfFunction(s.str(f.function)); !t.empty()) return t;
  // "created by example.com/p.TestX in goroutine 18": the test's own
  // goroutine may be gone, its go statement is still named.
  if (st.has_creator) return TestOfFunction(s.str(st.creator.function));
  return "";
}

std::string TestOfGoroutine(const Snapshot& s, const GoroutinesById& by_id, const Goroutine& g0) {
  const Goroutine* g = &g0;
  // Bounded: a corrupt dump may name creators in a cycle.
  for (size_t steps = 0; g && steps <= by_id.size(); ++steps) {
    if (std::string t = TestOnStack(s, s.stack_of(*g)); !t.empty()) return t;
    auto up = by_id.find(g->creator_id);
    g = up == by_id.end() ? nullptr : up->second;
  }
  return "";
}

TestContext ReadTestContext(const Snapshot& s) {
  TestContext c;
  std::string_view pre = s.preamble;
  if (size_t at = pre.find(kTestTimeoutPanic); at != std::string_view::npos) {
    std::string_view d = pre.substr(at + kTestTimeoutPanic.size());
    c.timed_out = true;
    c.timeout = std::string(d.substr(0, d.find_first_of(" \t\r\n")));
    c.running = RunningTests(pre.substr(at));
  }
  if (!s.has_ids) return c;
  for (const Goroutine& g : s.goroutines()) {
    if (g.id != 1) continue;
    const Stack& st = s.stack_of(g);
    bool in_run = false;
    std::string_view test_main;
    for (const Frame& f : st.frames) {
      std::string_view fn = s.str(f.function);
      in_run |= fn == "testing.(*M).Run";
      // TestMain itself, not a closure inside it (a deferred func or a
      // goroutine body that happens to be goroutine 1's caller).
      if (test_main.empty() && AfterPackage(fn) == "TestMain") test_main = fn;
    }
    if (!in_run && !test_main.empty() && !st.cut) {
      c.after_m_run = true;
      c.test_main = std::string(test_main);
    }
    break;
  }
  return c;
}

std::optional<Reason> TestContextReason(const TestContext& tests, const Snapshot& s,
                                        const Bucket& b, const BucketFacts& facts,
                                        const std::function<std::string()>& test_of) {
  if (facts.top_user < 0 || IsGoTestOwn(s, *facts.stack, facts.top_user)) return std::nullopt;
  // TestMain's own goroutine wrote the dump.
  if (tests.after_m_run && std::find(b.ids.begin(), b.ids.end(), 1) != b.ids.end())
    return std::nullopt;
  std::string test = test_of();
  // Started before the tests, by init or TestMain (on goroutine 1, which
  // runs both), the goroutine lives with the process, not with a test.
  if (test.empty() && facts.stack->has_creator) {
    std::string_view creator = AfterPackage(s.str(facts.stack->creator.function));
    bool by_main = creator == "TestMain" || creator == "init" || creator.starts_with("init.") ||
                   std::find(b.creator_ids.begin(), b.creator_ids.end(), 1) != b.creator_ids.end();
    if (by_main) return std::nullopt;
  }
  if (tests.timed_out) {
    std::string running;
    bool in_running = false;
    for (const std::string& r : tests.running) {
      running += (running.empty() ? "" : ", ") + r;
      in_running |= !test.empty() && (r == test || r.starts_with(test + "/"));
    }
    // Go 1.19 lists no running tests: then any test may be the one.
    if (in_running || tests.running.empty()) {
      std::string with = running.empty() ? "" : " with " + running + " running";
      return Reason{fmt::format("still blocked when go test's -timeout fired after {}{}: the "
                                "test hung here",
                                tests.timeout, with),
                    0.9};
    }
    if (!test.empty())
      return Reason{fmt::format("still blocked when go test's -timeout fired after {}, but {} "
                                "had finished (running: {}): it outlived its test",
                                tests.timeout, test, running),
                    0.6};
    return Reason{fmt::format("still blocked when go test's -timeout fired after {} (running: "
                              "{}): it hung a test or outlived one",
                              tests.timeout, running),
                  0.6};
  }
  std::string by = test.empty() ? "" : ", started by " + test + ",";
  return Reason{fmt::format("written after m.Run() returned in {}: every test had finished, so "
                            "this goroutine{} outlived its test (goleak's rule)",
                            tests.test_main, by),
                0.6};
}

}  // namespace leakhound
