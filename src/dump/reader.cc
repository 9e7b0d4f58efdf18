// Entry points of src/dump: open an input, decide its form from its first
// bytes, and stream it through the matching parser.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#include "dump/aggregated.h"
#include "dump/dump.h"
#include "dump/text_parser.h"

namespace leakhound {

namespace {

// Bytes per read(): small enough that what the kernel copies in is still
// in cache when it is parsed, and that the buffer costs few page faults.
constexpr size_t kChunk = 256 << 10;
constexpr size_t kMaxLine = 64 << 20;        // longer lines are skipped
// Only a JSON log record (a whole dump in one line, up to debug=2's own
// 64 MB) needs a line that long; a line with no '{' in its first 64 KiB
// is no record, and no line of a dump's text is megabytes long, so such
// a line is skipped past this size instead.
constexpr size_t kMaxPlainLine = 8 << 20;
constexpr size_t kRecordProbe = 64 << 10;
constexpr uint64_t kProgressEvery = 32 << 20;
constexpr uint64_t kDebug2Cap = 64ull << 20;  // runtime/pprof writeGoroutineStacks

enum class Form { kText, kDebug1, kProto };

// Decides the form from the first bytes, never from the file name.
Form SniffForm(std::string_view head) {
  if (LooksLikeGzip(head)) return Form::kProto;
  if (LooksLikeDebug1(head)) return Form::kDebug1;
  // Text dumps never hold NUL bytes; a NUL early on means binary data,
  // possibly an uncompressed profile.proto.
  if (std::memchr(head.data(), '\0', head.size()) != nullptr) return Form::kProto;
  return Form::kText;
}

constexpr uint64_t kMaxAggregatedInput = 1ull << 30;

ReadError ReadAggregated(Form form, std::string_view bytes, const std::string& source,
                         DumpSet* out) {
  if (form == Form::kDebug1) return ReadDebug1(bytes, source, out);
  ReadError e = ReadProfileProto(bytes, source, out);
  if (e && !LooksLikeGzip(bytes)) {
    e.message = source + ":1: binary data, not a goroutine dump";
  }
  return e;
}

// What every text read ends with: the debug=2 cap note, and an error
// when no dump was found.
ReadError Finish(DumpSet* out) {
  if (out->bytes == kDebug2Cap) {
    for (Snapshot& s : out->snapshots) {
      s.truncated = true;
      s.notes.push_back("the input is exactly 64 MiB, the cap of /debug/pprof/goroutine?debug=2: "
                        "goroutines after the cut are missing (use debug=1 or the protobuf "
                        "form for large processes)");
    }
  }
  ReadError e;
  if (out->snapshots.empty()) {
    e.kind = ReadErrorKind::kNoDump;
    e.message = out->source + ": no goroutine dump found in " + std::to_string(out->lines) +
                " line" + (out->lines == 1 ? "" : "s") +
                " (expected lines like \"goroutine 1 [running]:\")";
  }
  return e;
}

ReadError Finish(TextParser& parser, bool complete, DumpSet* out) {
  parser.Finish(complete);
  out->lines = parser.lines();
  out->form = "traceback";
  return Finish(out);
}

bool ParseLineNumber(std::string_view s, uint64_t* n) {
  if (s.empty() || s.size() > 19) return false;
  *n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    *n = *n * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// Splits buf[0,n) into lines for the parser; returns how many bytes were
// consumed (the rest is a partial line).
size_t FeedLines(TextParser& parser, const char* buf, size_t n) { return parser.Lines(buf, n); }

// Aggregated forms are small (one record per distinct stack), so they are
// read whole, up to a cap, and parsed in memory.
ReadError SlurpAggregated(int fd, Form form, std::string data, const std::string& path,
                          DumpSet* out) {
  char chunk[1 << 16];
  while (true) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0) {
      if (errno == EINTR) continue;
      ReadError e;
      e.kind = ReadErrorKind::kUnreadable;
      e.message = path + ": read error: " + std::strerror(errno);
      return e;
    }
    if (r == 0) break;
    data.append(chunk, static_cast<size_t>(r));
    if (data.size() > kMaxAggregatedInput) {
      ReadError e;
      e.kind = ReadErrorKind::kNoDump;
      e.message = path + ": larger than 1 GiB for a " +
                  std::string(form == Form::kDebug1 ? "debug=1" : "protobuf") +
                  " profile; refusing it";
      return e;
    }
  }
  return ReadAggregated(form, data, path, out);
}

// --- Two threads for one large dump -------------------------------------
//
// A dump is cut in two at a goroutine boundary ("\n\ngoroutine ", or the
// same behind a log prefix: a header line whose line before holds only a
// prefix of the same shape), each half is parsed on its own thread into
// its own Snapshot, and the second is folded into the first: its strings
// and stacks are re-interned, which costs in distinct stacks, not
// goroutines. Anything unusual (a second dump starting in the second
// half, JSON records, halves that disagree on a prefix, no boundary near
// the middle) makes the caller read the file again on one thread, so the
// result never depends on the split.

constexpr uint64_t kParallelAtLeast = 64ull << 20;

// Feeds everything `read_some` returns (after `initial`) to the parser,
// line by line, then finishes it. Returns errno on a read error, 0
// otherwise. Lines longer than kMaxLine are skipped with a warning.
// `progress` gets the bytes consumed so far.
int ParseStream(const std::function<ssize_t(char*, size_t)>& read_some, std::string_view initial,
                TextParser& parser, DumpSet* out, const std::string& path,
                const std::function<void(uint64_t)>& progress) {
  size_t cap = std::max(kChunk, initial.size());
  std::unique_ptr<char[]> buf(new char[cap]);
  if (!initial.empty()) std::memcpy(buf.get(), initial.data(), initial.size());
  size_t have = initial.size();
  bool skipping = false;
  uint64_t done = initial.size(), next_progress = kProgressEvery;
  bool eof = false;
  while (true) {
    if (have < cap && !eof) {
      ssize_t r = read_some(buf.get() + have, cap - have);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return errno;
      if (r == 0) eof = true;
      done += static_cast<uint64_t>(std::max<ssize_t>(r, 0));
      have += static_cast<size_t>(std::max<ssize_t>(r, 0));
    }
    if (skipping) {
      const void* nl = std::memchr(buf.get(), '\n', have);
      if (nl == nullptr) {
        have = 0;
        if (eof) break;
        continue;
      }
      size_t skip = static_cast<size_t>(static_cast<const char*>(nl) - buf.get()) + 1;
      std::memmove(buf.get(), buf.get() + skip, have - skip);
      have -= skip;
      skipping = false;
    }
    size_t used = FeedLines(parser, buf.get(), have);
    std::memmove(buf.get(), buf.get() + used, have - used);
    have -= used;
    if (have == cap) {
      // One line fills the buffer: grow up to kMaxLine (kMaxPlainLine
      // unless it may be a JSON record), then drop it.
      bool record = std::memchr(buf.get(), '{', std::min(have, kRecordProbe)) != nullptr;
      if (cap < kMaxLine && (cap < kMaxPlainLine || record)) {
        std::unique_ptr<char[]> bigger(new char[cap * 2]);
        std::memcpy(bigger.get(), buf.get(), have);
        buf.swap(bigger);
        cap *= 2;
      } else {
        out->warnings.push_back(path + ":" + std::to_string(parser.lines() + 1) +
                                (record ? ": line longer than 64 MiB skipped"
                                        : ": line longer than 8 MiB skipped (not a JSON record)"));
        skipping = true;
        have = 0;
      }
    }
    if (progress && done >= next_progress) {
      progress(done);
      next_progress = done + kProgressEvery;
    }
    if (eof) break;
  }
  if (have > 0 && !skipping) parser.Line(std::string_view(buf.get(), have), /*partial=*/true);
  parser.Finish(have == 0 && !skipping);
  out->lines += parser.lines();
  out->bytes += done;
  if (progress) progress(done);
  return 0;
}

// CPUs this process may run on (taskset, cpusets), not merely online ones.
unsigned UsableCpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
#endif
  return std::thread::hardware_concurrency();
}

