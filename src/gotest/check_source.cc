#include "gotest/check_source.h"

#include <string_view>

namespace leakhound {

namespace {

// Why it is written this way:
// - The end check is registered with t.Cleanup by the test's first
//   statement rather than deferred: cleanups run last-registered-first, so
//   it runs after the user's own defers and cleanups (which often stop the
//   goroutines) and, for a test with parallel subtests, after they finish.
// - Goroutines are told apart by the ids in runtime.Stack headers. A
//   survivor is the test's when its "created by ... in goroutine N" chain
//   (Go 1.21+) reaches the test's goroutine; a chain that reaches a
//   goroutine older than the test is not the test's, whatever the timing
//   (t.Parallel). Where the chain cannot be followed (Go before 1.21, or a
//   parent that has exited) "not there when the test started" decides.
// - Each survivor is reported once: a subtest's check claims its leaks
//   before its parent's check runs.
// - Goroutines running testing.tRunner are tests themselves (parallel
//   siblings, subtests waiting in t.Parallel), never leaks.
// - Where the runtime has the goroutineleak profile, the survivors' dump
//   comes from it: the goroutines its GC proved unreachable carry
//   "(leaked)", which the verdict engine takes as proof.
// - The env vars are read while the test runs so that go test's result
//   cache keys on them.
constexpr std::string_view kCheck = R"GO(
// Code added by leakhound test (docs/gotest.md).

const leakhound_package = "@IMPORT@"

type leakhound_goroutine struct {
	id, parent uint64
	creator    string // the function of the go statement
	block      string
	ignored    bool
}

var (
	leakhound_mu       leakhound_sync.Mutex
	leakhound_reported = map[uint64]bool{}
	leakhound_leaked   = map[string]bool{} // test names that leaked (earlier runs, this process)
	leakhound_loadOnce leakhound_sync.Once
	leakhound_seq      int
)

func leakhound_stacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := leakhound_runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

func leakhound_parse(dump string) []*leakhound_goroutine {
	var out []*leakhound_goroutine
	for _, block := range leakhound_strings.Split(dump, "\n\n") {
		block = leakhound_strings.Trim(block, "\n")
		if !leakhound_strings.HasPrefix(block, "goroutine ") {
			continue
		}
		rest := block[len("goroutine "):]
		sp := leakhound_strings.IndexByte(rest, ' ')
		if sp < 0 {
			continue
		}
		id, err := leakhound_strconv.ParseUint(rest[:sp], 10, 64)
		if err != nil {
			continue
		}
		// Before Go 1.21 "created by" names no parent; leakhound test then
		// sets GODEBUG=tracebackancestors=1, which prints the parent's id
		// and its stack at the go statement under the goroutine's own.
		// Only the goroutine's own part is its stack (the parent's frames
		// would make every test's goroutine look like testing.tRunner).
		parent := uint64(0)
		if i := leakhound_strings.Index(block, "\n[originating from goroutine "); i >= 0 {
			rest := block[i+len("\n[originating from goroutine "):]
			if j := leakhound_strings.IndexByte(rest, ']'); j >= 0 {
				parent, _ = leakhound_strconv.ParseUint(rest[:j], 10, 64)
			}
			block = block[:i]
		}
		g := &leakhound_goroutine{id: id, parent: parent, block: block}
		if i := leakhound_strings.LastIndex(block, "\ncreated by "); i >= 0 {
			line := block[i+1:]
			if nl := leakhound_strings.IndexByte(line, '\n'); nl >= 0 {
				line = line[:nl]
			}
			line = line[len("created by "):]
			if j := leakhound_strings.LastIndex(line, " in goroutine "); j >= 0 {
				g.parent, _ = leakhound_strconv.ParseUint(leakhound_strings.TrimSpace(line[j+len(" in goroutine "):]), 10, 64)
				line = line[:j]
			}
			g.creator = line
		}
		for _, f := range []string{"\ntesting.tRunner(", "\ntesting.(*M).", "\nmain.main()", "\nos/signal.signal_recv(", "\nos/signal.loop("} {
			if leakhound_strings.Contains(block, f) {
				g.ignored = true
			}
		}
		out = append(out, g)
	}
	return out
}

func leakhound_self() uint64 {
	buf := make([]byte, 64)
	s := string(buf[:leakhound_runtime.Stack(buf, false)])
	s = leakhound_strings.TrimPrefix(s, "goroutine ")
	if sp := leakhound_strings.IndexByte(s, ' '); sp >= 0 {
		s = s[:sp]
	}
	id, _ := leakhound_strconv.ParseUint(s, 10, 64)
	return id
}

func leakhound_ids() map[uint64]bool {
	ids := map[uint64]bool{}
	for _, g := range leakhound_parse(leakhound_stacks()) {
		ids[g.id] = true
	}
	return ids
}

// leakhound_testOf: the test function a function belongs to
// ("example.com/p.TestX.func1" -> "TestX"), or "".
func leakhound_testOf(fn string) string {
	if i := leakhound_strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	if i := leakhound_strings.IndexByte(fn, '.'); i >= 0 {
		fn = fn[i+1:]
	}
	if i := leakhound_strings.IndexByte(fn, '.'); i >= 0 {
		fn = fn[:i]
	}
	if leakhound_strings.HasPrefix(fn, "Test") {
		return fn
	}
	return ""
}

// leakhound_ours: g was started during the test whose goroutine is self
// and whose top-level test function is test (self 0: the final check,
// any goroutine not there at the start counts). Where the chain cannot be
// followed, a go statement in another test function says it is that
// test's (a parallel sibling still running, on Go before 1.21).
func leakhound_ours(g *leakhound_goroutine, self uint64, test string, start map[uint64]bool, byID map[uint64]*leakhound_goroutine) bool {
	unknown := func(g *leakhound_goroutine) bool {
		other := leakhound_testOf(g.creator)
		return self == 0 || other == "" || other == test
	}
	for steps := 0; steps < 1000000; steps++ {
		if self != 0 && g.parent == self {
			return true
		}
		if g.parent == 0 {
			return unknown(g)
		}
		if start[g.parent] {
			return false
		}
		p, ok := byID[g.parent]
		if !ok {
			return unknown(g)
		}
		g = p
	}
	return true
}

func leakhound_survivors(self uint64, test string, start map[uint64]bool) []*leakhound_goroutine {
	all := leakhound_parse(leakhound_stacks())
	byID := map[uint64]*leakhound_goroutine{}
	for _, g := range all {
		byID[g.id] = g
	}
	leakhound_mu.Lock()
	defer leakhound_mu.Unlock()
	var out []*leakhound_goroutine
	for _, g := range all {
		if g.ignored || g.id == self || start[g.id] || leakhound_reported[g.id] {
			continue
		}
		if leakhound_ours(g, self, test, start, byID) {
			out = append(out, g)
		}
	}
	return out
}

// leakhound_settle waits for the test's goroutines to exit, with backoff
// up to the settle time, and records those still there.
func leakhound_settle(name, dir string, settle leakhound_time.Duration, self uint64, start map[uint64]bool) {
	deadline := leakhound_time.Now().Add(settle)
	wait := leakhound_time.Millisecond
	for {
		test := name
		if i := leakhound_strings.IndexByte(test, '/'); i >= 0 {
			test = test[:i]
		}
		gs := leakhound_survivors(self, test, start)
		if len(gs) == 0 {
			return
		}
		if !leakhound_time.Now().Before(deadline) {
			proof := leakhound_proof()
			if proof != "" {
				marked := map[uint64]string{}
				for _, g := range leakhound_parse(proof) {
					marked[g.id] = g.block
				}
				for _, g := range gs {
					if b, ok := marked[g.id]; ok {
						g.block = b
					}
				}
			}
			leakhound_write(name, dir, gs, proof != "")
			return
		}
		leakhound_time.Sleep(wait)
		if wait < 100*leakhound_time.Millisecond {
			wait *= 2
		}
	}
}

// leakhound_proof: the goroutineleak profile (Go 1.27, or 1.26 built with
// GOEXPERIMENT=goroutineleakprofile) as debug=2 text: every goroutine,
// those the GC proved unreachable marked "(leaked)"; "" without it.
func leakhound_proof() string {
	p := leakhound_pprof.Lookup("goroutineleak")
	if p == nil {
		return ""
	}
	var b leakhound_strings.Builder
	if p.WriteTo(&b, 2) != nil {
		return ""
	}
	return b.String()
}

func leakhound_write(name, dir string, gs []*leakhound_goroutine, proof bool) {
	leakhound_mu.Lock()
	defer leakhound_mu.Unlock()
	var b leakhound_strings.Builder
	n := 0
	b.WriteString("@TEST_HEADER@" + name + "\n@PACKAGE_HEADER@" + leakhound_package + "\n")
	if proof {
		b.WriteString("@PROOF_HEADER@yes\n")
	}
	b.WriteString("\n")
	for _, g := range gs {
		if leakhound_reported[g.id] {
			continue
		}
		leakhound_reported[g.id] = true
		b.WriteString(g.block)
		b.WriteString("\n\n")
		n++
	}
	if n > 0 {
		leakhound_leaked[name] = true
	}
	if n == 0 || dir == "" {
		return
	}
	leakhound_seq++
	path := dir + "/" + leakhound_strconv.Itoa(leakhound_os.Getpid()) + "-@TAG@-" + leakhound_strconv.Itoa(leakhound_seq) + ".txt"
	if err := leakhound_os.WriteFile(path, []byte(b.String()), 0644); err != nil {
		println("leakhound: cannot write", path, err.Error())
	}
}

func leakhound_env() (string, leakhound_time.Duration) {
	settle, err := leakhound_time.ParseDuration(leakhound_os.Getenv("@SETTLE_ENV@"))
	if err != nil {
		settle = leakhound_time.Second
	}
	return leakhound_os.Getenv("@DIR_ENV@"), settle
}

// leakhound_skipLeaked: with --until-leak, a test that already leaked
// (in an earlier run, or an earlier -count repetition here) is skipped.
func leakhound_skipLeaked(t *leakhound_testing.T) {
	path := leakhound_os.Getenv("@SKIP_ENV@")
	if path == "" {
		return
	}
	// The file only changes between runs (processes): read it once.
	leakhound_loadOnce.Do(func() {
		data, _ := leakhound_os.ReadFile(path)
		leakhound_mu.Lock()
		defer leakhound_mu.Unlock()
		for _, line := range leakhound_strings.Split(string(data), "\n") {
			if name := leakhound_strings.TrimPrefix(line, leakhound_package+"\t"); name != line {
				leakhound_leaked[name] = true
			}
		}
	})
	leakhound_mu.Lock()
	already := leakhound_leaked[t.Name()]
	leakhound_mu.Unlock()
	if already {
		t.Skip("leakhound test --until-leak: this test already leaked")
	}
}

// leakhound_check is the first statement of every test: it notes the
// goroutines that exist now and checks, after the test, for new ones.
func leakhound_check(t *leakhound_testing.T) {
	leakhound_skipLeaked(t)
	dir, settle := leakhound_env()
	self := leakhound_self()
	start := leakhound_ids()
	t.Cleanup(func() { leakhound_settle(t.Name(), dir, settle, self, start) })
}
)GO";

constexpr std::string_view kTestMain = R"GO(
// TestMain runs the tests, then checks for goroutines that outlived them
// all and that no test's check claimed.
func TestMain(m *leakhound_testing.M) {
	start := leakhound_ids()
	code := m.Run()
	dir, settle := leakhound_env()
	leakhound_settle("@AFTER_ALL@", dir, settle, 0, start)
	leakhound_os.Exit(code)
}
)GO";

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size()))
    s->replace(at, from.size(), to);
}

