// Writes the adversarial inputs of bench/hostile.sh, and a normal dump of
// a given size in the same form to compare each one with:
//
//   gen_hostile CASE OUT [--scale S]      one hostile input (sizes x S)
//   gen_hostile normal-FORM OUT BYTES     FORM: text | debug1 | proto
//   gen_hostile --list                    the case names
//
// Everything is streamed to OUT (gzip through zlib for the protobuf
// cases), so the 1 GB cases need no memory here. The protobuf messages are
// encoded by hand from src/dump/profile.proto: a hostile profile has to
// say things (duplicate ids, dangling references) a well-behaved encoder
// would not write.
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace {

double g_scale = 1.0;

uint64_t Scaled(double full, uint64_t at_least = 1) {
  double v = std::floor(full * g_scale);
  return v < static_cast<double>(at_least) ? at_least : static_cast<uint64_t>(v);
}

// A buffered sink: a plain file or a gzip stream.
class Out {
 public:
  Out(const char* path, bool gzip) {
    if (gzip) {
      gz_ = gzopen(path, "wb6");
      if (gz_ == nullptr) Die(path);
    } else {
      f_ = std::fopen(path, "wb");
      if (f_ == nullptr) Die(path);
    }
    buf_.reserve(1 << 20);
  }
  ~Out() { Close(); }
  void Put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= (1 << 20)) Flush();
  }
  void Repeat(char c, uint64_t n) {
    std::string chunk(1 << 20, c);
    while (n > 0) {
      uint64_t k = n < chunk.size() ? n : chunk.size();
      Put(std::string_view(chunk.data(), k));
      n -= k;
    }
  }
  uint64_t written() const { return written_ + buf_.size(); }
  void Close() {
    Flush();
    if (gz_) gzclose(gz_);
    if (f_ && std::fclose(f_) != 0) Die("close");
    gz_ = nullptr;
    f_ = nullptr;
  }

 private:
  [[noreturn]] static void Die(const char* what) {
    std::perror(what);
    std::exit(1);
  }
  void Flush() {
    if (buf_.empty()) return;
    if (gz_) {
      if (gzwrite(gz_, buf_.data(), static_cast<unsigned>(buf_.size())) <= 0) Die("gzwrite");
    } else if (std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) {
      Die("write");
    }
    written_ += buf_.size();
    buf_.clear();
  }
  FILE* f_ = nullptr;
  gzFile gz_ = nullptr;
  std::string buf_;
  uint64_t written_ = 0;
};

// --- protobuf wire format ------------------------------------------------

