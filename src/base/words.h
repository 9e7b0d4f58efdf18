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

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_WORDS_H_
