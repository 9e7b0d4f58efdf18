// Writes a large, realistic Go 1.22 goroutine dump for benchmarks:
//
//   gen_dump --goroutines N [--stacks K] [--seed S] [--every-stack]
//            [--shape server|deep] [--format debug2|sigquit|log] > dump.txt
//
//   server   (default) what most goroutines of a server look like: 1-6
//            visible frames (a tail to 20), mostly `go` statements of the
//            application and errgroups, about 300 bytes per goroutine in
//            debug2.
//   deep     long stacks (3-40 frames, net/http, gRPC, pgx, go-redis
//            chains), about 1.1 KB per goroutine: the reader's worst case
//            per goroutine, and the shape bench/ used before `server`.
//
//   debug2   runtime.Stack(buf, true) / /debug/pprof/goroutine?debug=2:
//            traceback level 1, the goroutine writing the dump first
//            ([running], runtime/pprof frames), runtime.* frames hidden.
//   sigquit  what a Go 1.22 process prints on SIGQUIT: "SIGQUIT: quit"
//            and "PC=..." preamble, g0 of the signalled M, level-2
//            tracebacks (" gp=0x.. m=nil" headers, runtime.gopark &c.
//            frames, " fp= sp= pc=" on file lines, runtime.goexit),
//            runtime system goroutines, "goroutine running on other
//            thread", then the register dump.
//   log      the debug2 dump as kubectl/containerd (CRI) log lines: every
//            line behind "<RFC3339Nano> stderr F ", after a few ordinary
//            log lines.
//
// N goroutines are printed (sigquit adds g0 and the runtime's own, as
// the runtime does). They use K distinct stacks (default 2000) drawn from
// a Zipf distribution (weight 1/rank): a few buckets hold most goroutines,
// as in a leaking service; --every-stack gives the first K of them one
// goroutine of each stack in turn before the draws start, so a dump with
// N >= K + 2 shows every stack (the stack view's 100k-stack test). Stacks are 3-40 visible frames: net/http,
// gRPC, errgroup, pgx, go-redis, database/sql and internal/poll frames
// around generated application code, mostly short at the hot ranks and
// with a long tail of deep ones. Wait reasons vary (chan receive, select,
// IO wait, semacquire, sync.Mutex.Lock, sleep, ...), about a third with
// ", N minutes". Goroutine ids are distinct and increasing with gaps;
// argument words are random heap pointers per goroutine, so no two
// goroutines print the same lines, as in real dumps; +0x offsets are fixed
// per call site, as in real dumps. 1M goroutines of debug2 make ~1 GB.
//
// The same --seed gives the same stacks and goroutine sequence in every
// format. Standard library only.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Rng {
  uint64_t s;
  uint64_t Next() {  // splitmix64: every seed, including 0, works
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool Chance(unsigned percent) { return Below(100) < percent; }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(N)];
  }
};

// ---------------------------------------------------------------- output

