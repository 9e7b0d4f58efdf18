#include "patterns/benign.h"

#include <re2/re2.h>

#include "model/func_name.h"

namespace leakhound {

// Each row: why this goroutine waits forever and why that is fine. Add
// rows here, not checks in the analyzer; users add their own with ignore
// rules in .leakhound.yaml.
const std::vector<BenignRule>& BenignRules() {
  using K = BenignRule::Kind;
  static const std::vector<BenignRule> rules = {
      {"runtime", K::kAllFunctions, R"(runtime\..*|runtime/.*|internal/runtime/.*)", nullptr,
       "the Go runtime's own goroutine (GC workers, finalizers, scavenger)"},
      {"main", K::kMainGoroutine, "", nullptr,
       "the main goroutine, which waits for the life of the program"},
      {"os-signal", K::kAnyFunction, R"(os/signal\.(signal_recv|loop|watchSignalLoop.*))", nullptr,
       "os/signal's delivery loop, started by signal.Notify"},
      {"http-accept", K::kAnyFunction, R"(net/http\.\(\*Server\)\.Serve)", R"(IO wait.*)",
       "net/http server accept loop"},
      {"net-accept", K::kAnyFunction, R"(net\.\(\*(TCP|Unix)Listener\)\.(accept|Accept))",
       R"(IO wait.*)", "a listener's accept loop"},
      {"http-server-idle", K::kAnyFunction, R"(net/http\.\(\*conn\)\.serve)", R"(IO wait.*)",
       "net/http server connection waiting for the next request (keep-alive)"},
      {"http-server-bgread", K::kAnyFunction, R"(net/http\.\(\*connReader\)\.backgroundRead)",
       R"(IO wait.*)", "net/http server watching an idle connection"},
      {"http2-server", K::kAnyFunction,
       R"((net/http\.\(\*http2serverConn\)|golang\.org/x/net/http2\.\(\*serverConn\))\.(serve|readFrames))",
       nullptr, "HTTP/2 server connection loop"},
      {"http-client-idle", K::kAnyFunction,
       R"(net/http\.\(\*persistConn\)\.(readLoop|writeLoop))", nullptr,
       "net/http client keep-alive connection, idle in the Transport's pool"},
      {"http2-client", K::kAnyFunction,
       R"((net/http\.\(\*http2ClientConn\)|net/http\.\(\*http2clientConnReadLoop\)|golang\.org/x/net/http2\.\(\*(ClientConn|clientConnReadLoop)\))\.(readLoop|run))",
       nullptr, "HTTP/2 client connection read loop"},
      {"database-sql", K::kAnyFunction,
       R"(database/sql\.\(\*DB\)\.(connectionOpener|connectionResetter|connectionCleaner))",
       nullptr, "database/sql connection pool maintenance"},
      {"grpc-transport", K::kAnyFunction,
       R"(google\.golang\.org/grpc/internal/(transport|grpcsync|balancer)\..*|google\.golang\.org/grpc\.\(\*(ccBalancerWrapper|addrConn|ccResolverWrapper)\)\..*)",
       nullptr, "gRPC transport and balancer loops"},
      // Parked inside package testing itself (a parent test waiting for
      // its subtests, a parallel test waiting for its turn in t.Parallel,
      // the runner waiting for tests, benchmarks): every test goroutine
      // has tRunner at its bottom, so "a testing frame anywhere" would
      // excuse a test's own leaked goroutines.
      {"testing", K::kParkedIn, R"(testing\..*)", nullptr, "the testing package's runner"},
      // testing/synctest.Test's own goroutines: the test goroutine parked in
      // synctest.Run ("synctest.Run (durable)") and, inside the bubble,
      // testingSynctestTest waiting for the test body (Go 1.25+). They wait
      // for the test, as tRunner does; the body's goroutines park in user
      // code and stay findings.
      {"synctest-runner", K::kParkedIn, R"(testing/synctest\..*)", nullptr,
       "testing/synctest's runner, waiting for the test in its bubble"},
      {"log-flush", K::kAnyFunction,
       R"((k8s\.io/klog(/v2)?|github\.com/golang/glog)\.\(\*(loggingT|flushDaemon)\)\..*)", nullptr,
       "a logger's periodic flush daemon"},
      {"opencensus", K::kAnyFunction, R"(go\.opencensus\.io/stats/view\.\(\*worker\)\.start)",
       nullptr, "OpenCensus stats worker"},
      {"otel-batch", K::kAnyFunction,
       R"(go\.opentelemetry\.io/otel/sdk/(trace|log|metric)\..*processQueue.*)", nullptr,
       "OpenTelemetry batch processor"},
      {"pprof-profile", K::kAnyFunction, R"(runtime/pprof\.profileWriter)", nullptr,
       "runtime/pprof CPU profile writer"},
      // runtime/pprof writes one goroutine profile at a time; concurrent
      // requests (several /debug/pprof/goroutine fetches) queue on its lock
      // behind the one that is running.
      {"pprof-goroutine-writer", K::kParkedIn,
       R"(runtime/pprof\.(writeGoroutine.*|\(\*Profile\)\.WriteTo))", R"(sync\.Mutex\.Lock|semacquire.*)",
       "waiting its turn to write a goroutine profile (runtime/pprof writes one at a time)"},
  };
  return rules;
}

struct BenignMatcher::Compiled {
  const BenignRule* rule;
  std::unique_ptr<RE2> function;
  std::unique_ptr<RE2> state;
};

BenignMatcher::BenignMatcher() {
  for (const BenignRule& r : BenignRules()) {
    auto c = std::make_unique<Compiled>();
    c->rule = &r;
    if (r.function_re && *r.function_re) c->function = std::make_unique<RE2>(r.function_re);
    if (r.state_re) c->state = std::make_unique<RE2>(r.state_re);
    rules_.push_back(std::move(c));
  }
}

BenignMatcher::~BenignMatcher() = default;

const BenignMatcher& DefaultBenignMatcher() {
  static const BenignMatcher* matcher = new BenignMatcher();  // never destroyed
  return *matcher;
}

const BenignRule* BenignMatcher::Match(const BucketFacts& b, bool is_main) const {
  const Snapshot& s = *b.snapshot;
  for (const auto& c : rules_) {
    if (c->state && !RE2::FullMatch(b.state, *c->state)) continue;
    switch (c->rule->kind) {
      case BenignRule::kMainGoroutine:
        if (is_main) return c->rule;
        break;
      case BenignRule::kParkedIn: {
        // Skip the runtime and the sync primitives the goroutine is parked
        // in; the next frame is the code that parked.
        for (const Frame& f : b.stack->frames) {
          std::string_view fn = s.str(f.function);
          std::string_view pkg = PackageOf(fn);
          if (pkg == "runtime" || pkg == "sync" || pkg.starts_with("internal/")) continue;
          if (RE2::FullMatch(fn, *c->function)) return c->rule;
          break;
        }
        break;
      }
      case BenignRule::kAnyFunction:
        for (const Frame& f : b.stack->frames)
          if (RE2::FullMatch(s.str(f.function), *c->function)) return c->rule;
        break;
      case BenignRule::kAllFunctions: {
        if (b.stack->frames.empty()) break;
        bool all = true;
        for (const Frame& f : b.stack->frames)
          all = all && RE2::FullMatch(s.str(f.function), *c->function);
        if (b.stack->has_creator)
          all = all && RE2::FullMatch(s.str(b.stack->creator.function), *c->function);
        if (all) return c->rule;
        break;
      }
    }
  }
  return nullptr;
}

}  // namespace leakhound