// Reads [begin, end) of a file with pread.
std::function<ssize_t(char*, size_t)> RangeReader(int fd, uint64_t begin, uint64_t end) {
  auto pos = std::make_shared<uint64_t>(begin);
  return [fd, pos, end](char* buf, size_t n) -> ssize_t {
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, end - *pos));
    if (want == 0) return 0;
    ssize_t r = pread(fd, buf, want, static_cast<off_t>(*pos));
    if (r > 0) *pos += static_cast<uint64_t>(r);
    return r;
  };
}

// Where the second half starts: just after a blank line that precedes a
// goroutine header, near the middle. 0 if there is none close by.
uint64_t FindSplit(int fd, uint64_t size) {
  constexpr uint64_t kLook = 16u << 20;
  constexpr size_t kPiece = 64u << 10;  // read piecewise: the mark is usually near
  constexpr std::string_view kMark = "\n\ngoroutine ";
  std::unique_ptr<char[]> buf(new char[kPiece + kMark.size()]);
  const uint64_t from = size / 2;
  uint64_t pos = from;  // file offset just past the bytes in buf
  size_t carry = 0;     // bytes kept from the previous piece: a mark may straddle
  while (pos < from + kLook) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kPiece, from + kLook - pos));
    ssize_t n = pread(fd, buf.get() + carry, want, static_cast<off_t>(pos));
    if (n <= 0) return 0;
    pos += static_cast<uint64_t>(n);
    std::string_view w(buf.get(), carry + static_cast<size_t>(n));
    size_t at = w.find(kMark);
    if (at != std::string_view::npos) return pos - w.size() + at + 2;
    carry = std::min(w.size(), kMark.size() - 1);
    std::memmove(buf.get(), buf.get() + w.size() - carry, carry);
  }
  return 0;
}