class Out {
 public:
  Out() : buf_(1 << 22) {}
  ~Out() { Flush(); }
  void Flush() {
    if (n_ && std::fwrite(buf_.data(), 1, n_, stdout) != n_) {
      std::perror("gen_dump: write");
      std::exit(1);
    }
    n_ = 0;
  }
  void Reserve(size_t k) {
    if (n_ + k > buf_.size()) Flush();
  }
  void Put(std::string_view s) {
    Reserve(s.size());
    if (s.size() > buf_.size()) {  // cannot happen with our data; be safe
      std::fwrite(s.data(), 1, s.size(), stdout);
      return;
    }
    std::memcpy(buf_.data() + n_, s.data(), s.size());
    n_ += s.size();
  }
  void Char(char c) {
    Reserve(1);
    buf_[n_++] = c;
  }
  void Dec(uint64_t v) {
    char t[24];
    int i = 24;
    do {
      t[--i] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    Put(std::string_view(t + i, static_cast<size_t>(24 - i)));
  }
  // Zero-padded to `width` digits.
  void DecPad(uint64_t v, int width) {
    char t[24];
    for (int i = width - 1; i >= 0; --i) {
      t[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    Put(std::string_view(t, static_cast<size_t>(width)));
  }
  void Hex(uint64_t v) {  // "0x1d"
    char t[20];
    int i = 20;
    do {
      t[--i] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v);
    t[--i] = 'x';
    t[--i] = '0';
    Put(std::string_view(t + i, static_cast<size_t>(20 - i)));
  }

 private:
  std::vector<char> buf_;
  size_t n_ = 0;
};

// ----------------------------------------------------------------- model

enum class Shape { kServer, kDeep };
Shape g_shape = Shape::kServer;

// One call site. `args` is a template: '@' prints a random heap pointer
// (fresh per goroutine), '%' a random off-heap pointer (0x7f..., an fd's
// pollDesc), everything else verbatim. "..." marks an inlined frame
// (printed NAME(...), file line without +0x).
struct FrameT {
  std::string func, file, args;
  uint32_t line = 0, off = 0;
  bool level2_only = false;  // unexported runtime.*: shown only at level 2
  uint32_t pc = 0, frame_size = 0;  // for " fp= sp= pc=" at level 2
  bool inlined() const { return args == "..."; }
};

struct StackT {
  std::string state;
  std::vector<FrameT> frames;  // innermost first, level-2-only ones included
  FrameT creator;
  int parent = 0;            // 1: created by main; 0: some earlier goroutine
  bool blocked = true;       // may carry ", N minutes"
  bool running = false;      // sigquit: running on another thread
};

const std::string kGoroot = "/usr/local/go/src/";
const std::string kModCache = "/go/pkg/mod/";
// Where the application lives; the server shape uses a short module path
// and build directory (set in main), as many services do.
std::string kApp = "/src/checkout/";
std::string kModule = "github.com/acme/checkout/";

uint32_t g_next_pc = 0x401000;

FrameT F(std::string func, std::string file, uint32_t line, uint32_t off, std::string args,
         bool level2_only = false) {
  FrameT f;
  f.func = std::move(func);
  f.file = std::move(file);
  f.line = line;
  f.off = off;
  f.args = std::move(args);
  f.level2_only = level2_only;
  g_next_pc += 0x1000 + (line * 37 & 0xfff);
  f.pc = g_next_pc + off;
  f.frame_size = 0x18 + (line * 8 & 0x1f8);
  return f;
}
FrameT Std(std::string func, std::string file, uint32_t line, uint32_t off, std::string args) {
  return F(std::move(func), kGoroot + file, line, off, std::move(args));
}
FrameT Rt(std::string func, std::string file, uint32_t line, uint32_t off, std::string args) {
  return F(std::move(func), kGoroot + file, line, off, std::move(args), /*level2_only=*/true);
}
FrameT Mod(std::string func, std::string file, uint32_t line, uint32_t off, std::string args) {
  return F(std::move(func), kModCache + file, line, off, std::move(args));
}
using Frames = std::vector<FrameT>;

FrameT Gopark() { return Rt("runtime.gopark", "runtime/proc.go", 402, 0xce, "0x0?, 0x0?, 0x0?, 0x0?, 0x0?"); }
FrameT Goexit() { return Rt("runtime.goexit", "runtime/asm_amd64.s", 1695, 0x1, "{}"); }

// The innermost frames of a goroutine blocked in `state`.
Frames TopFor(const std::string& state) {
  if (state == "chan receive")
    return {Gopark(), Rt("runtime.chanrecv", "runtime/chan.go", 583, 0x3cd, "@, 0x0, 0x1"),
            Rt("runtime.chanrecv1", "runtime/chan.go", 442, 0x12, "@?, 0x0?")};
  if (state == "chan receive (nil chan)")
    return {Gopark(), Rt("runtime.chanrecv", "runtime/chan.go", 574, 0x3c5, "0x0, 0x0, 0x1"),
            Rt("runtime.chanrecv1", "runtime/chan.go", 442, 0x12, "0x0?, 0x0?")};
  if (state == "chan send")
    return {Gopark(), Rt("runtime.chansend", "runtime/chan.go", 259, 0x3a5, "@, @, 0x1, 0x9a1e48"),
            Rt("runtime.chansend1", "runtime/chan.go", 145, 0x17, "@?, @?")};
  if (state == "select")
    return {Gopark(), Rt("runtime.selectgo", "runtime/select.go", 327, 0x725, "@, @, @?, 0x0, 0x2?, 0x1")};
  if (state == "select (no cases)")
    return {Gopark(), Rt("runtime.block", "runtime/select.go", 103, 0x2c, "")};
  if (state == "sleep")
    return {Gopark(), Std("time.Sleep", "runtime/time.go", 195, 0x115, "0x3b9aca00")};
  if (state == "semacquire")  // sync.WaitGroup before Go 1.24
    return {Gopark(), Rt("runtime.goparkunlock", "runtime/proc.go", 408, 0, "..."),
            Rt("runtime.semacquire1", "runtime/sema.go", 160, 0x218, "@, 0x0, 0x0, 0x0, 0x0"),
            Std("sync.runtime_Semacquire", "runtime/sema.go", 62, 0x25, "@?"),
            Std("sync.(*WaitGroup).Wait", "sync/waitgroup.go", 116, 0x48, "@?")};
  if (state == "sync.Mutex.Lock")
    return {Gopark(), Rt("runtime.goparkunlock", "runtime/proc.go", 408, 0, "..."),
            Rt("runtime.semacquire1", "runtime/sema.go", 160, 0x218, "@, 0x0, 0x3, 0x1, 0x15"),
            Std("sync.runtime_SemacquireMutex", "runtime/sema.go", 77, 0x25, "@?, 0x0?, 0x1?"),
            Std("sync.(*Mutex).lockSlow", "sync/mutex.go", 171, 0x15d, "@"),
            Std("sync.(*Mutex).Lock", "sync/mutex.go", 90, 0, "...")};
  if (state == "sync.RWMutex.RLock")
    return {Gopark(), Rt("runtime.goparkunlock", "runtime/proc.go", 408, 0, "..."),
            Rt("runtime.semacquire1", "runtime/sema.go", 160, 0x218, "@, 0x0, 0x0, 0x0, 0x16"),
            Std("sync.runtime_SemacquireRWMutexR", "runtime/sema.go", 82, 0x25, "@?, 0x0?, 0x0?"),
            Std("sync.(*RWMutex).RLock", "sync/rwmutex.go", 71, 0, "...")};
  if (state == "sync.Cond.Wait")
    return {Gopark(), Rt("runtime.goparkunlock", "runtime/proc.go", 408, 0, "..."),
            Std("sync.runtime_notifyListWait", "runtime/sema.go", 569, 0x159, "@, 0x2a"),
            Std("sync.(*Cond).Wait", "sync/cond.go", 70, 0x85, "@")};
  if (state == "syscall")
    return {Std("syscall.Syscall", "syscall/syscall_linux.go", 69, 0x25, "0x0, 0x9, @, 0x8000"),
            Std("syscall.read", "syscall/zsyscall_linux_amd64.go", 736, 0x38, "@?, {@?, 0x0?, 0x0?}"),
            Std("syscall.Read", "syscall/syscall_unix.go", 181, 0, "..."),
            Std("internal/poll.ignoringEINTRIO", "internal/poll/fd_unix.go", 736, 0, "..."),
            Std("internal/poll.(*FD).Read", "internal/poll/fd_unix.go", 160, 0x25a, "@, {@, 0x8000, 0x8000}"),
            Std("os.(*File).read", "os/file_posix.go", 29, 0, "..."),
            Std("os.(*File).Read", "os/file.go", 118, 0x52, "@, {@?, 0x8000?, 0x8000?}")};
  return {};  // runnable, running: the application is at the top
}

// IO wait on a socket read, up to net.(*conn).Read.
Frames NetRead() {
  return {Gopark(),
          Rt("runtime.netpollblock", "runtime/netpoll.go", 573, 0xf7, "0x7f2c8e1a5d58?, 0x72?, 0x0?"),
          Std("internal/poll.runtime_pollWait", "runtime/netpoll.go", 345, 0x85, "%, 0x72"),
          Std("internal/poll.(*pollDesc).wait", "internal/poll/fd_poll_runtime.go", 84, 0x27,
              "@?, @?, 0x0"),
          Std("internal/poll.(*pollDesc).waitRead", "internal/poll/fd_poll_runtime.go", 89, 0, "..."),
          Std("internal/poll.(*FD).Read", "internal/poll/fd_unix.go", 164, 0x27a,
              "@, {@, 0x1000, 0x1000}"),
          Std("net.(*netFD).Read", "net/fd_posix.go", 55, 0x25, "@, {@?, 0x1000?, 0x1000?}"),
          Std("net.(*conn).Read", "net/net.go", 179, 0x45, "@, {@?, 0x1000?, 0x1000?}")};
}

// ----------------------------------------------------- application code

const char* kAppPkgs[] = {"internal/orders",  "internal/payments", "internal/inventory",
                          "internal/store",   "internal/cache",    "internal/events",
                          "internal/notify",  "pkg/retry",         "pkg/httpx",
                          "internal/worker",  "internal/auth",     "internal/ledger",
                          "internal/pricing", "internal/shipping", "internal/search"};
const char* kTypes[] = {"Service", "Handler",   "Repository", "Client",  "Consumer",
                        "Publisher", "Pool",    "Cache",      "Manager", "Scheduler",
                        "Batcher", "Resolver",  "Gateway",    "Tracker"};
const char* kMethods[] = {"Get",      "List",     "Create",   "Process", "handle",  "run",
                          "loop",     "fetch",    "refresh",  "dispatch", "consume", "flush",
                          "Reserve",  "Charge",   "Notify",   "sync",    "Wait",    "Do",
                          "withRetry", "validate", "Apply",   "load",    "publish", "watch"};

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string RandomArgs(Rng& r) {
  std::string a;
  int n = static_cast<int>(r.Below(4));
  for (int i = 0; i < n; ++i) {
    if (i) a += ", ";
    uint64_t k = r.Below(100);
    char t[64];
    if (k < 45) {
      a += "@";
    } else if (k < 55) {
      a += "@?";
    } else if (k < 68) {
      std::snprintf(t, sizeof t, "0x%llx", static_cast<unsigned long long>(r.Below(64)));
      a += t;
    } else if (k < 80) {  // string
      std::snprintf(t, sizeof t, "{0x%llx, 0x%llx}",
                    static_cast<unsigned long long>(0x9a0000 + r.Below(0x40000)),
                    static_cast<unsigned long long>(1 + r.Below(40)));
      a += t;
    } else if (k < 92) {  // slice
      unsigned long long len = 1 + r.Below(512);
      std::snprintf(t, sizeof t, "{@, 0x%llx, 0x%llx}", len, len + r.Below(64));
      a += t;
    } else {  // interface
      std::snprintf(t, sizeof t, "{0x%llx, @}",
                    static_cast<unsigned long long>(0xb10000 + r.Below(0x8000) * 8));
      a += t;
    }
  }
  return a;
}

// A generated application function: pkg.(*T).M, pkg.T.M, pkg.F, with
// closure and generic suffixes.
FrameT AppFrame(Rng& r, bool entry) {
  std::string pkg = r.Pick(kAppPkgs);
  if (g_shape == Shape::kServer && pkg.rfind("internal/", 0) == 0) pkg = pkg.substr(9);
  std::string type = r.Pick(kTypes);
  std::string method = r.Pick(kMethods);
  std::string name = kModule + pkg + ".";
  uint64_t form = r.Below(10);
  if (form < 6) name += "(*" + type + ")." + method;
  else if (form < 7) name += type + "." + method;
  else if (form < 8) name += "(*" + type + "[...])." + method;
  else name += method + type;
  std::string file = kApp + pkg + "/" + Lower(type) + ".go";
  if (entry) {
    static const char* kEntry[] = {".func1", ".func2", ".func1.1", ".gowrap1", ".gowrap2", ".func3"};
    name += r.Pick(kEntry);
  } else if (r.Chance(12)) {
    name += r.Chance(50) ? ".func1" : ".func2";
  }
  // `go func() {...}()` entries and .gowrapN wrappers take no arguments.
  std::string args = entry ? "" : RandomArgs(r);
  bool inl = !entry && r.Chance(12);
  return F(name, file, 20 + static_cast<uint32_t>(r.Below(880)),
           inl ? 0 : 0x1d + static_cast<uint32_t>(r.Below(0x5e0)), inl ? "..." : args);
}

// --------------------------------------------------- where stacks start

struct Root {
  Frames frames;  // outermost frames (entry last), above them application code
  FrameT creator;
  int parent = 0;
  bool wants_app = true;
};

Root AppGoRoot(Rng& r) {
  Root root;
  FrameT entry = AppFrame(r, /*entry=*/true);
  std::string parent = entry.func.substr(0, entry.func.rfind('.'));
  root.frames = {entry};
  root.creator = F(parent, entry.file, entry.line - 3, 0x3e + static_cast<uint32_t>(r.Below(0x200)), "");
  root.parent = r.Chance(30) ? 1 : 0;
  return root;
}

Root HttpRoot(Rng& r) {
  Root root;
  root.frames = {Std("net/http.HandlerFunc.ServeHTTP", "net/http/server.go", 2166, 0x29, "@?, {0xb12a18?, @?}, @?")};
  if (r.Chance(60)) {
    root.frames.push_back(Mod("github.com/go-chi/chi/v5.(*Mux).routeHTTP",
                              "github.com/go-chi/chi/v5@v5.0.12/mux.go", 459, 0x2b7, "@, {0xb12a18, @}, @"));
    root.frames.push_back(Std("net/http.HandlerFunc.ServeHTTP", "net/http/server.go", 2166, 0x29, "@?, {0xb12a18?, @?}, @?"));
    root.frames.push_back(Mod("github.com/go-chi/chi/v5/middleware.Recoverer.func1",
                              "github.com/go-chi/chi/v5@v5.0.12/middleware/recoverer.go", 45, 0x6e,
                              "{0xb12a18, @}, @"));
    root.frames.push_back(Std("net/http.HandlerFunc.ServeHTTP", "net/http/server.go", 2166, 0x29, "@?, {0xb12a18?, @?}, @?"));
    root.frames.push_back(Mod("github.com/go-chi/chi/v5.(*Mux).ServeHTTP",
                              "github.com/go-chi/chi/v5@v5.0.12/mux.go", 90, 0x310, "@, {0xb12a18?, @}, @"));
  } else {
    root.frames.push_back(Std("net/http.(*ServeMux).ServeHTTP", "net/http/server.go", 2683, 0x1ad, "@?, {0xb12a18, @}, @"));
  }
  root.frames.push_back(Std("net/http.serverHandler.ServeHTTP", "net/http/server.go", 3137, 0x8e, "{@?}, {0xb12a18?, @?}, 0x6?"));
  root.frames.push_back(Std("net/http.(*conn).serve", "net/http/server.go", 2039, 0x5e8, "@, {0xb13f10, @}"));
  root.creator = Std("net/http.(*Server).Serve", "net/http/server.go", 3285, 0x4b4, "");
  root.parent = 0;
  return root;
}

Root GrpcRoot(Rng& r) {
  static const char* kRpcs[] = {"GetOrder", "ListOrders", "CreateOrder", "Reserve", "Charge", "Refund", "Quote"};
  std::string rpc = r.Pick(kRpcs);
  std::string h = kModule + "gen/checkoutpb._CheckoutService_" + rpc + "_Handler";
  std::string pbfile = kApp + "gen/checkoutpb/checkout_grpc.pb.go";
  uint32_t line = 300 + static_cast<uint32_t>(r.Below(400));
  Root root;
  root.frames = {
      F(h + ".func1", pbfile, line + 2, 0xcb, "{0xb14a40, @}, {0xa4b2c0?, @}"),
      Mod("github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging.UnaryServerInterceptor.func1",
          "github.com/grpc-ecosystem/go-grpc-middleware/v2@v2.1.0/interceptors/logging/interceptors.go", 168, 0x2a5,
          "{0xb14a40, @}, {0xa4b2c0, @}, @, @"),
      Mod("google.golang.org/grpc.getChainUnaryHandler.func1", "google.golang.org/grpc@v1.62.1/server.go", 1203, 0xb2,
          "{0xb14a40, @}, {0xa4b2c0, @}"),
      Mod("google.golang.org/grpc.chainUnaryInterceptors.func1", "google.golang.org/grpc@v1.62.1/server.go", 1194, 0x8f,
          "{0xb14a40, @}, {0xa4b2c0, @}, @, @"),
      F(h, pbfile, line, 0x135, "{0x9f7a60, @}, {0xb14a40, @}, @, @"),
      Mod("google.golang.org/grpc.(*Server).processUnaryRPC", "google.golang.org/grpc@v1.62.1/server.go", 1386, 0xe23,
          "@, {0xb14a40, @}, {0xb1a4e0, @}, @, @, 0x10b6e20, 0x0"),
      Mod("google.golang.org/grpc.(*Server).handleStream", "google.golang.org/grpc@v1.62.1/server.go", 1797, 0xfec,
          "@, {0xb1a4e0, @}, @"),
      Mod("google.golang.org/grpc.(*Server).serveStreams.func2.1", "google.golang.org/grpc@v1.62.1/server.go", 1027, 0x8b,
          "")};
  root.creator = Mod("google.golang.org/grpc.(*Server).serveStreams.func2", "google.golang.org/grpc@v1.62.1/server.go",
                     1038, 0x135, "");
  root.parent = 0;
  return root;
}

Root ErrgroupRoot(Rng& r) {
  Root root;
  FrameT closure = AppFrame(r, /*entry=*/false);
  closure.func += ".func1";
  closure.args = "";
  closure.off = closure.off ? closure.off : 0x3c;
  root.frames = {closure, Mod("golang.org/x/sync/errgroup.(*Group).Go.func1",
                              "golang.org/x/sync@v0.6.0/errgroup/errgroup.go", 78, 0x56, "")};
  root.creator = Mod("golang.org/x/sync/errgroup.(*Group).Go", "golang.org/x/sync@v0.6.0/errgroup/errgroup.go", 75, 0x96, "");
  root.parent = 0;
  return root;
}

// Library calls between a blocked top and the application.
Frames PgxQuery() {
  Frames f = NetRead();
  Frames more = {
      Mod("github.com/jackc/pgx/v5/pgproto3.(*chunkReader).Next", "github.com/jackc/pgx/v5@v5.5.5/pgproto3/chunkreader.go", 88, 0x1c2, "@, 0x5"),
      Mod("github.com/jackc/pgx/v5/pgproto3.(*Frontend).Receive", "github.com/jackc/pgx/v5@v5.5.5/pgproto3/frontend.go", 306, 0x32, "@"),
      Mod("github.com/jackc/pgx/v5/pgconn.(*PgConn).peekMessage", "github.com/jackc/pgx/v5@v5.5.5/pgconn/pgconn.go", 523, 0x1a5, "@"),
      Mod("github.com/jackc/pgx/v5/pgconn.(*PgConn).receiveMessage", "github.com/jackc/pgx/v5@v5.5.5/pgconn/pgconn.go", 543, 0x1c, "@"),
      Mod("github.com/jackc/pgx/v5/pgconn.(*ResultReader).receiveMessage", "github.com/jackc/pgx/v5@v5.5.5/pgconn/pgconn.go", 1576, 0x4a, "@"),
      Mod("github.com/jackc/pgx/v5/pgconn.(*ResultReader).NextRow", "github.com/jackc/pgx/v5@v5.5.5/pgconn/pgconn.go", 1479, 0x2e, "@"),
      Mod("github.com/jackc/pgx/v5.(*baseRows).Next", "github.com/jackc/pgx/v5@v5.5.5/rows.go", 191, 0xaa, "@"),
      Mod("github.com/jackc/pgx/v5/pgxpool.(*poolRows).Next", "github.com/jackc/pgx/v5@v5.5.5/pgxpool/rows.go", 40, 0x1b, "@")};
  f.insert(f.end(), more.begin(), more.end());
  return f;
}

Frames RedisGet() {
  Frames f = NetRead();
  Frames more = {
      Std("bufio.(*Reader).fill", "bufio/bufio.go", 113, 0x103, "@"),
      Std("bufio.(*Reader).ReadSlice", "bufio/bufio.go", 379, 0x29, "@, 0xa"),
      Std("bufio.(*Reader).ReadLine", "bufio/bufio.go", 408, 0x18, "@"),
      Mod("github.com/redis/go-redis/v9/internal/proto.(*Reader).readLine", "github.com/redis/go-redis/v9@v9.5.1/internal/proto/reader.go", 123, 0x1e, "@"),
      Mod("github.com/redis/go-redis/v9/internal/proto.(*Reader).ReadReply", "github.com/redis/go-redis/v9@v9.5.1/internal/proto/reader.go", 166, 0x1c, "@"),
      Mod("github.com/redis/go-redis/v9.(*StringCmd).readReply", "github.com/redis/go-redis/v9@v9.5.1/command.go", 855, 0x25, "@, @?"),
      Mod("github.com/redis/go-redis/v9.(*baseClient)._process.func1", "github.com/redis/go-redis/v9@v9.5.1/redis.go", 414, 0x67, "@"),
      Mod("github.com/redis/go-redis/v9/internal/pool.(*Conn).WithReader", "github.com/redis/go-redis/v9@v9.5.1/internal/pool/conn.go", 74, 0xaf, "@, {0xb14a40, @}, 0x0?, @"),
      Mod("github.com/redis/go-redis/v9.(*baseClient)._process", "github.com/redis/go-redis/v9@v9.5.1/redis.go", 410, 0x2f3, "@, {0xb14a40, @}, {0xb1b8f8, @}, 0x0?"),
      Mod("github.com/redis/go-redis/v9.(*baseClient).process", "github.com/redis/go-redis/v9@v9.5.1/redis.go", 358, 0x95, "@, {0xb14a40, @}, {0xb1b8f8, @}"),
      Mod("github.com/redis/go-redis/v9.(*Client).Process", "github.com/redis/go-redis/v9@v9.5.1/redis.go", 701, 0x31, "@, {0xb14a40?, @?}, {0xb1b8f8?, @?}"),
      Mod("github.com/redis/go-redis/v9.cmdable.Get", "github.com/redis/go-redis/v9@v9.5.1/commands.go", 1117, 0x148, "@, {0xb14a40, @}, {@, 0x18}")};
  f.insert(f.end(), more.begin(), more.end());
  return f;
}

// Whole stacks that belong to libraries (no application frames).
std::vector<StackT> LibraryStacks() {
  std::vector<StackT> v;
  auto add = [&](std::string state, Frames frames, FrameT creator, int parent) {
    StackT s;
    s.state = std::move(state);
    s.frames = std::move(frames);
    s.frames.push_back(Goexit());
    s.creator = std::move(creator);
    s.parent = parent;
    v.push_back(std::move(s));
  };
  {  // an idle keep-alive connection
    Frames f = NetRead();
    f.push_back(Std("net/http.(*connReader).Read", "net/http/server.go", 791, 0x14b, "@, {@, 0x1, 0x1}"));
    f.push_back(Std("bufio.(*Reader).fill", "bufio/bufio.go", 113, 0x103, "@"));
    f.push_back(Std("bufio.(*Reader).Peek", "bufio/bufio.go", 151, 0x53, "@, 0x4"));
    f.push_back(Std("net/http.(*conn).serve", "net/http/server.go", 2044, 0x75c, "@, {0xb13f10, @}"));
    add("IO wait", f, Std("net/http.(*Server).Serve", "net/http/server.go", 3285, 0x4b4, ""), 0);
  }
  {  // client transport
    Frames f = NetRead();
    f.push_back(Std("net/http.(*persistConn).Read", "net/http/transport.go", 1954, 0x47, "@, {@?, 0x1000?, 0x1000?}"));
    f.push_back(Std("bufio.(*Reader).fill", "bufio/bufio.go", 113, 0x103, "@"));
    f.push_back(Std("bufio.(*Reader).Peek", "bufio/bufio.go", 151, 0x53, "@, 0x1"));
    f.push_back(Std("net/http.(*persistConn).readLoop", "net/http/transport.go", 2118, 0x185, "@"));
    add("IO wait", f, Std("net/http.(*Transport).dialConn", "net/http/transport.go", 1776, 0x1665, ""), 0);
    Frames w = TopFor("select");
    w.push_back(Std("net/http.(*persistConn).writeLoop", "net/http/transport.go", 2421, 0xe5, "@"));
    add("select", w, Std("net/http.(*Transport).dialConn", "net/http/transport.go", 1777, 0x16aa, ""), 0);
  }
  {  // a gRPC client connection's reader: a deep TLS read
    Frames f = NetRead();
    Frames more = {
        Std("crypto/tls.(*atLeastReader).Read", "crypto/tls/conn.go", 806, 0x3b, "@, {@, 0x8000?, 0x8000?}"),
        Std("bytes.(*Buffer).ReadFrom", "bytes/buffer.go", 211, 0x98, "@, {0xb0f5a0, @}"),
        Std("crypto/tls.(*Conn).readFromUntil", "crypto/tls/conn.go", 828, 0xde, "@, {0x7f2c8e4d1b28, @}, 0x5"),
        Std("crypto/tls.(*Conn).readRecordOrCCS", "crypto/tls/conn.go", 626, 0x3cf, "@, 0x0"),
        Std("crypto/tls.(*Conn).readRecord", "crypto/tls/conn.go", 588, 0, "..."),
        Std("crypto/tls.(*Conn).Read", "crypto/tls/conn.go", 1370, 0x156, "@, {@, 0x8000, 0x8000}"),
        Std("bufio.(*Reader).Read", "bufio/bufio.go", 241, 0x197, "@, {@, 0x9, 0x9}"),
        Std("io.ReadAtLeast", "io/io.go", 335, 0x90, "{0xb0e380, @}, {@, 0x9, 0x9}, 0x9"),
        Std("io.ReadFull", "io/io.go", 354, 0, "..."),
        Mod("golang.org/x/net/http2.readFrameHeader", "golang.org/x/net@v0.22.0/http2/frame.go", 237, 0x65, "{@, 0x9?, 0x3ff0?}, {0xb0e380?, @?}"),
        Mod("golang.org/x/net/http2.(*Framer).ReadFrame", "golang.org/x/net@v0.22.0/http2/frame.go", 498, 0x85, "@"),
        Mod("google.golang.org/grpc/internal/transport.(*http2Client).reader", "google.golang.org/grpc@v1.62.1/internal/transport/http2_client.go", 1620, 0x1e8, "@, @")};
    f.insert(f.end(), more.begin(), more.end());
    add("IO wait", f,
        Mod("google.golang.org/grpc/internal/transport.newHTTP2Client", "google.golang.org/grpc@v1.62.1/internal/transport/http2_client.go", 409, 0x1e99, ""),
        0);
  }
  {  // the listener
    Frames f = {Gopark(),
                Rt("runtime.netpollblock", "runtime/netpoll.go", 573, 0xf7, "0x7f2c8e1a5d58?, 0x72?, 0x0?"),
                Std("internal/poll.runtime_pollWait", "runtime/netpoll.go", 345, 0x85, "%, 0x72"),
                Std("internal/poll.(*pollDesc).wait", "internal/poll/fd_poll_runtime.go", 84, 0x27, "@?, 0x4?, 0x0"),
                Std("internal/poll.(*pollDesc).waitRead", "internal/poll/fd_poll_runtime.go", 89, 0, "..."),
                Std("internal/poll.(*FD).Accept", "internal/poll/fd_unix.go", 611, 0x2ac, "@"),
                Std("net.(*netFD).accept", "net/fd_unix.go", 172, 0x29, "@"),
                Std("net.(*TCPListener).accept", "net/tcpsock_posix.go", 159, 0x1e, "@"),
                Std("net.(*TCPListener).Accept", "net/tcpsock.go", 327, 0x30, "@"),
                Std("net/http.(*Server).Serve", "net/http/server.go", 3255, 0x33e, "@, {0xb13d60, @}"),
                Std("net/http.(*Server).ListenAndServe", "net/http/server.go", 3184, 0x71, "@"),
                F(kModule + "cmd/checkout.run.func3", kApp + "cmd/checkout/main.go", 97, 0x1e, "")};
    add("IO wait", f, F(kModule + "cmd/checkout.run", kApp + "cmd/checkout/main.go", 95, 0x7a5, ""), 1);
  }
  auto simple = [&](const char* state, FrameT top, FrameT creator, int parent) {
    Frames f = TopFor(state);
    f.push_back(std::move(top));
    add(state, f, std::move(creator), parent);
  };
  simple("select", Std("database/sql.(*DB).connectionOpener", "database/sql/sql.go", 1218, 0x87, "@, {0xb14a40, @}"),
         Std("database/sql.OpenDB", "database/sql/sql.go", 791, 0x165, ""), 1);
  simple("select", Mod("go.opentelemetry.io/otel/sdk/trace.(*batchSpanProcessor).processQueue",
                       "go.opentelemetry.io/otel/sdk@v1.24.0/trace/batch_span_processor.go", 303, 0x232, "@"),
         Mod("go.opentelemetry.io/otel/sdk/trace.NewBatchSpanProcessor.func1",
             "go.opentelemetry.io/otel/sdk@v1.24.0/trace/batch_span_processor.go", 119, 0x56, ""), 1);
  simple("select", Mod("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).reaper",
                       "github.com/redis/go-redis/v9@v9.5.1/internal/pool/pool.go", 507, 0xdb, "@, 0xdf8475800"),
         Mod("github.com/redis/go-redis/v9/internal/pool.NewConnPool",
             "github.com/redis/go-redis/v9@v9.5.1/internal/pool/pool.go", 106, 0x1f5, ""), 1);
  simple("select", Mod("google.golang.org/grpc/internal/transport.(*http2Server).keepalive",
                       "google.golang.org/grpc@v1.62.1/internal/transport/http2_server.go", 1155, 0x225, "@"),
         Mod("google.golang.org/grpc/internal/transport.NewServerTransport",
             "google.golang.org/grpc@v1.62.1/internal/transport/http2_server.go", 334, 0x1b3e, ""), 0);
  simple("select", Mod("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run",
                       "google.golang.org/grpc@v1.62.1/internal/grpcsync/callback_serializer.go", 83, 0x1ec, "@, {0xb14a40, @}"),
         Mod("google.golang.org/grpc/internal/grpcsync.NewCallbackSerializer",
             "google.golang.org/grpc@v1.62.1/internal/grpcsync/callback_serializer.go", 52, 0x11a, ""), 1);
  simple("sync.Cond.Wait", Mod("google.golang.org/grpc/internal/transport.(*controlBuffer).get",
                               "google.golang.org/grpc@v1.62.1/internal/transport/controlbuf.go", 418, 0x115, "@, 0x1"),
         Mod("google.golang.org/grpc/internal/transport.NewServerTransport.func2",
             "google.golang.org/grpc@v1.62.1/internal/transport/http2_server.go", 331, 0xd7, ""), 0);
  simple("select", Mod("go.uber.org/zap/zapcore.(*BufferedWriteSyncer).flushLoop",
                       "go.uber.org/zap@v1.27.0/zapcore/buffered_write_syncer.go", 187, 0x8e, "@"),
         Mod("go.uber.org/zap/zapcore.(*BufferedWriteSyncer).initialize",
             "go.uber.org/zap@v1.27.0/zapcore/buffered_write_syncer.go", 115, 0x1b5, ""), 1);
  simple("chan receive", Mod("k8s.io/klog/v2.(*flushDaemon).run.func1", "k8s.io/klog/v2@v2.120.1/klog.go", 1174, 0x8a, ""),
         Mod("k8s.io/klog/v2.(*flushDaemon).run", "k8s.io/klog/v2@v2.120.1/klog.go", 1170, 0x14a, ""), 1);
  simple("syscall", Std("os/signal.loop", "os/signal/signal_unix.go", 23, 0x13, ""),
         Std("os/signal.Notify.func1.1", "os/signal/signal.go", 151, 0x1f, ""), 1);
  return v;
}

struct Weighted {
  const char* state;
  int weight;
};
const Weighted kStates[] = {
    {"chan receive", 20}, {"select", 24},         {"IO wait", 12},         {"chan send", 9},
    {"semacquire", 6},    {"sync.Mutex.Lock", 6}, {"sync.RWMutex.RLock", 3}, {"sync.Cond.Wait", 3},
    {"sleep", 6},         {"runnable", 5},        {"running", 2},          {"select (no cases)", 1},
    {"chan receive (nil chan)", 1}, {"syscall", 2}};

size_t Visible(const Frames& f) {
  size_t n = 0;
  for (const FrameT& x : f) n += !x.level2_only;
  return n;
}

// Frames a stack aims for (visible ones, creator excluded): mostly short,
// with a tail up to 40.
size_t TargetDepth(Rng& r) {
  if (g_shape == Shape::kServer) {  // 1-6 visible frames, a thin tail to 20
    if (r.Chance(2)) return 7 + r.Below(14);
    size_t d = 1;
    while (d < 6 && r.Chance(15)) ++d;
    return d;
  }
  if (r.Chance(12)) return 8 + r.Below(33);
  size_t d = 3;
  while (d < 12 && r.Chance(50)) ++d;
  return d;
}

// Leaks: what the hottest ranks hold. A leaked goroutine is most often a
// short `go func()` blocked on a channel or a lock.
const Weighted kLeakStates[] = {{"chan send", 30},   {"chan receive", 25},   {"select", 20},
                                {"sync.Mutex.Lock", 10}, {"semacquire", 8}, {"IO wait", 4},
                                {"sync.Cond.Wait", 3}};

template <size_t N>
const char* PickWeighted(Rng& r, const Weighted (&table)[N]) {
  int total = 0;
  for (const Weighted& w : table) total += w.weight;
  int k = static_cast<int>(r.Below(static_cast<uint64_t>(total)));
  for (const Weighted& w : table)
    if ((k -= w.weight) < 0) return w.state;
  return table[0].state;
}

// `hot`: one of the few stacks that hold most goroutines.
StackT MakeStack(Rng& r, bool hot) {
  StackT s;
  std::string state = hot ? PickWeighted(r, kLeakStates) : PickWeighted(r, kStates);
  // Fewer connections than waiting workers in the server shape.
  if (g_shape == Shape::kServer && state == "IO wait" && r.Chance(70)) state = "select";
  s.state = state;
  s.running = state == "running";
  s.blocked = state != "running" && state != "runnable";
  std::string top_state = s.running ? "runnable" : state;
  Frames top;
  if (state == "IO wait" && g_shape == Shape::kServer) {
    top = NetRead();  // a connection's own reader, not a client library's
  } else if (state == "IO wait") {
    top = r.Chance(55) ? PgxQuery() : RedisGet();
  } else {
    top = TopFor(top_state);
  }
  Root root;
  uint64_t k = r.Below(100);
  if (hot) k = k < 75 ? 0 : 99;  // go statements of the application, errgroups
  // A server's goroutines are mostly its own `go` statements; request
  // handlers (deep net/http and gRPC chains) are the tail.
  if (g_shape == Shape::kServer && !hot) k = k < 88 ? 0 : k < 91 ? 50 : k < 94 ? 70 : 99;
  if (k < 45) root = AppGoRoot(r);
  else if (k < 65) root = HttpRoot(r);
  else if (k < 80) root = GrpcRoot(r);
  else root = ErrgroupRoot(r);
  size_t fixed = Visible(top) + Visible(root.frames);
  size_t base = g_shape == Shape::kServer ? 0 : 3;
  size_t want = std::max(hot ? base + r.Below(3) : TargetDepth(r), fixed + 1);
  size_t app = std::min<size_t>(want - fixed, 40 - std::min<size_t>(fixed, 39));
  // A leaked `go func() { ch <- v }()` blocks in the closure itself.
  bool closure_blocks = g_shape == Shape::kServer && hot && root.frames.size() == 1 && r.Chance(85);
  if (app == 0 && !closure_blocks) app = 1;
  if (closure_blocks) app = 0;
  s.frames = top;
  for (size_t i = 0; i < app; ++i) {
    FrameT f = AppFrame(r, /*entry=*/false);
    if (i == 0 && f.inlined()) {  // the blocking call site itself is a real call
      f.args = RandomArgs(r);
      f.off = 0x1d + static_cast<uint32_t>(r.Below(0x5e0));
    }
    s.frames.push_back(std::move(f));
  }
  s.frames.insert(s.frames.end(), root.frames.begin(), root.frames.end());
  s.frames.push_back(Goexit());
  s.creator = root.creator;
  s.parent = root.parent;
  return s;
}

// ----------------------------------------------------------------- writer

enum class Format { kDebug2, kSigquit, kLog };

class Writer {
 public:
  Writer(Format format, Rng& r) : format_(format), level2_(format == Format::kSigquit), r_(r) {}

  void BeginLine() {
    if (format_ != Format::kLog) return;
    // containerd/CRI as kubectl logs shows it: "<RFC3339Nano> stderr F ".
    uint64_t ns = ts_ns_;
    ts_ns_ += 1100 + r_.Below(900);
    uint64_t sec = ns / 1000000000;
    out_.Put("2026-11-23T10:");
    out_.DecPad(sec / 60 % 60, 2);
    out_.Char(':');
    out_.DecPad(sec % 60, 2);
    out_.Char('.');
    out_.DecPad(ns % 1000000000, 9);
    out_.Put("Z stderr F ");
  }
  void Line(std::string_view s) {
    BeginLine();
    out_.Put(s);
    out_.Char('\n');
  }

  void LogLines(int n) {
    static const char* kMsgs[] = {"request served", "cache refreshed", "order reserved",
                                  "payment captured", "retrying upstream"};
    for (int i = 0; i < n; ++i) {
      uint64_t ns = ts_ns_;
      ts_ns_ += 50000000 + r_.Below(400000000);
      uint64_t sec = ns / 1000000000;
      out_.Put("2026-11-23T10:");
      out_.DecPad(sec / 60 % 60, 2);
      out_.Char(':');
      out_.DecPad(sec % 60, 2);
      out_.Char('.');
      out_.DecPad(ns % 1000000000, 9);
      out_.Put("Z stdout F time=2026-11-23T10:");
      out_.DecPad(sec / 60 % 60, 2);
      out_.Char(':');
      out_.DecPad(sec % 60, 2);
      out_.Put(" level=INFO msg=\"");
      out_.Put(r_.Pick(kMsgs));
      out_.Put("\" service=checkout latency_ms=");
      out_.Dec(1 + r_.Below(900));
      out_.Char('\n');
    }
    ts_ns_ += 1000000000;
  }

  void Args(const std::string& t) {
    for (char c : t) {
      if (c == '@') out_.Hex(0xc000000000ull + (r_.Next() & 0x7ffff8));
      else if (c == '%') out_.Hex(0x7f2c80000000ull + (r_.Next() & 0xffffff8));
      else out_.Char(c);
    }
  }

  // One frame: function line and file line. `sp` advances per frame.
  void Frame(const FrameT& f, uint64_t* sp) {
    if (f.level2_only && !level2_) return;
    BeginLine();
    out_.Put(f.func);
    out_.Char('(');
    Args(f.args);
    out_.Put(")\n");
    BeginLine();
    out_.Char('\t');
    out_.Put(f.file);
    out_.Char(':');
    out_.Dec(f.line);
    if (!f.inlined()) {
      out_.Put(" +");
      out_.Hex(f.off);
      if (level2_) {
        out_.Put(" fp=");
        out_.Hex(*sp + f.frame_size);
        out_.Put(" sp=");
        out_.Hex(*sp);
        out_.Put(" pc=");
        out_.Hex(f.pc);
        *sp += f.frame_size;
      }
    }
    out_.Char('\n');
  }

  void Header(uint64_t id, std::string_view state, uint64_t minutes, int m) {
    BeginLine();
    out_.Put("goroutine ");
    out_.Dec(id);
    if (level2_) {
      out_.Put(" gp=");
      // g0 lives in the runtime's data segment, the others on the heap.
      out_.Hex(id == 0 ? 0x10a9e80 : 0xc000000000ull + (id * 0x1c0 & 0xffffffc0ull));
      if (m >= 0) {
        out_.Put(" m=");
        out_.Dec(static_cast<uint64_t>(m));
        out_.Put(" mp=");
        out_.Hex(0xc000080008ull + static_cast<uint64_t>(m) * 0x800);
      } else {
        out_.Put(" m=nil");
      }
    }
    out_.Put(" [");
    out_.Put(state);
    if (minutes) {
      out_.Put(", ");
      out_.Dec(minutes);
      out_.Put(" minutes");
    }
    out_.Put("]:\n");
  }

  void Goroutine(uint64_t id, const StackT& s, uint64_t parent, uint64_t minutes, int m) {
    if (s.running && level2_) {
      Header(id, "running", 0, m);
      Line("\tgoroutine running on other thread; stack unavailable");
    } else {
      Header(id, s.running ? std::string_view("runnable") : std::string_view(s.state), minutes, -1);
      uint64_t sp = 0xc000000000ull + (r_.Next() & 0x3ffff000) + 0x800;
      for (const FrameT& f : s.frames) Frame(f, &sp);
    }
    if (!s.creator.func.empty()) {
      BeginLine();
      out_.Put("created by ");
      out_.Put(s.creator.func);
      if (parent) {
        out_.Put(" in goroutine ");
        out_.Dec(parent);
      }
      out_.Char('\n');
      BeginLine();
      out_.Char('\t');
      out_.Put(s.creator.file);
      out_.Char(':');
      out_.Dec(s.creator.line);
      out_.Put(" +");
      out_.Hex(s.creator.off);
      out_.Char('\n');
    }
    Line("");
  }

  Out& out() { return out_; }

 private:
  Format format_;
  bool level2_;
  Rng& r_;
  Out out_;
  uint64_t ts_ns_ = 15ull * 60 * 1000000000 + 123456789;
};

StackT Fixed(std::string state, Frames frames, FrameT creator, int parent) {
  StackT s;
  s.state = std::move(state);
  s.frames = std::move(frames);
  if (!creator.func.empty()) s.frames.push_back(Goexit());
  s.creator = std::move(creator);
  s.parent = parent;
  return s;
}

int Usage() {
  std::fprintf(stderr,
               "usage: gen_dump --goroutines N [--stacks K] [--seed S] [--every-stack] "
               "[--shape server|deep] [--format debug2|sigquit|log] > dump.txt\n");
  return 2;
}

bool ParseCount(const char* s, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t goroutines = 1000000, stacks = 2000, seed = 1;
  Format format = Format::kDebug2;
  bool every_stack = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    }
    if (a == "--every-stack") {
      every_stack = true;
      continue;
    }
    if (i + 1 >= argc) return Usage();
    const char* v = argv[++i];
    bool ok = true;
    if (a == "--goroutines") ok = ParseCount(v, &goroutines) && goroutines >= 1;
    else if (a == "--stacks") ok = ParseCount(v, &stacks) && stacks >= 1 && stacks <= 10000000;
    else if (a == "--seed") ok = ParseCount(v, &seed);
    else if (a == "--format") {
      std::string f = v;
      if (f == "debug2") format = Format::kDebug2;
      else if (f == "sigquit") format = Format::kSigquit;
      else if (f == "log") format = Format::kLog;
      else ok = false;
    } else if (a == "--shape") {
      std::string f = v;
      if (f == "server") g_shape = Shape::kServer;
      else if (f == "deep") g_shape = Shape::kDeep;
      else ok = false;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "gen_dump: bad argument: %s %s\n", a.c_str(), v);
      return Usage();
    }
  }

