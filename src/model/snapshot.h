// The one model every dump form is read into.
//
// A Snapshot is the state of one Go process at one moment. To keep memory
// proportional to distinct stacks rather than to goroutines, stacks are
// interned in a StackTable and each Goroutine names its stack by index;
// every string (function, file, state) is a Sym in the snapshot's pool.
#ifndef LEAKHOUND_MODEL_SNAPSHOT_H_
#define LEAKHOUND_MODEL_SNAPSHOT_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/go_version.h"
#include "model/string_pool.h"

namespace leakhound {

struct Frame {
  Sym function = 0;        // as printed: "main.(*T).M", "net/http.(*conn).serve"
  Sym file = 0;            // "/app/main.go", "?" when unknown
  uint32_t line = 0;
  uint32_t pc_offset = 0;  // the "+0x1d"; 0 when absent (inlined frames)
  bool inlined = false;    // printed as NAME(...)
  bool args_elided = false;  // args contained "..." (limit reached)

  bool SameLocation(const Frame& o) const {
    return function == o.function && file == o.file && line == o.line;
  }
};

// Identity of a stack: every frame's function+file+line, creator included.
// Goroutines with equal stacks share one Stack.
struct Stack {
  std::vector<Frame> frames;  // innermost first
  bool has_creator = false;
  Frame creator;              // the "created by" frame
  // Frames the runtime left out: "...N frames elided..." adds N;
  // "...additional frames elided..." sets elided_unknown.
  uint32_t elided_frames = 0;
  bool elided_unknown = false;
  // "goroutine running on other thread; stack unavailable".
  bool unavailable = false;
  // Cut in the text, not by the runtime: a location or frames a person
  // left out ("..."), or the input ended mid-stack. Frames whose location
  // was cut have file "?" and line 0.
  bool cut = false;
  uint64_t hash = 0;        // over the identity above
  uint64_t loose_hash = 0;  // same, ignoring lines of non-top frames
};

// Flags a goroutine header can carry.
enum GoroutineFlag : uint16_t {
  kLockedToThread = 1 << 0,  // ", locked to thread"
  kLeaked = 1 << 1,          // " (leaked)", Go 1.26 goroutineleak GC
  kScan = 1 << 2,            // " (scan)"
  kDurable = 1 << 3,         // " (durable)" flag appended by 1.25+
  kInBubble = 1 << 4,        // ", synctest group|bubble N"
  // Not from the header: net/http.send's deadline argument names a time
  // zone, so the client call has a deadline (Client.Timeout is set); a
  // zero time.Time has none. See TextParser::FunctionLine.
  kHttpDeadline = 1 << 5,
};

// Fields ordered widest first: a million of these are 48 MB, not 56.
struct Goroutine {
  uint64_t id = 0;
  uint64_t creator_id = 0;    // "created by ... in goroutine N"; 0 unknown
  int64_t bubble = -1;        // synctest group/bubble id, -1 none
  Sym state = 0;             // status or wait reason: "chan send", "running"
  int32_t wait_minutes = -1;  // -1 when the dump did not say
  uint32_t stack = 0;         // index into Snapshot::stacks()
  uint32_t labels = 0;        // index into Snapshot::label_sets(); 0 = none
  // How many goroutines this entry stands for: the record's count in
  // aggregated forms (debug=1, protobuf), which have no ids, so a profile
  // of a million goroutines stays one entry per stack. In tracebacks 1,
  // except past Snapshot::fold_after() entries, where the parser folds a
  // goroutine into the entry before it when they differ only in id and
  // the ids run on: then the entry stands for ids id .. id+count-1 (see
  // Snapshot::TryExtendLast).
  uint32_t count = 1;
  uint16_t flags = 0;

  bool has(GoroutineFlag f) const { return (flags & f) != 0; }
};
static_assert(sizeof(Goroutine) == 48, "Goroutine grew: a million of them are kept");

using LabelSet = std::vector<std::pair<Sym, Sym>>;

// A frame's printed argument words. Goroutines that share a stack differ
// in them, so they are kept per goroutine, beside the interned stacks, and
// only for frames that can name an object goroutines share: user
// functions (receiver and parameters) and the lock methods of package
// sync. A value the runtime marked "?" (maybe stale), an aggregate
// printed in braces and a word past the runtime's "..." are kArgUnknown.
inline constexpr uint64_t kArgUnknown = ~uint64_t{0};
// Entries a traceback snapshot keeps one per goroutine before it starts
// folding runs of identical goroutines (Snapshot::TryExtendLast): every
// dump of up to a million goroutines is read exactly as printed.
inline constexpr size_t kFoldAfter = size_t{1} << 20;
inline constexpr const char* kFoldedNote =
    "past a million goroutines, goroutines that differ only in a running id are kept as one "
    "entry per run (every id is still known)";
// The note a snapshot carries when the argument budget ran out.
inline constexpr const char* kArgsCappedNote =
    "too many goroutines to keep every frame's arguments: the objects goroutines share (locks "
    "and their holders) are known for the earlier goroutines of the dump only";
struct FrameArgs {
  uint32_t goroutine;  // index into Snapshot::goroutines()
  uint16_t frame;      // index into its stack's frames
  bool priority;       // the goroutine waits for a lock (AddFrameArgs)
  uint32_t begin, end;  // into the snapshot's argument words
};

// What kind of output the dump was found in.
enum class DumpKind {
  kUnknown,
  kStack,       // runtime.Stack(all) / debug=2: starts at the first header
  kPanic,       // "panic: ..."
  kFatalError,  // "fatal error: ..."
  kSignal,      // "SIGQUIT: quit" and other fatal signals
};
const char* DumpKindName(DumpKind k);

class Snapshot {
 public:
  Snapshot();
  Snapshot(Snapshot&&) = default;
  Snapshot& operator=(Snapshot&&) = default;

