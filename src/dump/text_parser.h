// TextParser reads Go traceback text (panics, fatal errors, SIGQUIT
// dumps, runtime.Stack, pprof debug=2) one line at a time and folds each
// goroutine into a Snapshot as soon as it ends, so the input is never held.
//
// Lines may carry log prefixes or sit JSON-escaped inside log records;
// LogUnwrapper (log_unwrap.h) peels those before the dump grammar sees them.
#ifndef LEAKHOUND_DUMP_TEXT_PARSER_H_
#define LEAKHOUND_DUMP_TEXT_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dump/dump.h"
#include "dump/log_unwrap.h"
#include "model/snapshot.h"

namespace leakhound {

class TextParser : private LineSink {
 public:
  // Appends the snapshots it finds to out->snapshots and warnings to
  // out->warnings; `out` must outlive the parser.
  explicit TextParser(DumpSet* out);

  // One input line, without its '\n'. A trailing '\r' is ignored.
  // `partial` marks a last line that had no newline: it may be cut.
  void Line(std::string_view line, bool partial = false);
  // End of input. `last_line_complete` is false when the input did not end
  // with a newline (the last line given to Line() may be cut).
  void Finish(bool last_line_complete);

  uint64_t lines() const { return line_no_; }
  // Bytes of input expected; lets the first snapshot reserve its memory.
  void set_size_hint(uint64_t bytes) { size_hint_ = bytes; }
  // True once lines came wrapped in a log prefix or JSON records.
  bool unwrapped() const { return unwrap_.saw_prefix() || unwrap_.saw_json(); }

 private:
  struct PendingFrame {
    uint32_t func_off, func_len;  // into scratch_
    uint32_t file_off, file_len;
    uint32_t line, pc_offset;
    bool inlined, args_elided;
  };
  enum class Mode { kOutside, kPreamble, kGoroutine, kSkipBlock };

  // A line with log wrapping removed.
  void DumpLine(std::string_view line, LineKind kind) override;
  bool Header(std::string_view line);
  void FunctionLine(std::string_view line);
  void FileLine(std::string_view content);
  void CreatorLine(std::string_view line);
  void PreambleLine(std::string_view line);
  void EndGoroutine();
  void StartSnapshot();
  void VersionFromCreators();
  Snapshot& snap() { return out_->snapshots.back(); }
  void Warn(std::string_view what, std::string_view line);
  void NoteVersionFromName(std::string_view name);
  void NoteVersionFromArgs(std::string_view args);

  DumpSet* out_;
  LogUnwrapper unwrap_;
  uint64_t line_no_ = 0;
  Mode mode_ = Mode::kOutside;
  bool have_snapshot_ = false;
  uint64_t first_id_ = 0;  // first goroutine of the current snapshot
  bool first_id_set_ = false;
  size_t warnings_dropped_ = 0;

  // The goroutine being read. Strings live in scratch_ until the goroutine
  // ends; the stack is then looked up by a hash of its raw key, so a stack
  // seen before costs no interning at all.
  Goroutine cur_;
  std::string scratch_;
  std::vector<PendingFrame> frames_;
  bool func_pending_ = false;   // a function line waits for its file line
  PendingFrame pending_{};
  bool creator_pending_ = false;
  bool has_creator_ = false;
  PendingFrame creator_{};
  uint32_t elided_ = 0;
  bool elided_unknown_ = false;
  bool unavailable_ = false;
  bool cut_ = false;            // the stack is incomplete (input cut)
  bool partial_line_ = false;   // the line being read may be cut
  bool after_separator_ = false;  // just saw "-----" (GOTRACEBACK=crash)
  LabelSet labels_scratch_;
  std::string state_scratch_;
  std::string key_;             // raw stack key, rebuilt per goroutine
  uint64_t size_hint_ = 0;
  bool creator_plain_seen_ = false;   // "created by X" in this snapshot
  bool creator_suffix_seen_ = false;  // "created by X in goroutine N"

  // Raw stack key -> stack index, for the current snapshot.
  struct RawStack {
    uint64_t hash;
    uint32_t stack;
    std::string key;
  };
  std::vector<RawStack> raw_stacks_;
  std::vector<uint32_t> raw_slots_;  // index+1, 0 empty
  std::vector<bool> semacquire_checked_;  // per stack index
  // Last state seen and its Sym: consecutive goroutines often share it.
  std::string last_state_;
  Sym last_state_sym_ = 0;
};

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_TEXT_PARSER_H_