  if (g_shape == Shape::kServer) {
    kApp = "/app/";
    kModule = "acme.io/shop/";
  }
  Rng r{seed * 0x2545f4914f6cdd1dull + 7};
  std::vector<StackT> table;
  std::vector<StackT> library = LibraryStacks();
  // Library stacks sit at spread-out ranks; the rest is application code,
  // leaks at the top ranks.
  constexpr uint64_t kHot = 24;
  for (uint64_t i = 0; i < stacks; ++i) {
    uint64_t spread = g_shape == Shape::kServer ? 13 : 7;
    if (!library.empty() && i >= kHot && i % spread == 3) {
      table.push_back(std::move(library.back()));
      library.pop_back();
    } else {
      table.push_back(MakeStack(r, /*hot=*/i < kHot));
    }
  }
  // Zipf-like: stack k drawn with weight 1/(k+1).
  std::vector<double> cdf(stacks);
  double sum = 0;
  for (uint64_t k = 0; k < stacks; ++k) cdf[k] = (sum += 1.0 / static_cast<double>(k + 1));

  // Goroutine i (0-based, after main) gets id 20 + 2i + (0 or 1): distinct,
  // increasing, with gaps as goroutines come and go. The goroutine
  // printing the dump is the newest.
  uint64_t others = goroutines >= 2 ? goroutines - 2 : 0;
  auto id_of = [](uint64_t i) { return 20 + 2 * i + ((i * 0x9e3779b97f4a7c15ull) >> 63); };
  uint64_t self_id = id_of(others) + 3;

