#include "dump/header.h"

#include "base/strings.h"
#include "model/snapshot.h"

namespace leakhound {
namespace {

void AppendUtf8(uint32_t r, std::string* out) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  }
}

bool Peel(std::string_view* s, std::string_view suffix) {
  if (!EndsWith(*s, suffix)) return false;
  s->remove_suffix(suffix.size());
  return true;
}

// Go 1.27 prints a label key or value bare when it holds only these
// (tracebackStringNeedsQuoting in src/runtime/traceback.go).
bool BareChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '.' ||
         c == '/' || c == '_';
}

bool ReadLabelString(std::string_view s, size_t* i, bool bare_ok, std::string* out) {
  if (*i < s.size() && s[*i] == '"') return ReadGoQuoted(s, i, out);
  if (!bare_ok) return false;
  size_t start = *i;
  while (*i < s.size() && BareChar(s[*i])) ++*i;
  // An empty string is always quoted (""), so a bare one has characters.
  if (*i == start) return false;
  out->assign(s.substr(start, *i - start));
  return true;
}

// `body` is what is between the braces: `k: v, k2: v2`.
bool ParseLabels(std::string_view body, bool bare_ok, ParsedHeader* h) {
  size_t i = 0;
  std::string key, value;
  while (i < body.size()) {
    if (!ReadLabelString(body, &i, bare_ok, &key)) return false;
    if (body.substr(i, 2) != ": ") return false;
    i += 2;
    if (!ReadLabelString(body, &i, bare_ok, &value)) return false;
    h->labels.emplace_back(key, value);
    if (i == body.size()) break;
    if (body.substr(i, 2) != ", ") return false;
    i += 2;
  }
  return true;
}

}  // namespace

bool ReadGoQuoted(std::string_view s, size_t* i, std::string* out) {
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
    size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits != 0) {
      uint64_t v;  // at most 8 hex digits: fits 32 bits
      if (*i + digits > s.size() || !ParseHex(s.substr(*i, digits), &v)) return false;
      *i += digits;
      if (e == 'x') out->push_back(static_cast<char>(v));
      else AppendUtf8(static_cast<uint32_t>(v), out);
      continue;
    }
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      default: out->push_back(e); break;  // \" and \\ (and anything else verbatim)
    }
  }
  return false;
}

bool HeaderLineEnds(std::string_view line) {
  if (EndsWith(line, "]:")) return true;
  return EndsWith(line, "}:") && line.find("] {") != std::string_view::npos;
}

bool ParseGoroutineHeader(std::string_view s, ParsedHeader* h) {
  h->id = 0;
  h->gp = false;
  h->status = {};
  h->flags = 0;
  h->wait_minutes = -1;
  h->bubble = -1;
  h->label_form = LabelForm::kNone;
  h->labels.clear();
  h->version = GoVersionRange();

  if (!StartsWith(s, "goroutine ") || !EndsWith(s, ":")) return false;
  size_t digits_end = 10;
  while (digits_end < s.size() && IsDigit(s[digits_end])) ++digits_end;
  if (!ParseDec(s.substr(10, digits_end - 10), &h->id)) return false;
  size_t open = s.find(" [", digits_end);
  if (open == std::string_view::npos) return false;
  std::string_view between = s.substr(digits_end, open - digits_end);
  if (!between.empty()) {
    if (!StartsWith(between, " gp=") && !StartsWith(between, " m=")) return false;
    h->gp = true;
    h->version.AtLeast(22);
  }
  std::string_view body = s.substr(open + 2, s.size() - 1 - (open + 2));  // no final ':'

  std::string_view content;
  if (EndsWith(body, "]")) {
    content = body.substr(0, body.size() - 1);
    // Go 1.26: " labels:{...}" closes the bracket. Wait reasons and items
    // never hold "labels:{", so the first one starts the labels.
    size_t lab = content.find(" labels:{");
    if (lab != std::string_view::npos && EndsWith(content, "}")) {
      std::string_view inner = content.substr(lab + 9, content.size() - 1 - (lab + 9));
      if (!ParseLabels(inner, /*bare_ok=*/false, h)) return false;
      h->label_form = LabelForm::kInBrackets;
      h->version.AtLeast(26);
      h->version.AtMost(26);
      content = content.substr(0, lab);
    }
  } else {
    // Go 1.27: "[...] {labels}". The bracket holds no "] {" of its own.
    size_t close = body.find("] {");
    if (close == std::string_view::npos || !EndsWith(body, "}")) return false;
    content = body.substr(0, close);
    std::string_view inner = body.substr(close + 3, body.size() - 1 - (close + 3));
    if (!ParseLabels(inner, /*bare_ok=*/true, h)) return false;
    h->label_form = LabelForm::kAfterBrackets;
    h->version.AtLeast(27);
  }

  size_t comma = content.find(", ");
  std::string_view status = content.substr(0, comma);
  // Flags, peeled from the end: printed as (leaked) (scan) (durable).
  if (Peel(&status, " (durable)")) h->flags |= kDurable;
  if (Peel(&status, " (scan)")) h->flags |= kScan;
  if (Peel(&status, " (leaked)")) {
    h->flags |= kLeaked;
    h->version.AtLeast(26);
  }
  // "chan receive (durable)" and the other reasons that name themselves
  // durable (waitReasonStrings, src/runtime/runtime2.go, 1.25+).
  if (Peel(&status, " (durable)")) h->flags |= kDurable;
  if (h->flags & kDurable) h->version.AtLeast(25);
  if (status.empty()) return false;
  h->status = status;

  std::string_view items =
      comma == std::string_view::npos ? std::string_view() : content.substr(comma + 2);
  while (!items.empty()) {
    size_t next = items.find(", ");
    std::string_view item = items.substr(0, next);
    items = next == std::string_view::npos ? std::string_view() : items.substr(next + 2);
    uint64_t n;
    if (EndsWith(item, " minutes")) {
      if (ParseDec(item.substr(0, item.size() - 8), &n) && n < (1u << 31))
        h->wait_minutes = static_cast<int32_t>(n);
    } else if (item == "locked to thread") {
      h->flags |= kLockedToThread;
    } else if (StartsWith(item, "synctest group ")) {
      h->flags |= kInBubble;
      if (ParseDec(item.substr(15), &n)) h->bubble = static_cast<int64_t>(n);
      h->version.AtLeast(24);
      h->version.AtMost(24);
    } else if (StartsWith(item, "synctest bubble ")) {
      h->flags |= kInBubble;
      if (ParseDec(item.substr(16), &n)) h->bubble = static_cast<int64_t>(n);
      h->version.AtLeast(25);
    }
  }
  return true;
}

}  // namespace leakhound
