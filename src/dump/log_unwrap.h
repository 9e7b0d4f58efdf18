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
  kIndented,  // "    FILE:LINE +0x..": a file line whose TAB became spaces (paste.h)
  kCut,       // "...": where a person cut a location or frames (paste.h)
  kOther,
};

// What a line is in the dump grammar, judged from the line alone.
LineKind ClassifyLine(std::string_view line);
// Same; for a kFunction line also sets *open to the index of the '(' that
// opens its argument list (the last one).
LineKind ClassifyLine(std::string_view line, size_t* open);

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
  // True while lines can skip Line() when ClassifyLine knows them: no
  // prefix learned and no mid-line dump start waiting for confirmation.
  bool passthrough() const { return shape_.empty() && !has_candidate_; }

 private:
  // A learned prefix shape: runs of word characters match any run of word
  // characters, spaces match runs of spaces, other bytes match themselves.
  struct Token {
    enum Kind : char { kWord, kSpaces, kByte } kind;
    char byte;
  };
  // Length of the prefix of `line` that has the learned shape, or -1.
  long MatchShape(std::string_view line) const;
  // The same, a character at a time (MatchShape's fallback).
  long MatchShapeSlow(std::string_view line) const;
  static long MatchTokens(const std::vector<Token>& shape, std::string_view line);
  static std::vector<Token> Tokenize(std::string_view prefix);
  void Learn(std::string_view prefix);
  // Decides a pending mid-line preamble with the line after it (which is
  // then read as usual).
  void ResolveCandidate(std::string_view line);
  bool TryJson(std::string_view line);
  bool TryFindDumpStart(std::string_view line);

  LineSink* sink_;
  std::vector<Token> shape_;
  bool saw_json_ = false;
  // "panic: ", "fatal error: " or "SIGxxx: " found mid-line is also what a
  // log message quoting a panic looks like ("recovered from panic: x"), so
  // it only counts once the next line is dump text too (a blank line or a
  // header behind the same prefix, "[signal ...", a TAB line).
  bool has_candidate_ = false;
  std::vector<Token> cand_shape_;
  std::string cand_rest_;  // the line from the dump start on
  int cand_waited_ = 0;    // lines seen since, that did not decide
};

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_LOG_UNWRAP_H_
