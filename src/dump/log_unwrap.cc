#include "dump/log_unwrap.h"
#include "base/strings.h"
#include "dump/header.h"
#include "dump/paste.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

namespace leakhound {

namespace {

bool IsWord(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}

// "goroutine " followed by a digit.
bool LooksLikeHeaderStart(std::string_view s) {
  return s.size() > 10 && StartsWith(s, "goroutine ") && IsDigit(s[10]);
}

bool IsSignalName(std::string_view s) {
  // "SIGQUIT: quit", "SIGSEGV: segmentation violation", "Signal 12"
  if (StartsWith(s, "Signal ") && s.size() > 7 && IsDigit(s[7])) return true;
  if (!StartsWith(s, "SIG")) return false;
  size_t i = 3;
  while (i < s.size() && s[i] >= 'A' && s[i] <= 'Z') ++i;
  return i > 3 && i + 1 < s.size() && s[i] == ':' && s[i + 1] == ' ';
}

}  // namespace

LineKind ClassifyLine(std::string_view s) {
  size_t open;
  return ClassifyLine(s, &open);
}

LineKind ClassifyLine(std::string_view s, size_t* open_paren) {
  if (s.empty()) return LineKind::kBlank;
  switch (s[0]) {
    case '\t':
      return LineKind::kTab;
    case ' ':
      // Pasted: the TAB before a location turned into spaces. Only lines
      // that read as a location (or the unavailable-stack note) count;
      // an indented function or header is a prefix to learn instead.
      if (LooksLikeLocation(s) || StartsWith(TrimIndent(s), "goroutine running on other thread"))
        return LineKind::kIndented;
      if (IsCutMarker(s)) return LineKind::kCut;
      {
        // A whole dump indented as a markdown code block whose first line
        // (the header, where a prefix would be learned) lost its indent:
        // function, creator and elision lines still read as such. The
        // parser trims them (text_parser.cc); *open_paren counts the indent.
        std::string_view t = TrimIndent(s);
        if (!t.empty() && t[0] != ' ' && t[0] != '\t') {
          LineKind k = ClassifyLine(t, open_paren);
          if (k == LineKind::kFunction) *open_paren += s.size() - t.size();
          if (k == LineKind::kFunction || k == LineKind::kCreator || k == LineKind::kElided) return k;
        }
      }
      return LineKind::kOther;
    case '\xe2':  // "…"
    case '<':      // "<snip>"
    case '(':      // "(...)"
      if (IsCutMarker(s)) return LineKind::kCut;
      break;
    case 'g':
      if (LooksLikeHeaderStart(s) && HeaderLineEnds(s)) return LineKind::kHeader;
      break;
    case 'c':
      if (StartsWith(s, "created by ")) return LineKind::kCreator;
      break;
    case '.':
      if (StartsWith(s, "...") && EndsWith(s, "elided...")) return LineKind::kElided;
      if (IsCutMarker(s)) return LineKind::kCut;
      break;
    case '[':
      if (StartsWith(s, "[originating from goroutine ")) return LineKind::kAncestor;
      if (StartsWith(s, "[signal ")) return LineKind::kPreamble;
      if (IsCutMarker(s)) return LineKind::kCut;
      break;
    case 'p':
      if (StartsWith(s, "panic: ")) return LineKind::kPreamble;
      break;
    case 'f':
      if (StartsWith(s, "fatal error: ")) return LineKind::kPreamble;
      break;
    case 'S':
      if (IsSignalName(s)) return LineKind::kPreamble;
      break;
    case 'P':
      if (StartsWith(s, "PC=0x")) return LineKind::kPreamble;
      break;
    case 'u':
      if (StartsWith(s, "unexpected fault address ")) return LineKind::kPreamble;
      break;
    default:
      break;
  }
  // A function line ends in ')' and has no space in the name before the
  // argument list: "main.(*T).M(0x1, {0x2, 0x3})". Argument lists never
  // contain parentheses, so the last '(' opens them.
  if (s.back() != ')') return LineKind::kOther;
  size_t open = RFind(s, '(');
  if (open == 0 || open == std::string_view::npos) return LineKind::kOther;
  if (std::memchr(s.data(), ' ', open) != nullptr) return LineKind::kOther;
  *open_paren = open;
  return LineKind::kFunction;
}

#if defined(__SSE2__)
namespace {

// Bit i set where s[i] is a word character / a space, for 64 bytes.
void ClassMasks64(const char* s, uint64_t* word, uint64_t* space) {
  const __m128i blank = _mm_set1_epi8(' ');
  const __m128i under = _mm_set1_epi8('_');
  auto in = [](__m128i v, char lo, char hi) {  // lo <= v <= hi, signed bytes
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  uint64_t w = 0, sp = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * k));
    __m128i is_word = _mm_or_si128(_mm_or_si128(in(v, 'a', 'z'), in(v, 'A', 'Z')),
                                   _mm_or_si128(in(v, '0', '9'), _mm_cmpeq_epi8(v, under)));
    w |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(is_word))) << (16 * k);
    sp |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, blank))))
          << (16 * k);
  }
  *word = w;
  *space = sp;
}

}  // namespace
#endif