  // --- where it came from ---
  std::string source;         // file name, "-" or URL
  std::string form = "traceback";  // which dump form was read
  DumpKind kind = DumpKind::kUnknown;
  std::string preamble;       // "panic: ..." / "fatal error: ..." line(s)
  int64_t capture_time_unix_ns = 0;  // 0 unknown
  GoVersionRange go_version;  // what the format's features imply
  // The input stopped mid-dump (cut file, 64 MB cap of debug=2).
  bool truncated = false;
  std::vector<std::string> notes;  // things a person should know
  // What the form could tell. debug=1 and the protobuf profile aggregate
  // goroutines: no ids, no wait reasons (states are inferred from runtime
  // frames where shown), no wait minutes, no creators.
  bool has_ids = true;
  bool has_wait_reasons = true;
  bool has_creators = true;

  // --- contents ---
  StringPool& strings() { return strings_; }
  const StringPool& strings() const { return strings_; }
  std::string_view str(Sym s) const { return strings_.Get(s); }

  const std::vector<Goroutine>& goroutines() const { return goroutines_; }
  const std::vector<Stack>& stacks() const { return stacks_; }
  const Stack& stack_of(const Goroutine& g) const { return stacks_[g.stack]; }
  const std::vector<LabelSet>& label_sets() const { return label_sets_; }

  // Adds a stack, or returns the index of an equal one already present.
  // Computes stack.hash / loose_hash.
  uint32_t AddStack(Stack stack);
  // Same, with the hashes already filled in by the caller.
  uint32_t AddHashedStack(Stack&& stack);
  uint32_t AddLabelSet(LabelSet labels);
  void AddGoroutine(const Goroutine& g) {
    goroutines_.push_back(g);
    total_ += g.count;
  }
  // Folds `g` (one goroutine of a traceback, no arguments kept) into the
  // last entry when the snapshot already holds fold_after() entries, the
  // last entry kept no arguments either and `g` equals it in everything
  // but an id that continues its run. A dump of ten million identical
  // goroutines then costs a few entries, not ten million, with every id
  // still known. Returns whether it folded.
  bool TryExtendLast(const Goroutine& g);
  size_t fold_after() const { return fold_after_; }
  void set_fold_after(size_t n) { fold_after_ = n; }  // tests
  // Goroutines folded into the entry before them (0: none).
  uint64_t folded() const { return folded_; }
  // Calls f(id) for every goroutine id an entry stands for (has_ids).
  template <typename F>
  static void ForEachId(const Goroutine& g, F&& f) {
    for (uint64_t k = 0; k < g.count; ++k) f(g.id + k);
  }
  // Points goroutine i at another stack (a later, fuller print of it).
  void SetGoroutineStack(size_t i, uint32_t stack) { goroutines_[i].stack = stack; }
  // Room for n goroutines up front: a large dump then never copies the
  // vector while growing (untouched capacity costs no resident memory).
  void ReserveGoroutines(size_t n);
  // Goroutines in the process (sum of counts), not entries.
  uint64_t total_goroutines() const { return total_; }

  // Argument words of frame `frame` of goroutine `goroutine` (indices
  // into goroutines() and its stack's frames). Calls come in increasing
  // goroutine order, then frame order. Past the budget (a few million
  // words: a dump of millions of goroutines stays bounded) it keeps
  // nothing and returns false; args_capped() then says so. `priority`
  // (goroutines waiting for a lock) may use the whole budget, the rest
  // a quarter of it.
  bool AddFrameArgs(uint32_t goroutine, uint32_t frame, std::span<const uint64_t> words,
                    bool priority = true);
  bool ArgsBudgetLeft(bool priority) const;
  // Sets args_capped() and adds kArgsCappedNote to the notes once.
  void MarkArgsCapped();
  // Empty when none were kept for that frame.
  std::span<const uint64_t> ArgsOf(size_t goroutine, size_t frame) const;
  const std::vector<FrameArgs>& frame_args() const { return frame_args_; }
  std::span<const uint64_t> arg_words(const FrameArgs& a) const {
    return std::span<const uint64_t>(arg_words_).subspan(a.begin, a.end - a.begin);
  }
  bool args_capped() const { return args_capped_; }

  // Fills stack.hash and stack.loose_hash from its frames.
  static void HashStack(Stack& stack);

  size_t MemoryUsage() const;

 private:
  StringPool strings_;
  std::vector<Goroutine> goroutines_;
  uint64_t total_ = 0;
  std::vector<Stack> stacks_;
  std::vector<LabelSet> label_sets_;  // [0] is the empty set
  std::map<LabelSet, uint32_t> label_index_;
  size_t fold_after_ = kFoldAfter;
  uint64_t folded_ = 0;
  std::vector<FrameArgs> frame_args_;  // sorted by (goroutine, frame)
  std::vector<uint64_t> arg_words_;
  bool args_capped_ = false;
  // Open addressing over stacks_: slot = index+1, 0 empty.
  std::vector<uint32_t> stack_slots_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_MODEL_SNAPSHOT_H_
