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

// s.rfind(c), vectorized: string_view::rfind walks back a byte at a time,
// and dump lines are scanned from the right (argument lists, "+0x..").
inline size_t RFind(std::string_view s, char c) {
#if defined(__GLIBC__)
  const void* p = s.empty() ? nullptr : memrchr(s.data(), c, s.size());
  return p == nullptr ? std::string_view::npos
                      : static_cast<size_t>(static_cast<const char*>(p) - s.data());
#else
  return s.rfind(c);
#endif
}

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_STRINGS_H_
