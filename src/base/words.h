// Small wording helpers for what people read: counts with the right
// plural ("1 goroutine", "2 goroutines") and a word for blanks, so a
// missing state or version never renders as nothing at all ("[]", "Go ").
#ifndef LEAKHOUND_BASE_WORDS_H_
#define LEAKHOUND_BASE_WORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace leakhound {

// "1 goroutine", "0 goroutines", "3 buckets". `plural` defaults to
// `singular` + "s"; give it for irregular words ("1 process", "2 processes").
inline std::string Plural(uint64_t n, std::string_view singular, std::string_view plural = {}) {
  std::string out = std::to_string(n);
  out += ' ';
  if (n == 1) {
    out += singular;
  } else if (!plural.empty()) {
    out += plural;
  } else {
    out += singular;
    out += 's';
  }
  return out;
}

// The word for a value the input did not give (a wait reason debug=1
// could not infer, a Go version nothing in the dump dated).
inline constexpr std::string_view kUnknownWord = "unknown";

inline std::string_view OrUnknown(std::string_view s) { return s.empty() ? kUnknownWord : s; }

// Text from an input as an error message shows it: one line (control
// bytes as '?') and at most `max` bytes, so a 1 MB key still gives a
// readable message.
inline std::string Shown(std::string_view s, size_t max = 64) {
  std::string out(s.substr(0, max));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  if (s.size() > max) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_WORDS_H_