// A log prefix's shape: each run of word characters as 'w', each run of
// spaces as ' ', other bytes as themselves (LogUnwrapper's notion, so two
// timestamps of different digits match).
std::string PrefixShape(std::string_view p) {
  std::string out;
  for (size_t i = 0; i < p.size();) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (std::isalnum(c) || c == '_') {
      while (i < p.size() && (std::isalnum(static_cast<unsigned char>(p[i])) || p[i] == '_')) ++i;
      out += 'w';
    } else if (c == ' ') {
      while (i < p.size() && p[i] == ' ') ++i;
      out += ' ';
    } else {
      out += p[i++];
    }
  }
  return out;
}

// Where the second half of a log-prefixed dump starts: the start of a
// line "PREFIX goroutine N [...]:" whose line before is a prefix alone
// (the dump's blank line) of the same shape. 0 if none in the window after
// the middle.
uint64_t FindPrefixedSplit(int fd, uint64_t size) {
  constexpr size_t kWindow = 4u << 20;
  constexpr size_t kMaxPrefix = 256;
  const uint64_t from = size / 2;
  size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow, size - from));
  std::unique_ptr<char[]> buf(new char[want]);
  ssize_t n = pread(fd, buf.get(), want, static_cast<off_t>(from));
  if (n <= 0) return 0;
  std::string_view w(buf.get(), static_cast<size_t>(n));
  for (size_t at = w.find("goroutine "); at != std::string_view::npos;
       at = w.find("goroutine ", at + 1)) {
    size_t ls = w.rfind('\n', at);
    if (ls == std::string_view::npos) continue;
    ++ls;  // the header line's start
    if (at == ls || at - ls > kMaxPrefix || ls < 2) continue;  // a plain header has its own split
    size_t le = w.find('\n', at);
    if (le == std::string_view::npos) break;
    std::string_view rest = w.substr(at, le - at);
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    if (ClassifyLine(rest) != LineKind::kHeader) continue;
    size_t ps = w.rfind('\n', ls - 2);
    if (ps == std::string_view::npos) continue;
    std::string_view before = w.substr(ps + 1, ls - 1 - (ps + 1));
    if (!before.empty() && before.back() == '\r') before.remove_suffix(1);
    std::string_view prefix = w.substr(ls, at - ls);
    // The blank line may keep or drop the space that ends the prefix.
    std::string_view bare = prefix;
    while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
    std::string_view before_bare = before;
    while (!before_bare.empty() && before_bare.back() == ' ') before_bare.remove_suffix(1);
    if (before_bare.empty() || PrefixShape(before_bare) != PrefixShape(bare)) continue;
    return from + ls;
  }
  return 0;
}