  Writer w(format, r);
  StackT self = Fixed(
      "running",
      {Std("runtime/pprof.writeGoroutineStacks", "runtime/pprof/pprof.go", 703, 0x6a, "{0xb0e3a0, @}"),
       Std("runtime/pprof.writeGoroutine", "runtime/pprof/pprof.go", 692, 0x25, "{0xb0e3a0?, @?}, 0x2?"),
       Std("runtime/pprof.(*Profile).WriteTo", "runtime/pprof/pprof.go", 329, 0x146, "0x10a3c20?, {0xb0e3a0?, @?}, 0xc?"),
       Std("net/http/pprof.handler.ServeHTTP", "net/http/pprof/pprof.go", 267, 0x4a8, "{@, 0x9}, {0xb12a18, @}, @"),
       Std("net/http/pprof.Index", "net/http/pprof/pprof.go", 384, 0xe5, "{0xb12a18?, @}, @"),
       Std("net/http.HandlerFunc.ServeHTTP", "net/http/server.go", 2166, 0x29, "0x0?, {0xb12a18?, @?}, @?"),
       Std("net/http.(*ServeMux).ServeHTTP", "net/http/server.go", 2683, 0x1ad, "@?, {0xb12a18, @}, @"),
       Std("net/http.serverHandler.ServeHTTP", "net/http/server.go", 3137, 0x8e, "{@?}, {0xb12a18?, @?}, 0x6?"),
       Std("net/http.(*conn).serve", "net/http/server.go", 2039, 0x5e8, "@, {0xb13f10, @}")},
      Std("net/http.(*Server).Serve", "net/http/server.go", 3285, 0x4b4, ""), 0);
  StackT main_g = Fixed("select",
                        {Gopark(), Rt("runtime.selectgo", "runtime/select.go", 327, 0x725, "@, @, @?, 0x0, 0x3?, 0x1"),
                         F(kModule + "cmd/checkout.run", kApp + "cmd/checkout/main.go", 131, 0x9c5, "{0xb14a40, @}"),
                         F("main.main", kApp + "cmd/checkout/main.go", 41, 0x45, ""),
                         Rt("runtime.main", "runtime/proc.go", 271, 0x29d, "")},
                        FrameT{}, 0);
  main_g.frames.push_back(Goexit());

