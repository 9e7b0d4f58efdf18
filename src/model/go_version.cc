#include "model/go_version.h"

namespace leakhound {

std::string GoVersionRange::ToString() const {
  auto v = [](int minor) { return "1." + std::to_string(minor); };
  if (!known() || empty()) return "";
  if (min_minor != 0 && max_minor != 0) {
    if (min_minor == max_minor) return v(min_minor);
    return v(min_minor) + "-" + v(max_minor);
  }
  if (min_minor != 0) return ">=" + v(min_minor);
  return "<=" + v(max_minor);
}

}  // namespace leakhound
