// TextParser reads Go traceback text (panics, fatal errors, SIGQUIT
// dumps, runtime.Stack, pprof debug=2) one line at a time and folds each
// goroutine into a Snapshot as soon as it ends, so the input is never held.
//
// Lines may carry log prefixes or sit JSON-escaped inside log records;
// LogUnwrapper (log_unwrap.h) peels those before the dump grammar sees them.
#ifndef LEAKHOUND_DUMP_TEXT_PARSER_H_
#define LEAKHOUND_DUMP_TEXT_PARSER_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dump/dump.h"
#include "dump/header.h"
#include "dump/log_unwrap.h"
#include "model/snapshot.h"

namespace leakhound {

// Bytes appended without zero-filling or per-call length checks; the raw
// stack key is rebuilt in one per goroutine.
class KeyBuffer {
 public:
  const char* data() const { return p_.get(); }
  size_t size() const { return n_; }
  std::string_view view() const { return std::string_view(p_.get(), n_); }
  void clear() { n_ = 0; }
  void truncate(size_t n) { n_ = n; }
  // Room for k more bytes at the end; returns where they go.
  char* Extend(size_t k) {
    if (cap_ - n_ < k) Grow(k);
    char* at = p_.get() + n_;
    n_ += k;
    return at;
  }
  void Append(std::string_view s) {
    if (!s.empty()) std::memcpy(Extend(s.size()), s.data(), s.size());
  }
  void AppendU32(uint32_t v) { std::memcpy(Extend(sizeof v), &v, sizeof v); }
  void Push(char c) { *Extend(1) = c; }

 private:
  void Grow(size_t k);
  std::unique_ptr<char[]> p_;
  size_t n_ = 0, cap_ = 0;
};

class TextParser : private LineSink {
 public:
  // Appends the snapshots it finds to out->snapshots and warnings to
  // out->warnings; `out` must outlive the parser.
  explicit TextParser(DumpSet* out);

  // One input line, without its '\n'. A trailing '\r' is ignored.
  // `partial` marks a last line that had no newline: it may be cut.
  void Line(std::string_view line, bool partial = false);
  // Every complete line in buf[0,n); returns the bytes consumed (the rest
  // is a line without its newline yet). Same as Line() on each, faster.
  size_t Lines(const char* buf, size_t n);
  // End of input. `last_line_complete` is false when the input did not end
  // with a newline (the last line given to Line() may be cut).
  void Finish(bool last_line_complete);

  uint64_t lines() const { return line_no_; }
  // Bytes of input expected; lets the first snapshot reserve its memory.
  void set_size_hint(uint64_t bytes) { size_hint_ = bytes; }
  // Entries each snapshot keeps one by one before folding runs
  // (Snapshot::TryExtendLast); kFoldAfter unless a test lowers it.
  void set_fold_after(size_t n) { fold_after_ = n; }
  // True once lines came wrapped in a log prefix or JSON records.
  bool unwrapped() const { return unwrap_.saw_prefix() || unwrap_.saw_json(); }
  bool saw_prefix() const { return unwrap_.saw_prefix(); }
  bool saw_json() const { return unwrap_.saw_json(); }

 private:
  struct PendingFrame {
    uint32_t func_off, func_len;  // into key_ (frames) or creator_key_
    uint32_t file_off, file_len;
    uint32_t line, pc_offset;
    uint32_t args_off, args_len;  // into args_text_
    bool inlined, args_elided;
  };
  enum class Mode { kOutside, kPreamble, kGoroutine, kSkipBlock };

  // A line with log wrapping removed.
  void DumpLine(std::string_view line, LineKind kind) override;
  bool Header(std::string_view line);
  void FunctionLine(std::string_view line);
  void FileLine(std::string_view content);
  void CreatorLine(std::string_view line);
  // The rest of a frame (or the creator) once its location is known.
  void AddLocation(std::string_view file, uint64_t line, uint64_t offset);
  void CutLine();   // "..." or the end of the text where a location was
  void NoteCuts();  // the current snapshot's note on cut stacks
  void PreambleLine(std::string_view line);
  void EndGoroutine();
  // A function line that got no file line is not part of the stack (its
  // name still dates the dump; names of frames that made it into a stack
  // are looked at once per distinct stack, in EndGoroutine).
  void DropPendingFrame() {
    if (func_pending_) {
      NoteVersionFromName(key_.view().substr(pending_.func_off, pending_.func_len));
      key_.truncate(pending_start_);
    }
    func_pending_ = false;
  }
  void OneLine(std::string_view line);
  void FunctionLine(std::string_view line, size_t open);  // open: the last '('
  Sym StateSym(std::string_view status);
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
  uint64_t max_id_ = 0;    // highest id in the current snapshot: above it, an id is new
  bool first_id_set_ = false;
  size_t warnings_dropped_ = 0;

