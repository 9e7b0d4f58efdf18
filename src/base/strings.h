// Small string predicates shared by the parsers. Hot: called per line.
#ifndef LEAKHOUND_BASE_STRINGS_H_
#define LEAKHOUND_BASE_STRINGS_H_

#include <cstdint>
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

// "/src/app/main.go" -> "main.go": how a report names a file in a sentence.
inline std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses a decimal that fills all of s. Rejects empty, signs and overflow.
inline bool ParseDec(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// A hex number (no 0x) that fills all of s.
inline bool ParseHex(std::string_view s, uint64_t* out) {
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