// Folds `b` (the second half of one dump) into `a`.
void MergeSnapshot(const Snapshot& b, Snapshot* a) {
  std::vector<Sym> sym(b.strings().size(), UINT32_MAX);
  auto map = [&](Sym s) {
    if (sym[s] == UINT32_MAX) sym[s] = a->strings().Intern(b.str(s));
    return sym[s];
  };
  auto remap = [&](Frame f) {
    f.function = map(f.function);
    f.file = map(f.file);
    return f;
  };
  std::vector<uint32_t> stack(b.stacks().size());
  for (size_t i = 0; i < b.stacks().size(); ++i) {
    Stack st = b.stacks()[i];
    for (Frame& f : st.frames) f = remap(f);
    if (st.has_creator) st.creator = remap(st.creator);
    stack[i] = a->AddStack(std::move(st));
  }
  std::vector<uint32_t> labels(b.label_sets().size(), 0);
  for (size_t i = 1; i < b.label_sets().size(); ++i) {
    LabelSet l = b.label_sets()[i];
    for (auto& [k, v] : l) {
      k = map(k);
      v = map(v);
    }
    labels[i] = a->AddLabelSet(std::move(l));
  }
  // b's goroutines follow a's: their argument words move up by a's count,
  // through the budget as if one parser had read them after a's (the
  // text parser also gives up on a goroutine at its first refused frame).
  uint32_t base = static_cast<uint32_t>(a->goroutines().size());
  uint32_t refused = UINT32_MAX;
  for (const FrameArgs& fa : b.frame_args()) {
    if (fa.goroutine == refused) continue;
    if (!a->AddFrameArgs(base + fa.goroutine, fa.frame, b.arg_words(fa), fa.priority)) {
      refused = fa.goroutine;
    }
  }
  for (Goroutine g : b.goroutines()) {
    g.state = map(g.state);
    g.stack = stack[g.stack];
    g.labels = labels[g.labels];
    a->AddGoroutine(g);
  }
  if (b.go_version.min_minor) a->go_version.AtLeast(b.go_version.min_minor);
  if (b.go_version.max_minor) a->go_version.AtMost(b.go_version.max_minor);
  a->truncated = a->truncated || b.truncated;
  if (b.args_capped()) a->MarkArgsCapped();
  for (const std::string& n : b.notes)
    if (std::find(a->notes.begin(), a->notes.end(), n) == a->notes.end()) a->notes.push_back(n);
}

// Parses a large plain dump on two threads. Returns false when the file
// does not split cleanly; `out` is then untouched and the caller reads it
// on one thread.
bool ReadParallel(int fd, uint64_t size, const std::string& path, const ReadOptions& options,
                  DumpSet* out, ReadError* err) {
  uint64_t split = FindSplit(fd, size);
  if (split == 0) split = FindPrefixedSplit(fd, size);
  if (split == 0) return false;
  DumpSet first, second;
  first.source = second.source = path;
  TextParser pa(&first), pb(&second);
  pa.set_size_hint(split);
  pb.set_size_hint(size - split);
  int err_a = 0, err_b = 0;
  std::thread t([&] { err_b = ParseStream(RangeReader(fd, split, size), {}, pb, &second, path, nullptr); });
  // The first half reports progress for both: they move at the same pace.
  std::function<void(uint64_t)> progress;
  if (options.progress)
    progress = [&](uint64_t done) { options.progress(std::min(size, done * size / split), size); };
  err_a = ParseStream(RangeReader(fd, 0, split), {}, pa, &first, path, progress);
  t.join();
  if (err_a || err_b) {
    err->kind = ReadErrorKind::kUnreadable;
    err->message = path + ": read error: " + std::strerror(err_a ? err_a : err_b);
    return true;
  }
  // Both halves behind the same kind of prefix, or neither; JSON records
  // are not cut.
  if (pa.saw_json() || pb.saw_json() || pa.saw_prefix() != pb.saw_prefix() ||
      first.snapshots.empty() ||
      second.snapshots.size() != 1)
    return false;
  Snapshot& a = first.snapshots.back();
  const Snapshot& b = second.snapshots.front();
  if (!b.preamble.empty() || b.goroutines().empty() || a.goroutines().empty() ||
      b.goroutines().front().id == a.goroutines().front().id || a.truncated)
    return false;
  MergeSnapshot(b, &a);
  // The second half numbered its lines from 1.
  for (std::string w : second.warnings) {
    size_t colon = path.size() + 1;
    size_t end = w.find(':', colon);
    uint64_t n = 0;
    if (w.compare(0, path.size() + 1, path + ":") == 0 && end != std::string::npos &&
        ParseLineNumber(w.substr(colon, end - colon), &n))
      w = path + ":" + std::to_string(n + pa.lines()) + w.substr(end);
    first.warnings.push_back(std::move(w));
  }
  first.lines += second.lines;
  first.bytes += second.bytes;
  first.form = "traceback";
  first.read_threads = 2;
  *out = std::move(first);
  if (options.progress) options.progress(size, size);
  return true;
}

}  // namespace