// A Go interpreted string literal's body (import paths are plain, but be
// safe about quotes and backslashes).
std::string GoQuote(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string CheckImports() {
  return "; import (leakhound_os \"os\"; leakhound_runtime \"runtime\"; leakhound_strconv "
         "\"strconv\"; leakhound_strings \"strings\"; leakhound_sync \"sync\"; "
         "leakhound_testing \"testing\"; leakhound_time \"time\"; leakhound_pprof "
         "\"runtime/pprof\")";
}

std::string CheckSource(const std::string& import_path, const std::string& tag,
                        bool with_test_main) {
  std::string s(kCheck);
  if (with_test_main) s.append(kTestMain);
  ReplaceAll(&s, "@IMPORT@", GoQuote(import_path));
  ReplaceAll(&s, "@TAG@", tag);
  ReplaceAll(&s, "@TEST_HEADER@", kRecordTestHeader);
  ReplaceAll(&s, "@PACKAGE_HEADER@", kRecordPackageHeader);
  ReplaceAll(&s, "@AFTER_ALL@", kAfterAllTests);
  ReplaceAll(&s, "@PROOF_HEADER@", kRecordProofHeader);
  ReplaceAll(&s, "@SETTLE_ENV@", kGotestSettleEnv);
  ReplaceAll(&s, "@DIR_ENV@", kGotestDirEnv);
  ReplaceAll(&s, "@SKIP_ENV@", kGotestSkipEnv);
  return s;
}

}  // namespace leakhound