// Every line of a prefixed log goes through here, so the usual case (the
// prefix ends within the first 64 bytes) is matched a token at a time on
// character-class bitmasks. Whatever that cannot settle (the line or a
// run ends at the window's edge) is left to the character loop.
long LogUnwrapper::MatchShape(std::string_view line) const {
#if defined(__SSE2__)
  char pad[64];
  const char* s = line.data();
  size_t n = line.size() < 64 ? line.size() : 64;
  if (n < 64) {
    std::memset(pad, 0, sizeof pad);
    if (n != 0) std::memcpy(pad, line.data(), n);
    s = pad;
  }
  uint64_t word, space;
  ClassMasks64(s, &word, &space);
  const uint64_t valid = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  word &= valid;
  space &= valid;
  size_t i = 0;
  for (const Token& tok : shape_) {
    if (i >= n) return MatchShapeSlow(line);
    if (tok.kind == Token::kByte) {
      if (s[i] != tok.byte) return -1;
      ++i;
      continue;
    }
    uint64_t run = (tok.kind == Token::kWord ? word : space) >> i;
    if ((run & 1) == 0) return -1;
    uint64_t rest = ~run;
    if (rest == 0) return MatchShapeSlow(line);  // runs to bit 63 (i == 0)
    i += static_cast<size_t>(__builtin_ctzll(rest));
    if (i >= n && n < line.size()) return MatchShapeSlow(line);  // may go on past 64
  }
  return static_cast<long>(i);
#else
  return MatchShapeSlow(line);
#endif
}

long LogUnwrapper::MatchShapeSlow(std::string_view line) const {
  return MatchTokens(shape_, line);
}

long LogUnwrapper::MatchTokens(const std::vector<Token>& shape, std::string_view line) {
  size_t i = 0;
  for (size_t t = 0; t < shape.size(); ++t) {
    const Token& tok = shape[t];
    if (i == line.size()) {
      // A line that is all prefix ("<ts> stderr F" with its trailing
      // space trimmed) is a blank dump line.
      bool rest_spaces = true;
      for (size_t u = t; u < shape.size(); ++u)
        rest_spaces &= shape[u].kind == Token::kSpaces;
      return rest_spaces ? static_cast<long>(i) : -1;
    }
    switch (tok.kind) {
      case Token::kWord:
        if (!IsWord(line[i])) return -1;
        while (i < line.size() && IsWord(line[i])) ++i;
        break;
      case Token::kSpaces:
        if (line[i] != ' ') return -1;
        // A single space may be followed by a dump line's own tab.
        while (i < line.size() && line[i] == ' ') ++i;
        break;
      case Token::kByte:
        if (line[i] != tok.byte) return -1;
        ++i;
        break;
    }
  }
  return static_cast<long>(i);
}

std::vector<LogUnwrapper::Token> LogUnwrapper::Tokenize(std::string_view prefix) {
  std::vector<Token> shape;
  for (size_t i = 0; i < prefix.size();) {
    char c = prefix[i];
    if (IsWord(c)) {
      while (i < prefix.size() && IsWord(prefix[i])) ++i;
      shape.push_back({Token::kWord, 0});
    } else if (c == ' ') {
      while (i < prefix.size() && prefix[i] == ' ') ++i;
      shape.push_back({Token::kSpaces, 0});
    } else {
      shape.push_back({Token::kByte, c});
      ++i;
    }
  }
  return shape;
}

void LogUnwrapper::Learn(std::string_view prefix) { shape_ = Tokenize(prefix); }

namespace {
// A preamble line that begins a dump, as opposed to one that continues it
// ("[signal ...", "PC=0x...").
bool StartsDump(std::string_view s) {
  return StartsWith(s, "panic: ") || StartsWith(s, "fatal error: ") || StartsWith(s, "SIG") ||
         StartsWith(s, "Signal ") || StartsWith(s, "unexpected fault address");
}
}  // namespace

void LogUnwrapper::ResolveCandidate(std::string_view line) {
  long n = MatchTokens(cand_shape_, line);
  std::string_view rest = n >= 0 ? line.substr(static_cast<size_t>(n)) : line;
  LineKind kind = ClassifyLine(rest);
  bool continues = kind == LineKind::kHeader || kind == LineKind::kTab ||
                   kind == LineKind::kIndented ||
                   (kind == LineKind::kPreamble && !StartsDump(rest)) ||
                   (n >= 0 && kind == LineKind::kBlank);
  if (continues) {
    // Confirmed: learn the prefix and let the dump start be read; `line`
    // is read next as usual (the prefix may be on the first line only).
    has_candidate_ = false;
    shape_.swap(cand_shape_);
    sink_->DumpLine(cand_rest_, ClassifyLine(cand_rest_));
    return;
  }
  // Text behind the same prefix may go on for a few lines (a panic value
  // with newlines before Go 1.23 printed them as they are), and an
  // unprefixed blank line may follow a prefixed first line.
  bool undecided = (n >= 0 && kind == LineKind::kOther) || (n < 0 && kind == LineKind::kBlank);
  if (!undecided || ++cand_waited_ > 8) has_candidate_ = false;
}

