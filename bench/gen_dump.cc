// Writes a large, realistic goroutine dump for benchmarks:
//
//   gen_dump --goroutines 1000000 [--stacks 2000] [--seed 1] [--format debug2|log] > dump.txt
//
// Go 1.22-style tracebacks: headers with wait reasons and minutes,
// function lines with pointer arguments (unique per goroutine, as in real
// dumps, so lines never repeat), file lines with +0x offsets, creators
// "in goroutine N". Stacks follow a skewed distribution: a few buckets
// hold most goroutines, as in a leaking service.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

struct FrameT {
  std::string function, file;
  int line;
  int args;
};

struct StackT {
  std::string state;
  std::vector<FrameT> frames;
  FrameT creator;
};

const char* kPackages[] = {
    "github.com/acme/api/internal/handler", "github.com/acme/api/internal/store",
    "github.com/acme/api/pkg/queue",        "google.golang.org/grpc/internal/transport",
    "github.com/acme/api/cmd/server",       "go.uber.org/zap/zapcore",
    "github.com/jackc/pgx/v5/pgconn",       "github.com/acme/api/internal/cache"};
const char* kNames[] = {"(*Server).handle", "(*Store).query",   "worker",           "(*Queue).pop",
                        "fetch.func1",      "(*Cache).refresh", "(*conn).readLoop", "process[...]",
                        "Run.gowrap1",      "(*Pool).get"};
const char* kStates[] = {"chan receive", "select", "IO wait", "semacquire", "sync.Mutex.Lock",
                         "chan send", "sleep", "sync.WaitGroup.Wait", "runnable"};
const char* kRuntimeTops[][3] = {
    {"runtime.gopark", "runtime/proc.go", "402"},
    {"runtime.chanrecv", "runtime/chan.go", "583"},
    {"runtime.selectgo", "runtime/select.go", "327"},
    {"internal/poll.runtime_pollWait", "runtime/netpoll.go", "343"},
};

StackT MakeStack(Rng& r, int id) {
  StackT s;
  s.state = kStates[r.Below(sizeof kStates / sizeof *kStates)];
  int depth = 3 + static_cast<int>(r.Below(16));
  int runtime_frames = static_cast<int>(r.Below(3));
  for (int i = 0; i < runtime_frames; ++i) {
    const char* const* t = kRuntimeTops[r.Below(4)];
    s.frames.push_back({t[0], std::string("/usr/local/go/src/") + t[1], std::atoi(t[2]), 0});
  }
  for (int i = runtime_frames; i < depth; ++i) {
    const char* pkg = kPackages[r.Below(sizeof kPackages / sizeof *kPackages)];
    const char* name = kNames[r.Below(sizeof kNames / sizeof *kNames)];
    std::string base = std::strrchr(pkg, '/') + 1;
    s.frames.push_back({std::string(pkg) + "." + name,
                        "/src/" + std::string(pkg) + "/" + base + std::to_string(id % 7) + ".go",
                        10 + static_cast<int>(r.Below(900)), static_cast<int>(r.Below(4))});
  }
  s.creator = {std::string(kPackages[r.Below(8)]) + ".(*Server).Start", "/src/app/server.go",
               20 + static_cast<int>(r.Below(300)), 0};
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t goroutines = 1000000, stacks = 2000, seed = 1;
  std::string format = "debug2";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--goroutines") goroutines = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--stacks") stacks = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--format") format = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: gen_dump --goroutines N [--stacks K] [--seed S] [--format debug2|log]\n");
      return 2;
    }
  }
  if (stacks == 0) stacks = 1;
  Rng r{seed * 0x9e3779b97f4a7c15ull + 1};
  std::vector<StackT> table;
  for (uint64_t i = 0; i < stacks; ++i) table.push_back(MakeStack(r, static_cast<int>(i)));
  // Zipf-like: stack k drawn with weight 1/(k+1).
  std::vector<double> cdf(stacks);
  double sum = 0;
  for (uint64_t k = 0; k < stacks; ++k) cdf[k] = (sum += 1.0 / static_cast<double>(k + 1));
  static char out[1 << 20];
  std::setvbuf(stdout, out, _IOFBF, sizeof out);
  bool log = format == "log";
  auto prefix = [&](uint64_t n) {
    if (log)
      std::printf("2026-11-23T10:%02llu:%02llu.%06lluZ stderr F ", (unsigned long long)(n / 60000 % 60),
                  (unsigned long long)(n / 1000 % 60), (unsigned long long)(n % 1000000));
  };
  uint64_t line = 0;
  for (uint64_t g = 0; g < goroutines; ++g) {
    double u = static_cast<double>(r.Next() >> 11) / 9007199254740992.0 * sum;
    uint64_t k = static_cast<uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    if (k >= stacks) k = stacks - 1;
    const StackT& s = table[k];
    uint64_t id = g + 1;
    prefix(line++);
    if (r.Below(4) == 0)
      std::printf("goroutine %llu [%s, %llu minutes]:\n", (unsigned long long)id, s.state.c_str(),
                  (unsigned long long)(1 + r.Below(120)));
    else
      std::printf("goroutine %llu [%s]:\n", (unsigned long long)id, s.state.c_str());
    for (const FrameT& f : s.frames) {
      prefix(line++);
      std::printf("%s(", f.function.c_str());
      for (int a = 0; a < f.args; ++a)
        std::printf(a ? ", 0x%llx" : "0x%llx", (unsigned long long)(0xc000000000ull + (r.Next() & 0xffffff8)));
      std::printf(")\n");
      prefix(line++);
      std::printf("\t%s:%d +0x%llx\n", f.file.c_str(), f.line, (unsigned long long)(r.Below(0x400)));
    }
    prefix(line++);
    std::printf("created by %s in goroutine %llu\n", s.creator.function.c_str(),
                (unsigned long long)(1 + r.Below(50)));
    prefix(line++);
    std::printf("\t%s:%d +0x%llx\n", s.creator.file.c_str(), s.creator.line,
                (unsigned long long)(r.Below(0x400)));
    prefix(line++);
    std::printf("\n");
  }
  return 0;
}