ReadError ReadDumpBytes(std::string_view bytes, const std::string& source, DumpSet* out) {
  out->source = source;
  out->bytes = bytes.size();
  Form form = SniffForm(bytes.substr(0, 4096));
  if (form != Form::kText) return ReadAggregated(form, bytes, source, out);
  TextParser parser(out);
  size_t used = FeedLines(parser, bytes.data(), bytes.size());
  bool complete = used == bytes.size();
  if (!complete) parser.Line(bytes.substr(used), /*partial=*/true);
  return Finish(parser, complete, out);
}

ReadError ReadDumpFile(const std::string& path, const ReadOptions& options, DumpSet* out) {
  out->source = path;
  ReadError e;
  int fd = path == "-" ? 0 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    e.kind = ReadErrorKind::kUnreadable;
    e.message = path + ": " + std::strerror(errno);
    return e;
  }
  struct FdCloser {
    int fd;
    ~FdCloser() {
      if (fd > 0) close(fd);
    }
  } closer{fd};
  struct stat st {};
  uint64_t total = 0;
  if (fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      e.kind = ReadErrorKind::kUnreadable;
      e.message = path + ": is a directory";
      return e;
    }
    if (S_ISREG(st.st_mode)) {
      total = static_cast<uint64_t>(st.st_size);
      posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      char head[4096];
      ssize_t n = total >= kParallelAtLeast ? pread(fd, head, sizeof head, 0) : 0;
      if (n > 0 && SniffForm(std::string_view(head, static_cast<size_t>(n))) == Form::kText &&
          UsableCpus() > 1) {
        DumpSet set;
        if (ReadParallel(fd, total, path, options, &set, &e)) {
          if (e) return e;
          *out = std::move(set);
          return Finish(out);
        }
      }
    }
  }

  // The first 4 KiB decide the form.
  std::string head(4096, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t r = read(fd, head.data() + got, head.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      e.kind = ReadErrorKind::kUnreadable;
      e.message = path + ": " + std::strerror(errno);
      return e;
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  head.resize(got);
  Form form = SniffForm(head);
  if (form != Form::kText) return SlurpAggregated(fd, form, std::move(head), path, out);

  out->bytes = 0;
  out->lines = 0;
  TextParser parser(out);
  parser.set_size_hint(total);  // 0 for pipes
  std::function<void(uint64_t)> progress;
  if (options.progress) progress = [&](uint64_t done) { options.progress(done, total); };
  int err = ParseStream([fd](char* buf, size_t n) { return read(fd, buf, n); }, head, parser, out,
                        path, progress);
  if (err) {
    e.kind = ReadErrorKind::kUnreadable;
    e.message = path + ": read error after " + std::to_string(out->bytes) + " bytes: " +
                std::strerror(err);
    return e;
  }
  out->form = "traceback";
  return Finish(out);
}

}  // namespace leakhound
