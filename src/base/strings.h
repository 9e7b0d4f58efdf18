// Small string predicates shared by the parsers. Hot: called per line.
#ifndef LEAKHOUND_BASE_STRINGS_H_
#define LEAKHOUND_BASE_STRINGS_H_

#include <cstring>
#include <string_view>

namespace leakhound {

inline bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::memcmp(s.data(), p.data(), p.size()) == 0;
}

inline bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() &&
         std::memcmp(s.data() + s.size() - p.size(), p.data(), p.size()) == 0;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_STRINGS_H_
