#include "dump/text_parser.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define LEAKHOUND_CRC_KEY_HASH 1
#endif

#include "base/hash.h"
#include "base/strings.h"
#include "base/words.h"
#include "dump/header.h"
#include "dump/paste.h"
#include "model/func_name.h"

namespace leakhound {

namespace {

constexpr size_t kMaxWarnings = 100;
constexpr size_t kMaxPreamble = 4096;
constexpr size_t kMaxFrames = kMaxStackFrames;

// The next top-level item of a frame's argument list from *i ("{a, b}"
// is one item), trailing spaces cut; *i moves past its ','.
std::string_view NextArgItem(std::string_view text, size_t* i) {
  while (*i < text.size() && text[*i] == ' ') ++*i;
  size_t start = *i;
  int depth = 0;
  for (; *i < text.size() && (depth > 0 || text[*i] != ','); ++*i) {
    if (text[*i] == '{') ++depth;
    else if (text[*i] == '}') --depth;
  }
  std::string_view item = text.substr(start, *i - start);
  if (*i < text.size()) ++*i;  // the ','
  while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
  return item;
}


// "FILE:LINE +0xOFF", the usual file line, read in one backward pass.
// Returns false for any other shape (fp= sp= pc= after it, no offset,
// odd digits); FileLine's general reading decides those. When it returns
// true the result is the one the general reading gives.
bool FastLocation(std::string_view s, size_t* colon, uint64_t* line, uint64_t* off) {
  const char* p = s.data();
  size_t i = s.size();
  uint64_t hex = 0;
  int shift = 0;
  while (i > 0 && shift < 64) {
    char c = p[i - 1];
    uint64_t d;
    if (c >= '0' && c <= '9') d = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<uint64_t>(c - 'a' + 10);
    else break;
    hex |= d << shift;
    shift += 4;
    --i;
  }
  if (shift == 0 || i < 6 || p[i - 1] != 'x' || p[i - 2] != '0' || p[i - 3] != '+' ||
      p[i - 4] != ' ')
    return false;
  i -= 4;
  uint64_t dec = 0, scale = 1;
  int digits = 0;
  while (i > 0 && digits < 19 && IsDigit(p[i - 1])) {
    dec += static_cast<uint64_t>(p[i - 1] - '0') * scale;
    scale *= 10;
    ++digits;
    --i;
  }
  if (digits == 0 || i < 2 || p[i - 1] != ':' || dec > 0xffffffffu) return false;
  *colon = i - 1;
  *line = dec;
  *off = hex;
  return true;
}

#if defined(__SSE2__)
// Bit i is set where p[i] is '\n', for 64 bytes.
inline uint64_t NewlineMask64(const char* p) {
  const __m128i nl = _mm_set1_epi8('\n');
  auto part = [&](int k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))));
  };
  return part(0) | part(1) << 16 | part(2) << 32 | part(3) << 48;
}
#endif

}  // namespace

namespace {

#if defined(LEAKHOUND_CRC_KEY_HASH)
// The raw key is about a kilobyte per goroutine and is hashed for every
// one. CRC32C hashes 8 bytes per instruction; three lanes keep the unit
// busy. A weak hash is fine here: a collision costs a compare, and the
// table's hashes never leave the parser.
__attribute__((target("sse4.2"))) uint64_t CrcKeyHash(const char* p, size_t n) {
  const uint64_t total = n;
  uint64_t a = 0x243f6a88, b = 0x85a308d3, c = 0x13198a2e;
  while (n >= 24) {
    uint64_t x, y, z;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, 8);
    std::memcpy(&z, p + 16, 8);
    a = _mm_crc32_u64(a, x);
    b = _mm_crc32_u64(b, y);
    c = _mm_crc32_u64(c, z);
    p += 24;
    n -= 24;
  }
  while (n >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    a = _mm_crc32_u64(a, x);
    p += 8;
    n -= 8;
  }
  if (n != 0) {
    uint64_t x = 0;
    std::memcpy(&x, p, n);
    b = _mm_crc32_u64(b, x);
  }
  return HashMix(a | (b << 32), c ^ (total * 0x9e3779b97f4a7c15ull));
}
#endif

