// LogUnwrapper finds dump lines inside logs.
//
// Dumps reach people through log pipelines: every line prefixed by
// kubectl, containerd or a timestamp; the first line behind a glog header;
// the whole dump JSON-escaped in one field of one record; or one dump line
// per JSON record (docker's json-file driver). The unwrapper learns a
// prefix's *shape* from the first line where a dump starts mid-line and
// strips lines of that shape afterwards, and expands JSON records.
//
// Raw dump lines pass straight through; the cost is one classification.
#ifndef LEAKHOUND_DUMP_LOG_UNWRAP_H_
#define LEAKHOUND_DUMP_LOG_UNWRAP_H_

#include <string>
#include <string_view>
#include <vector>

namespace leakhound {

enum class LineKind {
  kBlank,
  kHeader,    // "goroutine N [...]:"
  kTab,       // "\t..." file line, stack unavailable, preamble continuation
  kCreator,   // "created by ..."
  kElided,    // "...N frames elided...", "...additional frames elided..."
  kFunction,  // "pkg.F(args)"
  kAncestor,  // "[originating from goroutine N]:"
  kPreamble,  // "panic: ", "fatal error: ", "SIGQUIT: quit", "[signal ", "PC=" ...
  kOther,
};

// What a line is in the dump grammar, judged from the line alone.
LineKind ClassifyLine(std::string_view line);

class LineSink {
 public:
  virtual ~LineSink() = default;
  // `kind` is ClassifyLine(line).
  virtual void DumpLine(std::string_view line, LineKind kind) = 0;
};

class LogUnwrapper {
 public:
  explicit LogUnwrapper(LineSink* sink) : sink_(sink) {}

  // Passes the dump line(s) found in `line` to the sink. Lines that are
  // not part of a dump are passed too (as kOther) so the parser can see
  // where a dump ends.
  void Line(std::string_view line);

  bool saw_prefix() const { return !shape_.empty(); }
  bool saw_json() const { return saw_json_; }

 private:
  // A learned prefix shape: runs of word characters match any run of word
  // characters, spaces match runs of spaces, other bytes match themselves.
  struct Token {
    enum Kind : char { kWord, kSpaces, kByte } kind;
    char byte;
  };
  // Length of the prefix of `line` that has the learned shape, or -1.
  long MatchShape(std::string_view line) const;
  void Learn(std::string_view prefix);
  bool TryJson(std::string_view line);
  bool TryFindDumpStart(std::string_view line);

  LineSink* sink_;
  std::vector<Token> shape_;
  bool saw_json_ = false;
};

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_LOG_UNWRAP_H_
