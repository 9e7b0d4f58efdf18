#include "dump/paste.h"

#include "base/strings.h"

namespace leakhound {

std::string_view TrimIndent(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

namespace {

bool AllHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) return false;
  return true;
}

bool SourceLike(std::string_view file) {
  return EndsWith(file, ".go") || EndsWith(file, ".s") || file == "?" ||
         (StartsWith(file, "<") && EndsWith(file, ">"));
}

}  // namespace

bool LooksLikeLocation(std::string_view s) {
  s = TrimIndent(s);
  // Peel what traceback prints after the line number, right to left.
  while (true) {
    size_t sp = RFind(s, ' ');
    if (sp == std::string_view::npos) break;
    std::string_view tok = s.substr(sp + 1);
    bool reg = tok.size() > 5 && tok[2] == '=' && tok[3] == '0' && tok[4] == 'x' &&
               (StartsWith(tok, "fp=") || StartsWith(tok, "sp=") || StartsWith(tok, "pc="));
    bool off = tok.size() > 3 && StartsWith(tok, "+0x") && AllHex(tok.substr(3));
    if (!reg && !off) break;
    s = s.substr(0, sp);
    if (off) break;  // the offset comes first: nothing of ours before it
  }
  size_t colon = RFind(s, ':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  for (char c : s.substr(colon + 1))
    if (!IsDigit(c)) return false;
  return SourceLike(s.substr(0, colon));
}

bool IsCutMarker(std::string_view s) {
  s = TrimIndent(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s == "..." || s == "\xe2\x80\xa6" /* … */ || s == "[...]" || s == "(...)" ||
         s == "<snip>" || s == "[snip]" || s == "[\xe2\x80\xa6]";
}

}  // namespace leakhound