bool LogUnwrapper::TryFindDumpStart(std::string_view line) {
  // Where in the line does a dump start? A header or a preamble after a
  // prefix of at most 256 bytes.
  static const std::string_view kStarts[] = {"goroutine ", "panic: ", "fatal error: ",
                                             "SIGQUIT: ", "SIGABRT: ", "SIGSEGV: "};
  std::string_view head = line.substr(0, 256 + 16);
  size_t best = std::string_view::npos;
  for (std::string_view start : kStarts) {
    size_t pos = 1;
    while ((pos = head.find(start, pos)) != std::string_view::npos) {
      std::string_view rest = line.substr(pos);
      LineKind kind = ClassifyLine(rest);
      if (kind == LineKind::kHeader || kind == LineKind::kPreamble) {
        if (pos < best) best = pos;
        break;
      }
      ++pos;
    }
  }
  if (best == std::string_view::npos || best > 256) return false;
  std::string_view rest = line.substr(best);
  LineKind kind = ClassifyLine(rest);
  if (kind != LineKind::kHeader) {
    // A preamble: wait for the next line to tell (ResolveCandidate).
    has_candidate_ = true;
    cand_shape_ = Tokenize(line.substr(0, best));
    cand_rest_.assign(rest);
    cand_waited_ = 0;
    sink_->DumpLine(line, LineKind::kOther);
    return true;
  }
  Learn(line.substr(0, best));
  sink_->DumpLine(rest, kind);
  return true;
}

namespace {
void FeedText(LineSink* sink, std::string_view text) {
  // A value like "\tmain.go:12 +0x1d\n" is one line; the final newline
  // does not make an extra blank line.
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    std::string_view piece =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    sink->DumpLine(piece, ClassifyLine(piece));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

void FeedJsonValue(LineSink* sink, const nlohmann::json& v, int depth) {
  if (depth > 4) return;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    FeedText(sink, s);
  } else if (v.is_object()) {
    // Records like Docker's json-file ({"log": "...\n", "stream": ..,
    // "time": ..}) carry one dump line per record next to metadata; when
    // some values hold newlines, only those are dump text, and feeding the
    // metadata would split a function line from its file line.
    bool any_multiline = false;
    for (const auto& item : v.items())
      if (item.value().is_string() &&
          item.value().get_ref<const std::string&>().find('\n') != std::string::npos)
        any_multiline = true;
    for (const auto& item : v.items()) {
      if (any_multiline && item.value().is_string() &&
          item.value().get_ref<const std::string&>().find('\n') == std::string::npos)
        continue;
      FeedJsonValue(sink, item.value(), depth + 1);
    }
  }
}
}  // namespace

bool LogUnwrapper::TryJson(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i == line.size() || line[i] != '{' || line.back() != '}') return false;
  // Only records that could hold dump text are worth a parse.
  if (line.find("goroutine ") == std::string_view::npos &&
      line.find("\\t") == std::string_view::npos &&
      line.find("\\n") == std::string_view::npos)
    return false;
  nlohmann::json j = nlohmann::json::parse(line.begin() + i, line.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  saw_json_ = true;
  FeedJsonValue(sink_, j, 0);
  return true;
}

void LogUnwrapper::Line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (has_candidate_) ResolveCandidate(line);
  if (!shape_.empty()) {
    long n = MatchShape(line);
    if (n >= 0) {
      std::string_view rest = line.substr(static_cast<size_t>(n));
      LineKind kind = ClassifyLine(rest);
      if (kind != LineKind::kOther) {
        sink_->DumpLine(rest, kind);
        return;
      }
      // A prefix that ends in spaces ("> ", "│ ", a 4-space indent) also
      // ate a pasted location's spaces: what is left is the location.
      if (n > 0 && line[static_cast<size_t>(n) - 1] == ' ' && LooksLikeLocation(rest)) {
        sink_->DumpLine(rest, LineKind::kIndented);
        return;
      }
      if (TryJson(rest)) return;
    }
  }
  LineKind kind = ClassifyLine(line);
  if (kind != LineKind::kOther) {
    sink_->DumpLine(line, kind);
    return;
  }
  if (TryJson(line)) return;
  if (TryFindDumpStart(line)) return;
  sink_->DumpLine(line, LineKind::kOther);
}

}  // namespace leakhound