  if (format == Format::kLog) w.LogLines(12);
  if (format == Format::kSigquit) {
    w.Line("SIGQUIT: quit");
    w.Line("PC=0x4723a1 m=0 sigcode=0");
    w.Line("");
    StackT g0 = Fixed(
        "idle",
        {Rt("runtime.futex", "runtime/sys_linux_amd64.s", 557, 0x21, "0x10aada0, 0x80, 0x0, 0x0, 0x0, 0x0"),
         Rt("runtime.futexsleep", "runtime/os_linux.go", 69, 0x30, "0x7ffc8a1b4f78?, 0x44ab13?, 0x7ffc8a1b4f68?"),
         Rt("runtime.notesleep", "runtime/lock_futex.go", 160, 0x87, "0x10aada0"),
         Rt("runtime.mPark", "runtime/proc.go", 1761, 0, "..."),
         Rt("runtime.stopm", "runtime/proc.go", 2782, 0x8c, ""),
         Rt("runtime.findRunnable", "runtime/proc.go", 3512, 0xd5f, ""),
         Rt("runtime.schedule", "runtime/proc.go", 3868, 0xb1, ""),
         Rt("runtime.park_m", "runtime/proc.go", 4036, 0x1ec, "0xc000007340?"),
         Rt("runtime.mcall", "runtime/asm_amd64.s", 458, 0x4e, "")},
        FrameT{}, 0);
    w.Header(0, "idle", 0, 0);
    uint64_t sp = 0x7ffc8a1b4ef8;
    for (const FrameT& f : g0.frames) w.Frame(f, &sp);
    w.Line("");
  } else {
    w.Goroutine(self_id, self, 1 + r.Below(18), 0, -1);
  }
  if (goroutines >= 2) w.Goroutine(1, main_g, 0, 3 + r.Below(200), -1);
  if (format == Format::kSigquit) {
    // The runtime's own goroutines, shown at level 2.
    auto sys = [&](uint64_t id, const char* state, FrameT f, FrameT creator) {
      Frames frames = {Gopark()};
      if (std::strcmp(state, "GC worker (idle)") != 0)
        frames.push_back(Rt("runtime.goparkunlock", "runtime/proc.go", 408, 0, "..."));
      frames.push_back(std::move(f));
      w.Goroutine(id, Fixed(state, frames, std::move(creator), 1), 1, 3 + r.Below(200), -1);
    };
    sys(2, "force gc (idle)", Rt("runtime.forcegchelper", "runtime/proc.go", 326, 0xb3, ""),
        Rt("runtime.init.6", "runtime/proc.go", 314, 0x1a, ""));
    sys(3, "GC sweep wait", Rt("runtime.bgsweep", "runtime/mgcsweep.go", 278, 0x94, "@"),
        Rt("runtime.gcenable", "runtime/mgc.go", 203, 0x66, ""));
    sys(4, "GC scavenge wait", Rt("runtime.(*scavengerState).park", "runtime/mgcscavenge.go", 425, 0x49, "0x10a9a40"),
        Rt("runtime.gcenable", "runtime/mgc.go", 204, 0xa5, ""));
    sys(5, "finalizer wait", Rt("runtime.runfinq", "runtime/mfinal.go", 194, 0x107, ""),
        Rt("runtime.createfing", "runtime/mfinal.go", 164, 0x3d, ""));
    sys(6, "GC worker (idle)", Rt("runtime.gcBgMarkWorker", "runtime/mgc.go", 1310, 0xe5, "@"),
        Rt("runtime.gcBgMarkStartWorkers", "runtime/mgc.go", 1234, 0x1c, ""));
    sys(7, "GC worker (idle)", Rt("runtime.gcBgMarkWorker", "runtime/mgc.go", 1310, 0xe5, "@"),
        Rt("runtime.gcBgMarkStartWorkers", "runtime/mgc.go", 1234, 0x1c, ""));
  }
  int next_m = 1;
  for (uint64_t i = 0; i < others; ++i) {
    double u = static_cast<double>(r.Next() >> 11) / 9007199254740992.0 * sum;
    uint64_t k = static_cast<uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    if (every_stack && i < stacks) k = i;
    if (k >= stacks) k = stacks - 1;
    const StackT& s = table[k];
    uint64_t id = id_of(i);
    uint64_t parent = s.parent == 1 ? 1 : (i > 8 ? id_of(r.Below(i)) : 1);
    if (g_shape == Shape::kServer && s.parent != 1 && i > 8) {
      // A stack is started by a few long-lived goroutines (its owner among
      // the first hundred) or by requests that have returned since: an id
      // the dump no longer holds (the other parity of id_of's slot).
      uint64_t owner = k * 0x9e3779b97f4a7c15ull % std::min<uint64_t>(i, 100);
      uint64_t gone = r.Below(i);
      parent = r.Chance(60) ? id_of(owner) : id_of(gone) ^ 1;
    }
    uint64_t minutes = s.blocked && r.Chance(35) ? 1 + r.Below(600) : 0;
    int m = -1;
    if (s.running) m = next_m = next_m % 7 + 1;
    w.Goroutine(id, s, parent, minutes, m);
  }
  if (format == Format::kSigquit) {
    w.out().Flush();
    static const char* kRegs[] = {"rax    0xca",       "rbx    0x0",      "rcx    0x4723a3", "rdx    0x0",
                                  "rdi    0x10aada0",  "rsi    0x80",     "rbp    0x7ffc8a1b4f40",
                                  "rsp    0x7ffc8a1b4ef8", "r8     0x0",  "r9     0x0",      "r10    0x0",
                                  "r11    0x286",      "r12    0x7ffc8a1b4f68", "r13    0x1",
                                  "r14    0x10a9e80",  "r15    0x1f",     "rip    0x4723a1", "rflags 0x286",
                                  "cs     0x33",       "fs     0x0",      "gs     0x0"};
    for (const char* reg : kRegs) w.Line(reg);
  }
  w.out().Flush();
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::perror("gen_dump: write");
    return 1;
  }
  return 0;
}