uint64_t KeyHash(std::string_view key) {
#if defined(LEAKHOUND_CRC_KEY_HASH)
  static const bool crc = __builtin_cpu_supports("sse4.2");
  if (crc) return CrcKeyHash(key.data(), key.size());
#endif
  return HashString(key);
}

}  // namespace

void KeyBuffer::Grow(size_t k) {
  size_t cap = cap_ * 2 > n_ + k ? cap_ * 2 : n_ + k;
  if (cap < 4096) cap = 4096;
  std::unique_ptr<char[]> bigger(new char[cap]);
  if (n_ != 0) std::memcpy(bigger.get(), p_.get(), n_);
  p_.swap(bigger);
  cap_ = cap;
}

TextParser::TextParser(DumpSet* out) : out_(out), unwrap_(this) {
  frames_.reserve(64);
  key_.Extend(4096);
  key_.clear();
  creator_key_.reserve(256);
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

void TextParser::NoteCuts() {
  if (have_snapshot_ && cut_goroutines_ > 0)
    snap().notes.push_back(
        "stacks of " + Plural(cut_goroutines_, "goroutine") + " were cut in the text (\"...\" or the end of the input where a location or frames "
        "were): their functions are kept, with unknown locations");
  cut_goroutines_ = 0;
}

void TextParser::StartSnapshot() {
  VersionFromCreators();  // closes the previous snapshot's evidence
  NoteCuts();
  out_->snapshots.emplace_back();
  Snapshot& s = out_->snapshots.back();
  s.source = out_->source;
  s.form = "traceback";
  s.set_fold_after(fold_after_);
  // A goroutine takes ~250 bytes of text at the least (header, one frame,
  // blank line); reserve for the first snapshot only.
  if (!have_snapshot_ && size_hint_ > (1u << 20)) s.ReserveGoroutines(size_hint_ / 256);
  have_snapshot_ = true;
  first_id_set_ = false;
  max_id_ = 0;
  relay_ = false;
  id_slots_.assign(1024, 0);
  id_count_ = 0;
  runs_.clear();
  raw_stacks_.clear();
  raw_slots_.assign(1024, 0);
  semacquire_checked_.clear();
  for (StateSlot& slot : state_cache_) slot = StateSlot();
}

void TextParser::Line(std::string_view line, bool partial) {
  ++line_no_;
  partial_line_ = partial;
  OneLine(line);
  partial_line_ = false;
}

// Until a log prefix has been learned, a line the dump grammar knows goes
// straight to DumpLine, as LogUnwrapper::Line would send it, minus its
// virtual hop; everything else takes the unwrapper's full path.
inline void TextParser::OneLine(std::string_view line) {
  if (unwrap_.passthrough()) {
    std::string_view l = line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    size_t open;
    LineKind kind = ClassifyLine(l, &open);
    if (kind == LineKind::kFunction) {
      if (mode_ == Mode::kGoroutine) FunctionLine(l, open);
      return;
    }
    if (kind != LineKind::kOther) {
      TextParser::DumpLine(l, kind);
      return;
    }
  }
  unwrap_.Line(line);
}

size_t TextParser::Lines(const char* buf, size_t n) {
  size_t start = 0;
#if defined(__SSE2__)
  // Newlines 64 bytes at a time: dump lines average ~60 bytes, too short
  // for a memchr call per line to pay off.
  for (size_t i = 0; i + 64 <= n; i += 64) {
    uint64_t mask = NewlineMask64(buf + i);
    while (mask != 0) {
      size_t end = i + static_cast<size_t>(__builtin_ctzll(mask));
      mask &= mask - 1;
      ++line_no_;
      OneLine(std::string_view(buf + start, end - start));
      start = end + 1;
    }
  }
#endif
  while (start < n) {
    const void* nl = std::memchr(buf + start, '\n', n - start);
    if (nl == nullptr) break;
    size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf);
    ++line_no_;
    OneLine(std::string_view(buf + start, end - start));
    start = end + 1;
  }
  return start;
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
    case LineKind::kIndented:  // pasted: spaces where the TAB was (paste.h)
      if (mode_ == Mode::kGoroutine) {
        FileLine(TrimIndent(line));
      } else if (mode_ == Mode::kPreamble) {
        PreambleLine(line);
      }
      return;
    case LineKind::kCut:
      if (mode_ == Mode::kGoroutine) CutLine();
      return;
    case LineKind::kCreator:
      if (mode_ == Mode::kGoroutine) CreatorLine(line);
      return;
    case LineKind::kElided:
      if (mode_ == Mode::kGoroutine) {
        DropPendingFrame();
        if (line[0] == ' ') line = TrimIndent(line);  // pasted
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
      if (line == "-----") {
        after_separator_ = true;
        if (have_snapshot_ && snap().kind == DumpKind::kSignal && !snap().goroutines().empty())
          relay_ = true;
      }
      // "    running tests:" under a pasted "panic: test timed out".
      if (mode_ == Mode::kPreamble && line[0] == ' ') {
        PreambleLine(line);
        return;
      }
      if (mode_ == Mode::kGoroutine && func_pending_) DropPendingFrame();
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
  bool continuation = line[0] == '\t' || line[0] == ' ';
  if (!continuation) {
    bool starts_dump = StartsWith(line, "panic: ") || StartsWith(line, "fatal error: ") ||
                       StartsWith(line, "SIG") || StartsWith(line, "Signal ") ||
                       StartsWith(line, "unexpected fault address");
    // A new preamble after goroutines means a second dump in the input,
    // unless it follows GOTRACEBACK=crash's "-----" between threads.
    if (starts_dump && have_snapshot_ && !after_separator_) {
      if (!snap().goroutines().empty()) {
        StartSnapshot();
      } else if (mode_ != Mode::kPreamble) {
        // The preamble before had no goroutines after it (a panic quoted
        // in a log, GOTRACEBACK=none): it was not this dump's.
        snap().preamble.clear();
        snap().kind = DumpKind::kUnknown;
      }
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
  // The line's own grammar lives in dump/header.cc; here it meets the
  // parser's state (which snapshot, which goroutine).
  ParsedHeader& h = header_;
  if (!ParseGoroutineHeader(s, &h)) return false;
  uint64_t id = h.id;

  if (!have_snapshot_) StartSnapshot();
  // A goroutine printed again means a second dump follows -- unless other
  // Ms are printing what they run after GOTRACEBACK=crash's "-----".
  repeat_of_ = -1;
  // Dumps list goroutines mostly in ascending id order: an id above every
  // one seen is new without a lookup.
  if (id_count_ != 0 && id <= max_id_) {
    int64_t seen = FindId(id);
    if (seen >= 0 && relay_) {
      repeat_of_ = seen;
    } else if (seen >= 0 && id != 0) {
      StartSnapshot();
    }
  }
  if (!first_id_set_) {
    first_id_ = id;
    first_id_set_ = true;
  }
  Snapshot& snapshot = snap();
  if (h.version.min_minor) snapshot.go_version.AtLeast(h.version.min_minor);
  if (h.version.max_minor) snapshot.go_version.AtMost(h.version.max_minor);
  cur_gp_ = h.gp;

  cur_ = Goroutine();
  cur_.id = id;
  cur_.flags = h.flags;
  cur_.wait_minutes = h.wait_minutes;
  cur_.bubble = h.bubble;
  frames_.clear();
  key_.clear();
  creator_key_.clear();
  args_text_.clear();
  labels_scratch_.clear();
  for (const auto& [key, value] : h.labels)
    labels_scratch_.emplace_back(snapshot.strings().Intern(key), snapshot.strings().Intern(value));
  func_pending_ = creator_pending_ = has_creator_ = false;
  elided_ = 0;
  elided_unknown_ = unavailable_ = cut_ = frames_capped_ = http_deadline_ = false;

  cur_.state = StateSym(h.status);
  // Goroutines waiting for a lock are the ones a wait-for cycle is made
  // of: their arguments have the larger share of the budget.
  std::string_view st = h.status;
  args_priority_ = StartsWith(st, "sync.Mutex.Lock") || StartsWith(st, "sync.RWMutex.") ||
                   StartsWith(st, "semacquire");
  keep_args_ = snapshot.ArgsBudgetLeft(args_priority_);
  if (!keep_args_) snapshot.MarkArgsCapped();
  mode_ = Mode::kGoroutine;
  return true;
}

Sym TextParser::StateSym(std::string_view status) {
  size_t n = status.size();  // never 0
  uint32_t h = static_cast<uint32_t>(n) * 0x9e3779b1u ^
               static_cast<uint8_t>(status[0]) * 0x85ebca6bu ^
               static_cast<uint8_t>(status[n - 1]) * 0xc2b2ae35u ^
               static_cast<uint8_t>(status[n / 2]) * 0x27d4eb2fu;
  StateSlot& slot = state_cache_[h >> 26];
  if (slot.sym != 0 && slot.len == n && std::memcmp(slot.text, status.data(), n) == 0)
    return slot.sym;
  Snapshot& snapshot = snap();
  Sym sym = snapshot.strings().Intern(status);
  slot.sym = sym;
  slot.len = static_cast<uint32_t>(n);
  slot.text = snapshot.str(sym).data();
  // Wait reasons whose first or last appearance dates the dump (once per
  // reason and snapshot is enough: these only narrow the range).
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
  return sym;
}

void TextParser::NoteVersionFromName(std::string_view name) {
  GoVersionRange& v = snap().go_version;
  if (v.min_minor < 22 && (name.find(".gowrap") != std::string_view::npos ||
                           name.find(".deferwrap") != std::string_view::npos)) {
    v.AtLeast(22);
  }
  if (v.min_minor < 23 && name.find("-range") != std::string_view::npos) v.AtLeast(23);
}

namespace {
// net/http.send(req *Request, rt RoundTripper, deadline time.Time): the
// deadline's third word is its *Location, nil only for the zero Time
// Client.do passes when Client.Timeout is 0. Go 1.17+ prints the Time as
// "{wall, ext, loc}" (values marked "?" come from spill slots, but
// send's are written before it blocks: go1.19.8, go1.26.8 and go1.27.3
// print loc 0x0 for http.Get and &Local with a Timeout); older Go prints
// the words flat: req, rt's two words, then wall, ext, loc.
bool HttpSendHasDeadline(std::string_view args) {
  std::string_view items[6];
  size_t n = 0, i = 0;
  while (i < args.size() && n < 6) {
    items[n] = NextArgItem(args, &i);
    ++n;
  }
  std::string_view loc;
  if (n >= 3 && StartsWith(items[2], "{")) {
    std::string_view t = items[2];  // "{wall, ext, loc}"
    if (t.size() < 2 || t.back() != '}') return false;
    size_t comma = t.rfind(',');
    if (comma == std::string_view::npos) return false;
    loc = t.substr(comma + 1, t.size() - comma - 2);
  } else if (n == 6) {
    loc = items[5];
  } else {
    return false;
  }
  while (!loc.empty() && loc.front() == ' ') loc.remove_prefix(1);
  if (!loc.empty() && loc.back() == '?') loc.remove_suffix(1);
  if (loc.size() < 3 || loc[0] != '0' || loc[1] != 'x') return false;  // "...", garbage
  for (char c : loc.substr(2))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return loc.find_first_not_of('0', 2) != std::string_view::npos;
}
}  // namespace

void TextParser::NoteVersionFromArgs(std::string_view args) {
  GoVersionRange& v = snap().go_version;
  if (v.min_minor >= 18) return;
  if (std::memchr(args.data(), '?', args.size()) != nullptr) {
    v.AtLeast(18);
  } else if (v.min_minor < 17 && std::memchr(args.data(), '{', args.size()) != nullptr) {
    v.AtLeast(17);
  }
}

void TextParser::FunctionLine(std::string_view line) { FunctionLine(line, RFind(line, '(')); }

void TextParser::FunctionLine(std::string_view line, size_t open) {
  if (frames_.size() >= kMaxFrames) {
    if (!frames_capped_) Warn("goroutine with more than 100000 frames; the rest are left out", line);
    frames_capped_ = true;
    return;
  }
  size_t indent = 0;  // pasted: spaces before the name (ClassifyLine)
  if (line[0] == ' ') indent = line.size() - TrimIndent(line).size();
  std::string_view name = line.substr(indent, open - indent);
  std::string_view args = line.substr(open + 1, line.size() - open - 2);
  DropPendingFrame();  // the previous function line got no file line
  pending_ = PendingFrame{};
  // Key record of a frame: 'F', then length-prefixed function and file,
  // then the line (FileLine adds those two).
  pending_start_ = static_cast<uint32_t>(key_.size());
  uint32_t len = static_cast<uint32_t>(name.size());
  char* w = key_.Extend(5 + name.size());
  w[0] = 'F';
  std::memcpy(w + 1, &len, 4);
  if (len != 0) std::memcpy(w + 5, name.data(), len);
  pending_.func_off = pending_start_ + 5;
  pending_.func_len = len;
  pending_.inlined = args == "...";
  pending_.args_elided =
      !pending_.inlined && args.size() >= 3 && args.find("...") != std::string_view::npos;
  if (!args.empty() && !pending_.inlined) {
    NoteVersionFromArgs(args);
    if (keep_args_) {
      pending_.args_off = static_cast<uint32_t>(args_text_.size());
      pending_.args_len = static_cast<uint32_t>(args.size());
      args_text_.append(args);
    }
  }
  if (name.size() == 13 && name == "net/http.send" && HttpSendHasDeadline(args))
    http_deadline_ = true;
  func_pending_ = true;
}

void TextParser::FileLine(std::string_view content) {
  if (!content.empty() && content[0] == 'g' &&
      StartsWith(content, "goroutine running on other thread")) {
    unavailable_ = true;
    DropPendingFrame();
    return;
  }
  if (!func_pending_ && !creator_pending_) {
    // A tab-only line (a cut paste, a fuzzed dump) has no content at all.
    if (!content.empty() && content[0] == '.' && IsCutMarker(content)) cut_ = true;  // frames left out
    return;
  }
  // FILE:LINE[ +0xOFF][ fp=0x.. sp=0x.. pc=0x..]; FILE may hold spaces
  // and colons, so read from the right.
  std::string_view rest = content;
  uint64_t off = 0;
  bool has_off = false;
  size_t colon;
  uint64_t line_num;
  if (FastLocation(content, &colon, &line_num, &off)) {
    has_off = true;
  } else {
    while (true) {
      size_t sp = RFind(rest, ' ');
      if (sp == std::string_view::npos) break;
      std::string_view tok = rest.substr(sp + 1);
      if (tok.size() >= 3 && tok[2] == '=' &&
          (StartsWith(tok, "fp=") || StartsWith(tok, "sp=") || StartsWith(tok, "pc="))) {
        // From 1.22 the header of a goroutine whose frames carry fp= has
        // " gp=" (the same condition prints both, goroutineheader).
        if (tok[0] == 'f' && !cur_gp_) snap().go_version.AtMost(21);
        rest = rest.substr(0, sp);
        continue;
      }
      if (StartsWith(tok, "+0x") && ParseHex(tok.substr(3), &off)) {
        has_off = true;
        rest = rest.substr(0, sp);
      }
      break;
    }
    colon = RFind(rest, ':');
    if (colon == std::string_view::npos || colon == 0 ||
        !ParseDec(rest.substr(colon + 1), &line_num) || line_num > 0xffffffffu ||
        (partial_line_ && !has_off)) {
      // A cut last line cannot be trusted unless the line number is
      // followed by more text; "\t..." is where a person cut it. Either
      // way the function stays, its location unknown.
      if (partial_line_ || IsCutMarker(content)) {
        CutLine();
        return;
      }
      Warn("frame location not understood", content);
      DropPendingFrame();
      creator_pending_ = false;
      return;
    }
  }
  AddLocation(rest.substr(0, colon), line_num, off);
}

// A location cut off ("..." where FILE:LINE was, or the end of the text):
// the pending function or creator keeps an unknown one ("?", line 0).
// "..." between whole frames means frames were left out. The stack is
// flagged cut either way, so it is never taken for the runtime's own
// "...additional frames elided...".
void TextParser::CutLine() {
  if (func_pending_ || creator_pending_) AddLocation("?", 0, 0);
  cut_ = true;
}

void TextParser::AddLocation(std::string_view file, uint64_t line_num, uint64_t off) {
  uint32_t len = static_cast<uint32_t>(file.size());
  uint32_t line32 = static_cast<uint32_t>(line_num);
  if (func_pending_) {
    // The rest of the frame's key record. The frame is filled in place:
    // copying pending_ right after writing its fields would stall.
    uint32_t at = static_cast<uint32_t>(key_.size());
    char* w = key_.Extend(8 + file.size());
    std::memcpy(w, &len, 4);
    if (len != 0) std::memcpy(w + 4, file.data(), len);
    std::memcpy(w + 4 + len, &line32, 4);
    PendingFrame& f = frames_.emplace_back(pending_);
    f.file_off = at + 4;
    f.file_len = len;
    f.line = line32;
    f.pc_offset = static_cast<uint32_t>(off);
    func_pending_ = false;
  } else {
    creator_.file_off = static_cast<uint32_t>(creator_key_.size());
    creator_.file_len = len;
    creator_key_.append(file);
    creator_.line = line32;
    creator_.pc_offset = static_cast<uint32_t>(off);
    has_creator_ = true;
    creator_pending_ = false;
  }
}

void TextParser::CreatorLine(std::string_view line) {
  DropPendingFrame();
  if (line[0] == ' ') line = TrimIndent(line);  // pasted
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
  creator_key_.clear();
  creator_.func_off = 0;
  creator_.func_len = static_cast<uint32_t>(name.size());
  creator_key_.append(name);
  creator_pending_ = true;
}

void TextParser::EndGoroutine() {
  mode_ = Mode::kOutside;
  DropPendingFrame();
  creator_pending_ = false;
  if (!unavailable_ && cur_.flags == 0 && !frames_.empty() && StartsNextStackDump()) {
    // Move the goroutine read so far (its frames are still raw text) to
    // the new snapshot; only its state was interned in the old one.
    std::string state(snap().str(cur_.state));
    StartSnapshot();
    cur_.state = StateSym(state);
    labels_scratch_.clear();
  }
  Snapshot& snapshot = snap();

  // The raw key: every frame's function, file and line (already in key_),
  // then the creator's and the flags.
  key_.Push(has_creator_ ? 'C' : 'N');
  if (has_creator_) {
    std::string_view c(creator_key_);
    key_.AppendU32(creator_.func_len);
    key_.Append(c.substr(creator_.func_off, creator_.func_len));
    key_.AppendU32(creator_.file_len);
    key_.Append(c.substr(creator_.file_off, creator_.file_len));
    key_.AppendU32(creator_.line);
  }
  key_.Push(static_cast<char>((elided_unknown_ ? 1 : 0) | (unavailable_ ? 2 : 0) | (cut_ ? 4 : 0)));
  key_.AppendU32(elided_);
  const std::string_view key = key_.view();
  uint64_t h = KeyHash(key);

  uint32_t stack_index = UINT32_MAX;
  size_t mask = raw_slots_.size() - 1;
  size_t slot = h & mask;
  while (uint32_t v = raw_slots_[slot]) {
    const RawStack& r = raw_stacks_[v - 1];
    if (r.hash == h && r.key == key) {
      stack_index = r.stack;
      break;
    }
    slot = (slot + 1) & mask;
  }
  if (stack_index == UINT32_MAX) {
    StringPool& pool = snapshot.strings();
    auto intern = [&](const PendingFrame& p, std::string_view text) {
      Frame f;
      f.function = pool.Intern(std::string_view(text).substr(p.func_off, p.func_len));
      f.file = pool.Intern(std::string_view(text).substr(p.file_off, p.file_len));
      f.line = p.line;
      f.pc_offset = p.pc_offset;
      f.inlined = p.inlined;
      f.args_elided = p.args_elided;
      return f;
    };
    Stack stack;
    stack.frames.reserve(frames_.size());
    for (const PendingFrame& p : frames_) {
      NoteVersionFromName(key.substr(p.func_off, p.func_len));
      stack.frames.push_back(intern(p, key));
    }
    stack.has_creator = has_creator_;
    if (has_creator_) stack.creator = intern(creator_, creator_key_);
    stack.elided_frames = elided_;
    stack.elided_unknown = elided_unknown_;
    stack.cut = cut_;
    stack.unavailable = unavailable_;
    stack_index = snapshot.AddStack(std::move(stack));
    raw_stacks_.push_back(RawStack{h, stack_index, std::string(key)});
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
  if (cut_) ++cut_goroutines_;

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
  if (repeat_of_ >= 0) {
    // The same goroutine printed again by the M running it: keep one,
    // with the stack the first print could not show.
    size_t at = static_cast<size_t>(repeat_of_);
    if (snapshot.stack_of(snapshot.goroutines()[at]).unavailable && !unavailable_)
      snapshot.SetGoroutineStack(at, stack_index);
    return;
  }
  if (!labels_scratch_.empty()) cur_.labels = snapshot.AddLabelSet(labels_scratch_);
  if (http_deadline_) cur_.flags |= kHttpDeadline;
  bool keeps_args = !args_text_.empty() && keep_args_ && KeepsArgs(stack_index);
  if (!keeps_args && snapshot.goroutines().size() >= snapshot.fold_after()) {
    // A new run must begin above the last one, so runs_ stays sorted and
    // FindId bisects it (dumps list goroutines mostly by id).
    const std::vector<Goroutine>& gs = snapshot.goroutines();
    uint32_t last = static_cast<uint32_t>(gs.size() - 1);
    bool begins = gs[last].count == 1;
    bool in_order = !begins || runs_.empty() || gs[runs_.back()].id < gs[last].id;
    if (in_order && snapshot.TryExtendLast(cur_)) {
      if (begins) runs_.push_back(last);
      if (cur_.id > max_id_) max_id_ = cur_.id;
      return;
    }
  }
  snapshot.AddGoroutine(cur_);
  AddId(static_cast<uint32_t>(snapshot.goroutines().size() - 1));
  if (keeps_args) KeepArgs(static_cast<uint32_t>(snapshot.goroutines().size() - 1), stack_index);
}


namespace {
// Frames whose arguments can name an object other goroutines share: the
// user's own functions (receivers, parameters) and sync's lock and wait
// methods (the Mutex, RWMutex, WaitGroup or Cond itself).
bool NamesSharedObjects(std::string_view fn) {
  for (std::string_view p : {"sync.(*Mutex).", "sync.(*RWMutex).", "internal/sync.(*Mutex).",
                             "sync.(*WaitGroup).", "sync.(*Cond)."})
    if (StartsWith(fn, p)) return true;
  return !ParseFuncName(fn).stdlib;
}

// "0xc000010000, {0x5, 0x1}, 0x0?, ..." -> one word per top-level item:
// the value, or kArgUnknown for an aggregate, a "?" value or past "...".
void ArgWords(std::string_view text, std::vector<uint64_t>* out) {
  out->clear();
  size_t i = 0;
  while (i < text.size() && out->size() < 32) {
    std::string_view item = NextArgItem(text, &i);
    if (item == "...") break;
    uint64_t v = 0;
    bool ok = item.size() > 2 && item.size() <= 18 && item[0] == '0' && item[1] == 'x';
    for (size_t k = 2; ok && k < item.size(); ++k) {
      char c = item[k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      ok = d >= 0;
      v = v * 16 + static_cast<uint64_t>(d);
    }
    out->push_back(ok ? v : kArgUnknown);
  }
}
}  // namespace

const std::vector<uint16_t>& TextParser::ArgFrames(uint32_t stack_index) {
  const Snapshot& snapshot = snap();
  if (args_keep_known_.size() <= stack_index) {
    args_keep_known_.resize(stack_index + 1);
    args_keep_.resize(stack_index + 1);
  }
  if (!args_keep_known_[stack_index]) {
    args_keep_known_[stack_index] = true;
    const Stack& st = snapshot.stacks()[stack_index];
    for (size_t i = 0; i < st.frames.size() && i < 64; ++i)
      if (!st.frames[i].inlined && NamesSharedObjects(snapshot.str(st.frames[i].function)))
        args_keep_[stack_index].push_back(static_cast<uint16_t>(i));
  }
  return args_keep_[stack_index];
}

bool TextParser::KeepsArgs(uint32_t stack_index) {
  for (uint16_t fi : ArgFrames(stack_index))
    if (fi < frames_.size() && frames_[fi].args_len != 0) return true;
  return false;
}

void TextParser::KeepArgs(uint32_t goroutine, uint32_t stack_index) {
  Snapshot& snapshot = snap();
  for (uint16_t fi : ArgFrames(stack_index)) {
    if (fi >= frames_.size()) break;
    const PendingFrame& p = frames_[fi];
    if (p.args_len == 0 || p.args_off + p.args_len > args_text_.size()) continue;
    ArgWords(std::string_view(args_text_).substr(p.args_off, p.args_len), &words_scratch_);
    if (!snapshot.AddFrameArgs(goroutine, fi, words_scratch_, args_priority_)) return;
  }
}

namespace {
// Where a goroutine enters a syscall (or a cgo call) from: the runtime,
// package syscall, internal/.../syscall..., golang.org/x/sys. Not
// runtime/debug, whose Stack is what user code calls.
bool EntersSyscall(std::string_view func) {
  std::string_view pkg = PackageOf(func);
  return pkg == "runtime" || pkg == "syscall" || pkg.starts_with("golang.org/x/sys/") ||
         (pkg.starts_with("internal/") && pkg.find("syscall") != std::string_view::npos);
}
}  // namespace

// runtime.Stack(buf, true) -- pprof's debug=2 -- stops the world and
// prints its caller first, as the only goroutine running with a stack.
// Another one like it, in a dump with no preamble that began that way, is
// the caller of a second runtime.Stack whose output was appended -- unless
// it stands in a syscall: since Go 1.26 a goroutine caught while leaving a
// syscall is printed "[running]" with its stack, from the frame that
// entered it (runtime/traceback.go, tracebackothers, go1.26.8 and
// go1.27.3: `gp.syscallsp == 0` decides "stack unavailable").
bool TextParser::StartsNextStackDump() {
  const Snapshot& s = snap();
  if (s.kind != DumpKind::kUnknown || s.goroutines().empty() || s.str(cur_.state) != "running")
    return false;
  const PendingFrame& top = frames_.front();
  if (EntersSyscall(key_.view().substr(top.func_off, top.func_len))) return false;
  const Goroutine& first = s.goroutines().front();
  return s.str(first.state) == "running" && (first.flags & ~kHttpDeadline) == 0 &&
         !s.stack_of(first).unavailable &&
         !s.stack_of(first).frames.empty();
}

namespace {
// Goroutine ids are mostly dense and in order: neighbouring ids get
// neighbouring slots; the high bits spread ids that share low bits.
inline size_t IdSlot(uint64_t id, size_t mask) {
  return static_cast<size_t>(id ^ (id >> 20) ^ (id >> 40)) & mask;
}
}  // namespace

int64_t TextParser::FindId(uint64_t id) {
  const std::vector<Goroutine>& gs = snap().goroutines();
  size_t mask = id_slots_.size() - 1;
  for (size_t i = IdSlot(id, mask);; i = (i + 1) & mask) {
    uint32_t v = id_slots_[i];
    if (v == 0) break;
    if (gs[v - 1].id == id) return static_cast<int64_t>(v - 1);
  }
  // Inside a folded run: id .. id+count-1 of an entry.
  if (runs_.empty()) return -1;
  auto it = std::upper_bound(runs_.begin(), runs_.end(), id,
                             [&](uint64_t v, uint32_t r) { return v < gs[r].id; });
  if (it == runs_.begin()) return -1;
  uint32_t r = *(it - 1);
  return id - gs[r].id < gs[r].count ? static_cast<int64_t>(r) : -1;
}

void TextParser::AddId(uint32_t index) {
  const std::vector<Goroutine>& gs = snap().goroutines();
  if ((id_count_ + 1) * 2 > id_slots_.size()) {
    std::vector<uint32_t> bigger(id_slots_.size() * 2, 0);
    size_t m = bigger.size() - 1;
    for (uint32_t v : id_slots_) {
      if (v == 0) continue;
      size_t j = IdSlot(gs[v - 1].id, m);
      while (bigger[j] != 0) j = (j + 1) & m;
      bigger[j] = v;
    }
    id_slots_.swap(bigger);
  }
  size_t mask = id_slots_.size() - 1;
  size_t i = IdSlot(gs[index].id, mask);
  while (id_slots_[i] != 0) i = (i + 1) & mask;
  id_slots_[i] = index + 1;
  ++id_count_;
  if (gs[index].id > max_id_) max_id_ = gs[index].id;
}

void TextParser::Finish(bool last_line_complete) {
  if (mode_ == Mode::kGoroutine) {
    if (!last_line_complete || func_pending_ || creator_pending_) {
      CutLine();
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
  NoteCuts();
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
