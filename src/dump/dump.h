// Reading goroutine dumps into Snapshots.
//
// The entry points take a whole input (a file, stdin, or bytes) and find
// every dump in it, skipping text that is not part of a dump (log lines,
// register dumps). The input is streamed in large reads; nothing keeps the
// input text once a goroutine has been folded into the Snapshot.
#ifndef LEAKHOUND_DUMP_DUMP_H_
#define LEAKHOUND_DUMP_DUMP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace leakhound {

// Frames kept per goroutine (or per aggregated record) in every form. Go
// prints at most 100 (then "...additional frames elided..."), so only
// hostile or hand-made input gets near it.
constexpr size_t kMaxStackFrames = 100000;

struct ReadOptions {
  // Called now and then with bytes read so far and the total (0 when the
  // size is unknown, e.g. a pipe). For progress bars.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// Everything read from one input.
struct DumpSet {
  std::string source;
  std::string form;               // "traceback" for text dumps
  std::vector<Snapshot> snapshots;  // in input order; usually one
  uint64_t bytes = 0;
  uint64_t lines = 0;
  int read_threads = 1;  // 2 when a large file was read in two halves
  // "source:line: message" for dump-like lines that could not be read;
  // reading goes on past them.
  std::vector<std::string> warnings;
};

// Why reading failed. Each maps to a distinct exit code in the CLI.
enum class ReadErrorKind {
  kNone,
  kUnreadable,  // cannot open or read the file
  kNoDump,      // read fine, but no goroutine dump in it
  kUnsupported, // recognised form that this build cannot read yet
};

struct ReadError {
  ReadErrorKind kind = ReadErrorKind::kNone;
  std::string message;  // one line, starts with "source:" or "source:line:"
  explicit operator bool() const { return kind != ReadErrorKind::kNone; }
};

// Reads a file, or standard input when path is "-".
ReadError ReadDumpFile(const std::string& path, const ReadOptions& options,
                       DumpSet* out);

// Reads bytes already in memory; `source` names them in messages.
ReadError ReadDumpBytes(std::string_view bytes, const std::string& source,
                        DumpSet* out);

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_DUMP_H_
