// Every toolchain the matrix needs is present and is the version it
// claims: a missing Go 1.19 package, a PATH without Go 1.26 or no way to
// fetch Go 1.27 fails here, by name, rather than skipping tests.
#include <gtest/gtest.h>

#include "run_util.h"

namespace {

class Toolchains : public testing::TestWithParam<std::string> {};

TEST_P(Toolchains, PresentAndBuildsTheFixtures) {
  const std::string v = GetParam();
  const e2e::Toolchain* tc = nullptr;
  try {
    tc = &e2e::GoToolchain(v);
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  EXPECT_FALSE(tc->go.empty());
  // The leaky program builds and reports the runtime version it runs on.
  std::string bin = e2e::BuildGo("leaky", v);
  e2e::RunResult r = e2e::Run({bin, "-goversion"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string want = "go";
  want.append(v).append(".");
  EXPECT_EQ(r.out.rfind(want, 0), 0u) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Go, Toolchains, testing::ValuesIn(e2e::GoVersions()),
                         e2e::GoParamNamer());

}  // namespace
