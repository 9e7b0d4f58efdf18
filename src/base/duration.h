// Durations as people write them in flags and config files: "500ms",
// "30s", "2m", "1.5h", "7d"; a bare number is seconds.
#ifndef LEAKHOUND_BASE_DURATION_H_
#define LEAKHOUND_BASE_DURATION_H_

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace leakhound {

// Milliseconds in *ms; false if malformed, negative or over a year.
inline bool ParseDuration(const std::string& text, long* ms) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return false;
  char* end = nullptr;
  std::string num = text.substr(0, i);
  double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size() || !std::isfinite(v)) return false;
  std::string unit = text.substr(i);
  double scale;
  if (unit == "ms") scale = 1;
  else if (unit == "s" || unit.empty()) scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else return false;
  double r = v * scale;
  if (r < 0 || r > 86'400'000.0 * 366) return false;
  *ms = static_cast<long>(r);
  return true;
}

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_DURATION_H_