void Varint(std::string* s, uint64_t v) {
  while (v >= 0x80) {
    s->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s->push_back(static_cast<char>(v));
}
void FieldVarint(std::string* s, int field, uint64_t v) {
  Varint(s, static_cast<uint64_t>(field) << 3);
  Varint(s, v);
}
void FieldBytes(std::string* s, int field, std::string_view b) {
  Varint(s, (static_cast<uint64_t>(field) << 3) | 2);
  Varint(s, b.size());
  s->append(b);
}
std::string Packed(const std::vector<uint64_t>& v) {
  std::string s;
  for (uint64_t x : v) Varint(&s, x);
  return s;
}

// Profile fields, each written as one top-level record.
struct ProtoWriter {
  Out* out;
  std::vector<std::string> strings;  // index = id; written by Strings()
  void Top(int field, const std::string& body) {
    std::string rec;
    FieldBytes(&rec, field, body);
    out->Put(rec);
  }
  int64_t Str(std::string s) {
    strings.push_back(std::move(s));
    return static_cast<int64_t>(strings.size() - 1);
  }
  void Header() {  // string 0 = "", sample type goroutine/count
    Str("");
    int64_t t = Str("goroutine"), u = Str("count");
    std::string vt;
    FieldVarint(&vt, 1, static_cast<uint64_t>(t));
    FieldVarint(&vt, 2, static_cast<uint64_t>(u));
    Top(1, vt);
    Top(11, vt);
  }
  void Strings() {
    for (const std::string& s : strings) {
      std::string rec;
      FieldBytes(&rec, 6, s);
      out->Put(rec);
    }
  }
  void Function(uint64_t id, int64_t name, int64_t file) {
    std::string f;
    FieldVarint(&f, 1, id);
    FieldVarint(&f, 2, static_cast<uint64_t>(name));
    FieldVarint(&f, 3, static_cast<uint64_t>(name));
    FieldVarint(&f, 4, static_cast<uint64_t>(file));
    Top(5, f);
  }
  // A location with one line per function id (innermost first).
  void Location(uint64_t id, const std::vector<uint64_t>& fns, int64_t line) {
    std::string l;
    FieldVarint(&l, 1, id);
    FieldVarint(&l, 3, 0x400000 + id * 16);
    for (uint64_t fn : fns) {
      std::string ln;
      FieldVarint(&ln, 1, fn);
      FieldVarint(&ln, 2, static_cast<uint64_t>(line));
      FieldBytes(&l, 4, ln);
    }
    Top(4, l);
  }
  void Sample(const std::vector<uint64_t>& locs, int64_t count) {
    std::string s;
    FieldBytes(&s, 1, Packed(locs));
    FieldBytes(&s, 2, Packed({static_cast<uint64_t>(count)}));
    Top(2, s);
  }
};

// --- normal inputs ----------------------------------------------------

const char* kFns[] = {"net/http.(*conn).serve", "main.(*server).handle", "main.worker",
                      "github.com/acme/queue.(*Queue).Pop", "database/sql.(*DB).conn",
                      "main.fanOut.func1", "golang.org/x/sync/errgroup.(*Group).Go.func1",
                      "google.golang.org/grpc.(*Server).serveStreams.func1"};
const char* kFiles[] = {"/usr/local/go/src/net/http/server.go", "/app/server.go",
                        "/app/worker.go", "/go/pkg/mod/github.com/acme/queue@v1.2.0/queue.go",
                        "/usr/local/go/src/database/sql/sql.go", "/app/fanout.go",
                        "/go/pkg/mod/golang.org/x/sync@v0.7.0/errgroup/errgroup.go",
                        "/go/pkg/mod/google.golang.org/grpc@v1.64.0/server.go"};
const char* kStates[] = {"chan receive", "select", "IO wait", "sync.Mutex.Lock",
                         "chan send, 12 minutes", "semacquire"};
constexpr int kNF = 8, kNS = 6;

// A debug=2 style dump of about `bytes` bytes: 64 distinct 4-8 frame
// stacks, increasing ids, as a leaking service prints.
void NormalText(Out& o, uint64_t bytes) {
  uint64_t id = 1;
  char line[512];
  while (o.written() < bytes) {
    uint64_t k = id % 64;
    std::snprintf(line, sizeof line, "goroutine %llu [%s]:\n", static_cast<unsigned long long>(id),
                  kStates[k % kNS]);
    o.Put(line);
    o.Put("runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/proc.go:424 +0xce\n");
    int depth = 3 + static_cast<int>(k % 5);
    for (int d = 0; d < depth; ++d) {
      int f = static_cast<int>((k + static_cast<uint64_t>(d) * 3) % kNF);
      std::snprintf(line, sizeof line, "%s(0xc000%06llx, 0x%llx)\n\t%s:%d +0x%x\n", kFns[f],
                    static_cast<unsigned long long>(id * 48 % 0xffffff),
                    static_cast<unsigned long long>(d), kFiles[f], 40 + d * 7 + static_cast<int>(k), 0x20 + d);
      o.Put(line);
    }
    std::snprintf(line, sizeof line, "created by main.start in goroutine 1\n\t/app/main.go:%d +0x85\n\n",
                  20 + static_cast<int>(k));
    o.Put(line);
    id += 1 + id % 3;
  }
}

void Debug1Record(Out& o, uint64_t count, int depth, uint64_t salt) {
  char line[512];
  std::snprintf(line, sizeof line, "%llu @", static_cast<unsigned long long>(count));
  o.Put(line);
  for (int d = 0; d < depth; ++d) {
    std::snprintf(line, sizeof line, " 0x%llx", static_cast<unsigned long long>(0x460000 + salt * 64 + d * 8));
    o.Put(line);
  }
  o.Put("\n");
  for (int d = 0; d < depth; ++d) {
    int f = static_cast<int>((salt + static_cast<uint64_t>(d) * 3) % kNF);
    std::snprintf(line, sizeof line, "#\t0x%llx\t%s+0x%x\t\t%s:%llu\n",
                  static_cast<unsigned long long>(0x460000 + salt * 64 + d * 8), kFns[f], 0x20 + d,
                  kFiles[f], static_cast<unsigned long long>(40 + d * 7 + salt % 1000));
    o.Put(line);
  }
  o.Put("\n");
}

// debug=1: distinct records until `bytes` (a normal large debug=1 profile
// is large because it has many distinct stacks).
void NormalDebug1(Out& o, uint64_t bytes) {
  o.Put("goroutine profile: total 1000000\n");
  for (uint64_t salt = 0; o.written() < bytes; ++salt) Debug1Record(o, 1 + salt % 17, 4 + salt % 6, salt);
}

// A protobuf profile whose uncompressed size is about `bytes`: distinct
// stacks, each its own locations, as a large real profile has.
void NormalProto(Out& o, uint64_t bytes) {
  ProtoWriter w{&o, {}};
  w.Header();
  std::vector<int64_t> names, files;
  for (int i = 0; i < kNF; ++i) names.push_back(w.Str(kFns[i])), files.push_back(w.Str(kFiles[i]));
  for (int i = 0; i < kNF; ++i) w.Function(static_cast<uint64_t>(i + 1), names[static_cast<size_t>(i)], files[static_cast<size_t>(i)]);
  w.Strings();
  uint64_t loc = 1;
  for (uint64_t s = 0; o.written() < bytes; ++s) {
    std::vector<uint64_t> locs;
    for (int d = 0; d < 6; ++d) {
      w.Location(loc, {1 + (s + static_cast<uint64_t>(d)) % kNF}, static_cast<int64_t>(40 + d));
      locs.push_back(loc++);
    }
    w.Sample(locs, static_cast<int64_t>(1 + s % 9));
  }
}

// --- hostile inputs -----------------------------------------------------

const char* kSmallDump =
    "goroutine 1 [chan receive]:\nmain.main()\n\t/app/main.go:10 +0x1d\n\n";

struct Case {
  const char* name;
  const char* what;
  bool gzip;
  std::function<void(Out&)> write;
};

std::vector<Case> Cases() {
  return {
      {"long-line", "a dump, then a 1 GB line with no newline", false,
       [](Out& o) {
         o.Put(kSmallDump);
         o.Repeat('x', Scaled(1e9));
       }},
      {"many-goroutines", "10M goroutines of one frame each", false,
       [](Out& o) {
         char line[160];
         uint64_t n = Scaled(1e7);
         for (uint64_t i = 1; i <= n; ++i) {
           std::snprintf(line, sizeof line, "goroutine %llu [chan receive]:\nmain.f()\n\t/app/main.go:10 +0x1d\n\n",
                         static_cast<unsigned long long>(i));
           o.Put(line);
         }
       }},
      {"deep-stack", "one goroutine of 10M frames", false,
       [](Out& o) {
         o.Put("goroutine 1 [chan receive]:\n");
         uint64_t n = Scaled(1e7);
         for (uint64_t i = 0; i < n; ++i) o.Put("main.recurse(...)\n\t/app/main.go:10 +0x1d\n");
         o.Put("\n");
       }},
      {"huge-name", "a frame name of 100 MB", false,
       [](Out& o) {
         o.Put("goroutine 1 [chan receive]:\nmain.");
         o.Repeat('f', Scaled(1e8));
         o.Put("()\n\t/app/main.go:10 +0x1d\n\ngoroutine 2 [select]:\nmain.g()\n\t/app/main.go:20 +0x1d\n\n");
       }},
      {"generics-deep", "generic brackets nested 100k deep", false,
       [](Out& o) {
         uint64_t n = Scaled(1e5);
         o.Put("goroutine 1 [chan receive]:\nmain.F[");
         for (uint64_t i = 0; i < n; ++i) o.Put("main.T[");
         o.Put("int");
         o.Repeat(']', n + 1);
         o.Put("(...)\n\t/app/main.go:10 +0x1d\ncreated by main.G[");
         o.Repeat('[', n);
         o.Put(" in goroutine 1\n\t/app/main.go:12 +0x1d\n\n");
       }},
      {"bad-bytes", "invalid UTF-8 and NUL bytes inside a text dump", false,
       [](Out& o) {
         // The NULs come after the first 4 KiB, which decide the form.
         o.Put(kSmallDump);
         o.Repeat(' ', 4096);
         o.Put("\n");
         uint64_t n = Scaled(1e5, 10);
         char line[256];
         for (uint64_t i = 2; i < n; ++i) {
           std::snprintf(line, sizeof line, "goroutine %llu [chan \xff\xfe receive]:\n",
                         static_cast<unsigned long long>(i));
           o.Put(line);
           static const char kBad[] =
               "main.f\x00\xc3\x28\xed\xa0\x80<script>(0x\xe2\x82)\n\t/app/m\x00ain.go:10 +0x1d\n\n";
           o.Put(std::string_view(kBad, sizeof kBad - 1));
         }
       }},
      {"debug1-huge-count", "a debug=1 record claiming 2^63 goroutines", false,
       [](Out& o) {
         o.Put("goroutine profile: total 9223372036854775808\n9223372036854775808 @ 0x4068cb\n"
               "#\t0x4068ca\tmain.leak+0x2a\t\t/app/main.go:10\n\n");
       }},
      {"proto-locations", "a protobuf with a location table of 10M entries", true,
       [](Out& o) {
         ProtoWriter w{&o, {}};
         w.Header();
         int64_t name = w.Str("main.f"), file = w.Str("/app/main.go");
         w.Strings();
         w.Function(1, name, file);
         uint64_t n = Scaled(1e7);
         for (uint64_t i = 1; i <= n; ++i) w.Location(i, {1}, static_cast<int64_t>(i % 1000));
         // A few samples, each using a stride of the table.
         for (uint64_t s = 0; s < 100; ++s) {
           std::vector<uint64_t> locs;
           for (uint64_t i = 1 + s; i <= n && locs.size() < 50; i += n / 50 + 1) locs.push_back(i);
           w.Sample(locs, 1);
         }
       }},
      {"proto-bad-ids", "protobuf ids out of range, duplicated, and a location referenced 10k x 10k times", true,
       [](Out& o) {
         ProtoWriter w{&o, {}};
         w.Header();
         int64_t name = w.Str("main.f"), file = w.Str("/app/main.go");
         w.Strings();
         w.Function(1, name, file);
         w.Function(1, 9999, -5);        // duplicate id, string ids out of range
         w.Function(UINT64_MAX, 0, 0);
         w.Location(7, {1, 42, UINT64_MAX}, -1);  // dangling function ids
         w.Location(7, {1}, 10);                   // duplicate location id
         // One location of k lines referenced k times by one sample: k^2
         // frames if expanded naively.
         uint64_t k = Scaled(1e4, 10);
         w.Location(8, std::vector<uint64_t>(k, 1), 11);
         w.Sample({7, 0, UINT64_MAX, 123456789}, 3);
         w.Sample(std::vector<uint64_t>(k, 8), 2);
         w.Sample({7}, -4);  // negative count
       }},
      {"gzip-truncated", "a gzip stream that ends early", false,
       [](Out& o) {
         // A normal gzipped profile, cut in the middle.
         std::string tmp = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/gen_hostile_gz." + std::to_string(getpid());
         {
           Out g(tmp.c_str(), true);
           NormalProto(g, Scaled(1e6, 20000));
         }
         FILE* f = std::fopen(tmp.c_str(), "rb");
         std::string all;
         char b[65536];
         size_t r;
         while (f && (r = std::fread(b, 1, sizeof b, f)) > 0) all.append(b, r);
         if (f) std::fclose(f);
         std::remove(tmp.c_str());
         o.Put(std::string_view(all).substr(0, all.size() / 2));
       }},
      {"yaml-long-key", ".leakhound.yaml with a 1 MB key", false,
       [](Out& o) {
         // An explicit key ("? "): YAML limits implicit keys to 1024 chars.
         o.Put("thresholds:\n  leak: 0.7\n? ");
         o.Repeat('k', Scaled(1 << 20, 2000));
         o.Put("\n: 1\n");
       }},
      {"yaml-bomb", ".leakhound.yaml whose aliases expand exponentially", false,
       [](Out& o) {
         // Billion laughs: 9^30 "lol"s if every alias were copied. The
         // anchors sit inside a key the config reads (source: expects a
         // list of directories), so the reader walks into them.
         o.Put("source:\n  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
         char l[256];
         for (int i = 1; i < 30; ++i) {
           std::snprintf(l, sizeof l, "  - &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                         i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
           o.Put(l);
         }
         o.Put("ignore:\n  - regex: x\n    reason: *a29\n");
       }},
      {"yaml-redos", ".leakhound.yaml with regex (a+)+$, against names of 1M a's", false,
       [](Out& o) { o.Put("ignore:\n  - regex: '(a+)+$'\n  - regex: '^(a|aa)+b'\n"); }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Case& c : Cases()) std::printf("%s\t%s\n", c.name, c.what);
    return 0;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: gen_hostile CASE OUT [--scale S] | normal-{text,debug1,proto} OUT BYTES | --list\n");
    return 2;
  }
  std::string name = argv[1];
  const char* out = argv[2];
  if (name.starts_with("normal-")) {
    if (argc < 4) return 2;
    uint64_t bytes = std::strtoull(argv[3], nullptr, 10);
    Out o(out, name == "normal-proto");
    if (name == "normal-text") NormalText(o, bytes);
    else if (name == "normal-debug1") NormalDebug1(o, bytes);
    else if (name == "normal-proto") NormalProto(o, bytes);
    else return 2;
    return 0;
  }
  for (int i = 3; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--scale") == 0) g_scale = std::atof(argv[i + 1]);
  // The redos case also needs a dump whose names the regexes run over.
  for (const Case& c : Cases()) {
    if (name != c.name) continue;
    Out o(out, c.gzip);
    c.write(o);
    return 0;
  }
  if (name == "redos-dump") {
    Out o(out, false);
    uint64_t n = Scaled(1 << 20, 1000);
    for (int g = 1; g <= 20; ++g) {
      o.Put("goroutine " + std::to_string(g) + " [chan receive]:\nmain.");
      o.Repeat('a', n + static_cast<uint64_t>(g));
      o.Put("!()\n\t/app/main.go:10 +0x1d\n\n");
    }
    return 0;
  }
  std::fprintf(stderr, "gen_hostile: unknown case %s\n", name.c_str());
  return 2;
}
