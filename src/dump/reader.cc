// Entry points of src/dump: open an input, decide its form from its first
// bytes, and stream it through the matching parser.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "dump/aggregated.h"
#include "dump/dump.h"
#include "dump/text_parser.h"

namespace leakhound {

namespace {

constexpr size_t kChunk = 4 << 20;           // bytes per read()
constexpr size_t kMaxLine = 64 << 20;        // longer lines are skipped
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

ReadError Finish(TextParser& parser, bool complete, DumpSet* out) {
  parser.Finish(complete);
  out->lines = parser.lines();
  out->form = "traceback";
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

// Splits buf[0,n) into lines for the parser; returns how many bytes were
// consumed (the rest is a partial line).
size_t FeedLines(TextParser& parser, const char* buf, size_t n) {
  size_t start = 0;
  while (start < n) {
    const void* nl = std::memchr(buf + start, '\n', n - start);
    if (nl == nullptr) break;
    size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf);
    parser.Line(std::string_view(buf + start, end - start));
    start = end + 1;
  }
  return start;
}

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
    }
  }

  size_t cap = kChunk;
  std::unique_ptr<char[]> buf(new char[cap]);
  size_t have = 0;  // bytes in buf not yet consumed
  bool sniffed = false;
  bool skipping_long_line = false;
  std::unique_ptr<TextParser> parser;
  uint64_t next_progress = kProgressEvery;
  out->bytes = 0;

  while (true) {
    ssize_t r = read(fd, buf.get() + have, cap - have);
    if (r < 0) {
      if (errno == EINTR) continue;
      e.kind = ReadErrorKind::kUnreadable;
      e.message = path + ": read error after " + std::to_string(out->bytes) +
                  " bytes: " + std::strerror(errno);
      return e;
    }
    if (r == 0) break;
    out->bytes += static_cast<uint64_t>(r);
    have += static_cast<size_t>(r);
    if (!sniffed) {
      // Wait for 4 KiB (or EOF) so the form is judged on enough bytes.
      if (have < 4096) continue;
      sniffed = true;
      Form form = SniffForm(std::string_view(buf.get(), have).substr(0, 4096));
      if (form != Form::kText) return SlurpAggregated(fd, form, std::string(buf.get(), have), path, out);
      parser = std::make_unique<TextParser>(out);
    }
    if (skipping_long_line) {
      // Drop the rest of an over-long line, up to its newline.
      const void* nl = std::memchr(buf.get(), '\n', have);
      if (nl == nullptr) {
        have = 0;
        continue;
      }
      size_t skip = static_cast<size_t>(static_cast<const char*>(nl) - buf.get()) + 1;
      std::memmove(buf.get(), buf.get() + skip, have - skip);
      have -= skip;
      skipping_long_line = false;
    }
    size_t used = FeedLines(*parser, buf.get(), have);
    std::memmove(buf.get(), buf.get() + used, have - used);
    have -= used;
    if (have == cap) {
      // One line fills the buffer: grow up to kMaxLine, then drop it.
      if (cap < kMaxLine) {
        std::unique_ptr<char[]> bigger(new char[cap * 2]);
        std::memcpy(bigger.get(), buf.get(), have);
        buf.swap(bigger);
        cap *= 2;
      } else {
        if (!skipping_long_line)
          out->warnings.push_back(path + ":" + std::to_string(parser->lines() + 1) +
                                  ": line longer than 64 MiB skipped");
        skipping_long_line = true;
        have = 0;
      }
    }
    if (options.progress && out->bytes >= next_progress) {
      options.progress(out->bytes, total);
      next_progress = out->bytes + kProgressEvery;
    }
  }
  if (!sniffed) {
    Form form = SniffForm(std::string_view(buf.get(), have));
    if (form != Form::kText) return ReadAggregated(form, std::string_view(buf.get(), have), path, out);
    parser = std::make_unique<TextParser>(out);
    size_t used = FeedLines(*parser, buf.get(), have);
    std::memmove(buf.get(), buf.get() + used, have - used);
    have -= used;
  }
  bool complete = have == 0;
  if (!complete && !skipping_long_line)
    parser->Line(std::string_view(buf.get(), have), /*partial=*/true);
  if (options.progress) options.progress(out->bytes, total);
  return Finish(*parser, complete, out);
}

}  // namespace leakhound
