// Reading a dump held in a test's string, failing the test (not throwing)
// when the reader reports an error. Shared by the parser-level unit tests.
#ifndef LEAKHOUND_TESTS_UNIT_READ_UTIL_H_
#define LEAKHOUND_TESTS_UNIT_READ_UTIL_H_

#include <gtest/gtest.h>

#include <string>

#include "dump/dump.h"

namespace leakhound {

inline DumpSet Read(const std::string& text) {
  DumpSet set;
  ReadError e = ReadDumpBytes(text, "t.txt", &set);
  EXPECT_FALSE(e) << e.message;
  return set;
}

}  // namespace leakhound

#endif  // LEAKHOUND_TESTS_UNIT_READ_UTIL_H_