  // The goroutine being read. Its frames are written straight into the
  // raw stack key as they are read (function, file and line of each,
  // length-prefixed); when the goroutine ends the stack is looked up by a
  // hash of that key, so a stack seen before costs no interning at all.
  Goroutine cur_;
  std::vector<PendingFrame> frames_;
  bool func_pending_ = false;   // a function line waits for its file line
  uint32_t pending_start_ = 0;  // where its bytes start in key_
  PendingFrame pending_{};
  bool creator_pending_ = false;
  bool has_creator_ = false;
  PendingFrame creator_{};
  uint32_t elided_ = 0;
  bool elided_unknown_ = false;
  bool unavailable_ = false;
  bool cut_ = false;            // the stack is incomplete (input or paste cut)
  bool frames_capped_ = false;  // the goroutine passed kMaxFrames (warned once)
  bool http_deadline_ = false;  // kHttpDeadline, set after the goroutine is read
  size_t cut_goroutines_ = 0;   // ... how many of the snapshot's were
  bool partial_line_ = false;   // the line being read may be cut
  bool after_separator_ = false;  // just saw "-----" (GOTRACEBACK=crash)
  // Past a "-----" in a signal dump: the blocks after it are other Ms'
  // (GOTRACEBACK=crash), printing goroutines already in the snapshot again.
  bool relay_ = false;
  int64_t repeat_of_ = -1;      // the goroutine being read was printed already, at this index
  bool cur_gp_ = false;         // its header had " gp=0x.." (Go 1.22+)
  // Goroutines of the current snapshot by id: slot = index+1 into its
  // goroutines, 0 empty. An id printed twice means a second dump.
  std::vector<uint32_t> id_slots_;
  size_t id_count_ = 0;
  // Entries that stand for a run of ids (folded, Snapshot::TryExtendLast),
  // by index; their first ids ascend (a run that would break the order is
  // not begun), so FindId bisects them.
  std::vector<uint32_t> runs_;
  // Whether the goroutine being read has arguments the snapshot would
  // keep (KeepArgs); such a goroutine is never folded.
  bool KeepsArgs(uint32_t stack_index);
  int64_t FindId(uint64_t id);
  void AddId(uint32_t index);
  bool StartsNextStackDump();
  LabelSet labels_scratch_;
  ParsedHeader header_;  // reused: its label strings keep their buffers
  std::string state_scratch_;
  KeyBuffer key_;               // raw stack key, rebuilt per goroutine
  std::string creator_key_;     // the creator's part, appended at the end
  uint64_t size_hint_ = 0;
  size_t fold_after_ = kFoldAfter;
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
  // Argument text of the goroutine's frames, and per stack index the
  // frames whose argument words the snapshot keeps (KeepArgsOf).
  std::string args_text_;
  std::vector<std::vector<uint16_t>> args_keep_;
  std::vector<bool> args_keep_known_;
  std::vector<uint64_t> words_scratch_;
  bool args_priority_ = false;  // the goroutine waits for a lock
  bool keep_args_ = false;      // ... and the budget has room for it
  void KeepArgs(uint32_t goroutine, uint32_t stack_index);
  // args_keep_[stack_index], computed on first use.
  const std::vector<uint16_t>& ArgFrames(uint32_t stack_index);
  // States seen in this snapshot, by a hash of their text: a handful of
  // wait reasons cover a million goroutines. text points into the pool.
  struct StateSlot {
    Sym sym = 0;
    uint32_t len = 0;
    const char* text = nullptr;
  };
  StateSlot state_cache_[64];
};

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_TEXT_PARSER_H_
