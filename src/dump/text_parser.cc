#include "dump/text_parser.h"

#include <cstring>

#include "base/hash.h"
#include "base/strings.h"

namespace leakhound {

namespace {

constexpr size_t kMaxWarnings = 100;
constexpr size_t kMaxPreamble = 4096;
constexpr size_t kMaxFrames = 100000;  // per goroutine; Go prints at most ~100


// Parses a decimal that fills all of s. Rejects empty, signs and overflow.
bool ParseDec(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// Removes `suffix` from the end of s if present.
bool Peel(std::string_view* s, std::string_view suffix) {
  if (!EndsWith(*s, suffix)) return false;
  s->remove_suffix(suffix.size());
  return true;
}

// Wait reasons that end in "(durable)" themselves (Go 1.25); the runtime
// does not append the flag to these.
bool IsDurableReason(std::string_view s) {
  return s == "chan receive (durable)" || s == "chan send (durable)" ||
         s == "select (durable)" || s == "sync.WaitGroup.Wait (durable)";
}

// Reads a Go %q-quoted string at s[*i] ('"' expected); returns false if
// malformed. Handles the escapes strconv.Quote produces.
bool ReadQuoted(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  ++*i;
  out->clear();
  while (*i < s.size()) {
    char c = s[(*i)++];
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (*i >= s.size()) return false;
    char e = s[(*i)++];
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'x': {
        uint64_t v;
        if (*i + 2 > s.size() || !ParseHex(s.substr(*i, 2), &v)) return false;
        out->push_back(static_cast<char>(v));
        *i += 2;
        break;
      }
      default: out->push_back(e); break;  // \" \\ and the rest verbatim
    }
  }
  return false;
}

}  // namespace

TextParser::TextParser(DumpSet* out) : out_(out), unwrap_(this) {
  scratch_.reserve(4096);
  frames_.reserve(64);
  key_.reserve(4096);
}

void TextParser::Warn(std::string_view what, std::string_view line) {
  if (out_->warnings.size() >= kMaxWarnings) {
    ++warnings_dropped_;
    return;
  }
  std::string shown(line.substr(0, 120));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  out_->warnings.push_back(out_->source + ":" + std::to_string(line_no_) + ": " +
                           std::string(what) + ": " + shown);
}

// "created by X" without " in goroutine N" in a whole dump means Go 1.20
// or older (1.21+ omits the suffix only for parent goid 0).
void TextParser::VersionFromCreators() {
  if (have_snapshot_ && creator_plain_seen_ && !creator_suffix_seen_) snap().go_version.AtMost(20);
  creator_plain_seen_ = creator_suffix_seen_ = false;
}

void TextParser::StartSnapshot() {
  VersionFromCreators();  // closes the previous snapshot's evidence
  out_->snapshots.emplace_back();
  Snapshot& s = out_->snapshots.back();
  s.source = out_->source;
  s.form = "traceback";
  // A goroutine takes ~250 bytes of text at the least (header, one frame,
  // blank line); reserve for the first snapshot only.
  if (!have_snapshot_ && size_hint_ > (1u << 20)) s.ReserveGoroutines(size_hint_ / 256);
  have_snapshot_ = true;
  first_id_set_ = false;
  raw_stacks_.clear();
  raw_slots_.assign(1024, 0);
  semacquire_checked_.clear();
  last_state_.clear();
  last_state_sym_ = 0;
}

void TextParser::Line(std::string_view line, bool partial) {
  ++line_no_;
  partial_line_ = partial;
  unwrap_.Line(line);
  partial_line_ = false;
}

void TextParser::DumpLine(std::string_view line, LineKind kind) {
  switch (kind) {
    case LineKind::kBlank:
      if (mode_ == Mode::kGoroutine) EndGoroutine();
      mode_ = Mode::kOutside;
      return;
    case LineKind::kHeader:
      if (mode_ == Mode::kGoroutine) EndGoroutine();
      after_separator_ = false;
      if (!Header(line)) {
        Warn("goroutine header not understood", line);
        mode_ = Mode::kSkipBlock;
      }
      return;
    case LineKind::kFunction:
      if (mode_ == Mode::kGoroutine) FunctionLine(line);
      return;
    case LineKind::kTab:
      if (mode_ == Mode::kGoroutine) {
        FileLine(line.substr(1));
      } else if (mode_ == Mode::kPreamble) {
        PreambleLine(line);
      }
      return;
    case LineKind::kCreator:
      if (mode_ == Mode::kGoroutine) CreatorLine(line);
      return;
    case LineKind::kElided:
      if (mode_ == Mode::kGoroutine) {
        func_pending_ = false;
        if (StartsWith(line, "...additional")) {
          elided_unknown_ = true;
          snap().go_version.AtMost(20);
        } else {
          uint64_t n;
          std::string_view num = line.substr(3);
          num = num.substr(0, num.find(' '));
          if (ParseDec(num, &n) && n < (1u << 31)) {
            elided_ += static_cast<uint32_t>(n);
            snap().go_version.AtLeast(21);
          }
        }
      }
      return;
    case LineKind::kAncestor:
      // GODEBUG=tracebackancestors: frames of goroutines that are gone.
      if (mode_ == Mode::kGoroutine) EndGoroutine();
      mode_ = Mode::kSkipBlock;
      return;
    case LineKind::kPreamble:
      if (mode_ == Mode::kGoroutine) EndGoroutine();
      PreambleLine(line);
      return;
    case LineKind::kOther:
      if (line == "-----") after_separator_ = true;
      if (mode_ == Mode::kGoroutine && func_pending_) func_pending_ = false;
      // "goroutine 7 [..." that is not a header we can read.
      if (mode_ != Mode::kPreamble && StartsWith(line, "goroutine ") && line.size() > 10 &&
          IsDigit(line[10]) && line.find('[') != std::string_view::npos) {
        if (mode_ == Mode::kGoroutine) EndGoroutine();
        Warn("goroutine header not understood", line);
        mode_ = Mode::kSkipBlock;
      }
      return;
  }
}

void TextParser::PreambleLine(std::string_view line) {
  bool continuation = line[0] == '\t';
  if (!continuation) {
    bool starts_dump = StartsWith(line, "panic: ") || StartsWith(line, "fatal error: ") ||
                       StartsWith(line, "SIG") || StartsWith(line, "Signal ") ||
                       StartsWith(line, "unexpected fault address");
    // A new preamble after goroutines means a second dump in the input,
    // unless it follows GOTRACEBACK=crash's "-----" between threads.
    if (starts_dump && have_snapshot_ && !snap().goroutines().empty() && !after_separator_) {
      StartSnapshot();
    }
    if (!have_snapshot_) StartSnapshot();
    Snapshot& s = snap();
    if (s.kind == DumpKind::kUnknown) {
      if (StartsWith(line, "panic: ")) s.kind = DumpKind::kPanic;
      else if (StartsWith(line, "fatal error: ")) s.kind = DumpKind::kFatalError;
      else if (StartsWith(line, "SIG") || StartsWith(line, "Signal ")) s.kind = DumpKind::kSignal;
    }
    if (line.find("[recovered, repanicked]") != std::string_view::npos) s.go_version.AtLeast(25);
  }
  if (after_separator_) return;
  Snapshot& s = snap();
  if (s.preamble.size() < kMaxPreamble) {
    if (!s.preamble.empty()) s.preamble.push_back('\n');
    s.preamble.append(line.substr(0, kMaxPreamble - s.preamble.size()));
  }
  mode_ = Mode::kPreamble;
}

bool TextParser::Header(std::string_view s) {
  // goroutine <id>[ gp=0x.. m=N mp=0x..| m=nil] [<content>]:
  size_t i = 10;
  size_t digits_end = i;
  while (digits_end < s.size() && IsDigit(s[digits_end])) ++digits_end;
  uint64_t id;
  if (!ParseDec(s.substr(i, digits_end - i), &id)) return false;
  size_t open = s.find(" [", digits_end);
  if (open == std::string_view::npos) return false;
  std::string_view between = s.substr(digits_end, open - digits_end);
  bool gp = false;
  if (!between.empty()) {
    if (!StartsWith(between, " gp=") && !StartsWith(between, " m=")) return false;
    gp = true;
  }
  std::string_view content = s.substr(open + 2, s.size() - 2 - (open + 2));

  if (!have_snapshot_) StartSnapshot();
  // The first goroutine printed again means a second dump follows.
  if (first_id_set_ && id == first_id_ && id != 0 && !snap().goroutines().empty()) {
    StartSnapshot();
  }
  if (!first_id_set_) {
    first_id_ = id;
    first_id_set_ = true;
  }
  Snapshot& snapshot = snap();
  if (gp) snapshot.go_version.AtLeast(22);

  cur_ = Goroutine();
  cur_.id = id;
  frames_.clear();
  scratch_.clear();
  labels_scratch_.clear();
  func_pending_ = creator_pending_ = has_creator_ = false;
  elided_ = 0;
  elided_unknown_ = unavailable_ = cut_ = false;

  // Go 1.26 GODEBUG=tracebacklabels=1: " labels:{"k": "v", ...}".
  std::string_view rest_after_labels;
  size_t lab = content.find(" labels:{");
  if (lab != std::string_view::npos) {
    size_t close = content.rfind('}');
    if (close != std::string_view::npos && close > lab) {
      std::string_view body = content.substr(lab + 9, close - (lab + 9));
      size_t j = 0;
      std::string key, value;
      while (j < body.size()) {
        while (j < body.size() && (body[j] == ' ' || body[j] == ',')) ++j;
        if (j >= body.size()) break;
        if (!ReadQuoted(body, &j, &key)) break;
        while (j < body.size() && (body[j] == ':' || body[j] == ' ')) ++j;
        if (!ReadQuoted(body, &j, &value)) break;
        labels_scratch_.emplace_back(snapshot.strings().Intern(key),
                                     snapshot.strings().Intern(value));
      }
      rest_after_labels = content.substr(close + 1);
      content = content.substr(0, lab);
    }
  }

  size_t comma = content.find(", ");
  std::string_view status = content.substr(0, comma);
  // Flags come after the status in this order: (leaked) (scan) (durable).
  if (!IsDurableReason(status) && Peel(&status, " (durable)")) {
    cur_.flags |= kDurable;
  } else if (IsDurableReason(status)) {
    cur_.flags |= kDurable;
    snapshot.go_version.AtLeast(25);
  }
  if (Peel(&status, " (scan)")) cur_.flags |= kScan;
  if (Peel(&status, " (leaked)")) {
    cur_.flags |= kLeaked;
    snapshot.go_version.AtLeast(26);
  }
  if (cur_.has(kDurable)) snapshot.go_version.AtLeast(25);
  if (status.empty()) return false;

  std::string_view items =
      comma == std::string_view::npos ? std::string_view() : content.substr(comma + 2);
  while (!items.empty()) {
    size_t next = items.find(", ");
    std::string_view item = items.substr(0, next);
    items = next == std::string_view::npos ? std::string_view() : items.substr(next + 2);
    uint64_t n;
    if (EndsWith(item, " minutes")) {
      if (ParseDec(item.substr(0, item.size() - 8), &n) && n < (1u << 31))
        cur_.wait_minutes = static_cast<int32_t>(n);
    } else if (item == "locked to thread") {
      cur_.flags |= kLockedToThread;
    } else if (StartsWith(item, "synctest group ")) {
      cur_.flags |= kInBubble;
      if (ParseDec(item.substr(15), &n)) cur_.bubble = static_cast<int64_t>(n);
      snapshot.go_version.AtLeast(24);
      snapshot.go_version.AtMost(24);
    } else if (StartsWith(item, "synctest bubble ")) {
      cur_.flags |= kInBubble;
      if (ParseDec(item.substr(16), &n)) cur_.bubble = static_cast<int64_t>(n);
      snapshot.go_version.AtLeast(25);
    }
  }
  (void)rest_after_labels;

  if (status != last_state_ || last_state_sym_ == 0) {
    last_state_.assign(status);
    last_state_sym_ = snapshot.strings().Intern(status);
    // Wait reasons whose first or last appearance dates the dump.
    if (status == "sync.Mutex.Lock" || status == "sync.RWMutex.RLock" ||
        status == "sync.RWMutex.Lock") {
      snapshot.go_version.AtLeast(20);
    } else if (StartsWith(status, "sync.WaitGroup.Wait")) {
      snapshot.go_version.AtLeast(24);
    } else if (EndsWith(status, "(synctest)")) {
      snapshot.go_version.AtLeast(24);
      snapshot.go_version.AtMost(24);
    } else if (status == "timer goroutine (idle)") {
      snapshot.go_version.AtMost(19);
    }
  }
  cur_.state = last_state_sym_;
  mode_ = Mode::kGoroutine;
  return true;
}

void TextParser::NoteVersionFromName(std::string_view name) {
  GoVersionRange& v = snap().go_version;
  if (v.min_minor < 22 && (name.find(".gowrap") != std::string_view::npos ||
                           name.find(".deferwrap") != std::string_view::npos)) {
    v.AtLeast(22);
  }
  if (v.min_minor < 23 && name.find("-range") != std::string_view::npos) v.AtLeast(23);
}

void TextParser::NoteVersionFromArgs(std::string_view args) {
  GoVersionRange& v = snap().go_version;
  if (v.min_minor >= 18) return;
  if (std::memchr(args.data(), '?', args.size()) != nullptr) {
    v.AtLeast(18);
  } else if (v.min_minor < 17 && std::memchr(args.data(), '{', args.size()) != nullptr) {
    v.AtLeast(17);
  }
}

void TextParser::FunctionLine(std::string_view line) {
  if (frames_.size() >= kMaxFrames) return;
  size_t open = line.rfind('(');
  std::string_view name = line.substr(0, open);
  std::string_view args = line.substr(open + 1, line.size() - open - 2);
  pending_ = PendingFrame{};
  pending_.func_off = static_cast<uint32_t>(scratch_.size());
  pending_.func_len = static_cast<uint32_t>(name.size());
  scratch_.append(name);
  pending_.inlined = args == "...";
  pending_.args_elided =
      !pending_.inlined && args.size() >= 3 && args.find("...") != std::string_view::npos;
  if (!args.empty() && !pending_.inlined) NoteVersionFromArgs(args);
  NoteVersionFromName(name);
  func_pending_ = true;
}

void TextParser::FileLine(std::string_view content) {
  if (StartsWith(content, "goroutine running on other thread")) {
    unavailable_ = true;
    func_pending_ = false;
    return;
  }
  if (!func_pending_ && !creator_pending_) return;
  // FILE:LINE[ +0xOFF][ fp=0x.. sp=0x.. pc=0x..]; FILE may hold spaces
  // and colons, so read from the right.
  std::string_view rest = content;
  uint64_t off = 0;
  bool has_off = false;
  while (true) {
    size_t sp = rest.rfind(' ');
    if (sp == std::string_view::npos) break;
    std::string_view tok = rest.substr(sp + 1);
    if (StartsWith(tok, "fp=") || StartsWith(tok, "sp=") || StartsWith(tok, "pc=")) {
      rest = rest.substr(0, sp);
      continue;
    }
    if (StartsWith(tok, "+0x") && ParseHex(tok.substr(3), &off)) {
      has_off = true;
      rest = rest.substr(0, sp);
    }
    break;
  }
  size_t colon = rest.rfind(':');
  uint64_t line_num;
  if (colon == std::string_view::npos || colon == 0 ||
      !ParseDec(rest.substr(colon + 1), &line_num) || line_num > 0xffffffffu ||
      (partial_line_ && !has_off)) {
    // A cut last line cannot be trusted unless the line number is
    // followed by more text.
    if (!partial_line_) Warn("frame location not understood", content);
    func_pending_ = creator_pending_ = false;
    return;
  }
  std::string_view file = rest.substr(0, colon);
  PendingFrame* f = func_pending_ ? &pending_ : &creator_;
  f->file_off = static_cast<uint32_t>(scratch_.size());
  f->file_len = static_cast<uint32_t>(file.size());
  scratch_.append(file);
  f->line = static_cast<uint32_t>(line_num);
  f->pc_offset = static_cast<uint32_t>(off);
  if (func_pending_) {
    frames_.push_back(pending_);
    func_pending_ = false;
  } else {
    has_creator_ = true;
    creator_pending_ = false;
  }
}

void TextParser::CreatorLine(std::string_view line) {
  func_pending_ = false;
  std::string_view name = line.substr(11);
  size_t in = name.find(" in goroutine ");
  if (in != std::string_view::npos) {
    uint64_t parent;
    if (ParseDec(name.substr(in + 14), &parent)) cur_.creator_id = parent;
    name = name.substr(0, in);
    snap().go_version.AtLeast(21);
    creator_suffix_seen_ = true;
  } else {
    creator_plain_seen_ = true;
  }
  creator_ = PendingFrame{};
  creator_.func_off = static_cast<uint32_t>(scratch_.size());
  creator_.func_len = static_cast<uint32_t>(name.size());
  scratch_.append(name);
  creator_pending_ = true;
}

void TextParser::EndGoroutine() {
  mode_ = Mode::kOutside;
  func_pending_ = creator_pending_ = false;
  Snapshot& snapshot = snap();

  // The raw key: every frame's function, file and line, creator included.
  key_.clear();
  auto add_frame = [&](const PendingFrame& f) {
    key_.append(scratch_, f.func_off, f.func_len);
    key_.push_back('\0');
    key_.append(scratch_, f.file_off, f.file_len);
    key_.push_back('\0');
    key_.append(reinterpret_cast<const char*>(&f.line), sizeof f.line);
  };
  for (const PendingFrame& f : frames_) add_frame(f);
  key_.push_back(has_creator_ ? 'C' : 'N');
  if (has_creator_) add_frame(creator_);
  bool incomplete = elided_unknown_ || cut_;
  key_.push_back(static_cast<char>((incomplete ? 1 : 0) | (unavailable_ ? 2 : 0)));
  key_.append(reinterpret_cast<const char*>(&elided_), sizeof elided_);
  uint64_t h = HashString(key_);

  uint32_t stack_index = UINT32_MAX;
  size_t mask = raw_slots_.size() - 1;
  size_t slot = h & mask;
  while (uint32_t v = raw_slots_[slot]) {
    const RawStack& r = raw_stacks_[v - 1];
    if (r.hash == h && r.key == key_) {
      stack_index = r.stack;
      break;
    }
    slot = (slot + 1) & mask;
  }
  if (stack_index == UINT32_MAX) {
    StringPool& pool = snapshot.strings();
    auto intern = [&](const PendingFrame& p) {
      Frame f;
      f.function = pool.Intern(std::string_view(scratch_).substr(p.func_off, p.func_len));
      f.file = pool.Intern(std::string_view(scratch_).substr(p.file_off, p.file_len));
      f.line = p.line;
      f.pc_offset = p.pc_offset;
      f.inlined = p.inlined;
      f.args_elided = p.args_elided;
      return f;
    };
    Stack stack;
    stack.frames.reserve(frames_.size());
    for (const PendingFrame& p : frames_) stack.frames.push_back(intern(p));
    stack.has_creator = has_creator_;
    if (has_creator_) stack.creator = intern(creator_);
    stack.elided_frames = elided_;
    stack.elided_unknown = incomplete;
    stack.unavailable = unavailable_;
    stack_index = snapshot.AddStack(std::move(stack));
    raw_stacks_.push_back(RawStack{h, stack_index, key_});
    raw_slots_[slot] = static_cast<uint32_t>(raw_stacks_.size());
    if (raw_stacks_.size() * 2 > raw_slots_.size()) {
      std::vector<uint32_t> bigger(raw_slots_.size() * 2, 0);
      size_t m = bigger.size() - 1;
      for (size_t k = 0; k < raw_stacks_.size(); ++k) {
        size_t j = raw_stacks_[k].hash & m;
        while (bigger[j]) j = (j + 1) & m;
        bigger[j] = static_cast<uint32_t>(k + 1);
      }
      raw_slots_.swap(bigger);
    }
  }
  cur_.stack = stack_index;

  // Before 1.20 (mutexes) and 1.24 (WaitGroup) these waits print as
  // "semacquire"; seeing one under the sync frame dates the dump.
  if (semacquire_checked_.size() <= stack_index) semacquire_checked_.resize(stack_index + 1);
  if (!semacquire_checked_[stack_index] && snapshot.str(cur_.state) == "semacquire") {
    semacquire_checked_[stack_index] = true;
    for (const Frame& f : snapshot.stacks()[stack_index].frames) {
      std::string_view fn = snapshot.str(f.function);
      if (StartsWith(fn, "sync.(*Mutex).") || StartsWith(fn, "sync.(*RWMutex).")) {
        snapshot.go_version.AtMost(19);
        break;
      }
      if (StartsWith(fn, "sync.(*WaitGroup).Wait")) {
        snapshot.go_version.AtMost(23);
        break;
      }
    }
  }
  if (!labels_scratch_.empty()) cur_.labels = snapshot.AddLabelSet(labels_scratch_);
  snapshot.AddGoroutine(cur_);
}

void TextParser::Finish(bool last_line_complete) {
  if (mode_ == Mode::kGoroutine) {
    if (!last_line_complete || func_pending_ || creator_pending_) {
      cut_ = true;
      snap().truncated = true;
      snap().notes.push_back("the input ends inside goroutine " + std::to_string(cur_.id) +
                             ": its stack is cut short");
    }
    EndGoroutine();
  } else if (!last_line_complete && have_snapshot_) {
    snap().truncated = true;
    snap().notes.push_back("the input does not end with a newline: its last line may be cut");
  }
  VersionFromCreators();
  if (warnings_dropped_ > 0) {
    out_->warnings.push_back(out_->source + ": " + std::to_string(warnings_dropped_) +
                             " more warnings not shown");
  }
  // Preambles with no goroutines after them ("panic: ..." quoted in a
  // log) are not dumps.
  auto& snaps = out_->snapshots;
  for (size_t i = 0; i < snaps.size();) {
    if (snaps[i].goroutines().empty()) {
      snaps.erase(snaps.begin() + static_cast<long>(i));
    } else {
      if (snaps[i].kind == DumpKind::kUnknown) snaps[i].kind = DumpKind::kStack;
      ++i;
    }
  }
  if (snaps.size() > 1) {
    for (size_t i = 0; i < snaps.size(); ++i)
      snaps[i].notes.push_back("dump " + std::to_string(i + 1) + " of " +
                               std::to_string(snaps.size()) + " in " + out_->source);
  }
  if (unwrap_.saw_prefix() || unwrap_.saw_json()) {
    for (Snapshot& s : snaps)
      s.notes.push_back(unwrap_.saw_json() ? "dump lines were read from JSON log records"
                                           : "dump lines were read from behind a log prefix");
  }
}

}  // namespace leakhound
