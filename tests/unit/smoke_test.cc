#include <gtest/gtest.h>

#include "dump/dump.h"

namespace leakhound {
namespace {

TEST(Smoke, ReadsOneGoroutine) {
  DumpSet set;
  ReadError err = ReadDumpBytes(
      "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n", "mem", &set);
  ASSERT_FALSE(err) << err.message;
  ASSERT_EQ(set.snapshots.size(), 1u);
  EXPECT_EQ(set.snapshots[0].goroutines().size(), 1u);
}

}  // namespace
}  // namespace leakhound
