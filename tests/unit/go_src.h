// A small Go file for the source readers' tests, with lines found by a
// marker comment instead of by number.
#ifndef LEAKHOUND_TESTS_UNIT_GO_SRC_H_
#define LEAKHOUND_TESTS_UNIT_GO_SRC_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "lint/go_file.h"

namespace leakhound {

struct GoSrc {
  std::string text;
  GoFile file;
  explicit GoSrc(std::string t) : text(t), file("x.go", std::move(t)) {}

  // 1-based line of the first line containing `marker`.
  uint32_t Line(const std::string& marker) const {
    size_t at = text.find(marker);
    EXPECT_NE(at, std::string::npos) << marker;
    if (at == std::string::npos) return 0;
    auto end = text.begin() + static_cast<long>(at);
    return static_cast<uint32_t>(std::count(text.begin(), end, '\n')) + 1;
  }
};

}  // namespace leakhound

#endif  // LEAKHOUND_TESTS_UNIT_GO_SRC_H_
