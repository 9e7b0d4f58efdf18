// Packaging: --version names the git revision.
#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_util.h"

namespace {


std::string Bin() { return LEAKHOUND_BIN; }

bool Have(const std::string& tool) {
  return e2e::Run({"sh", "-c", "command -v " + tool}).status == 0;
}

TEST(Packaging, VersionShowsGitRevision) {
  e2e::RunResult r = e2e::Run({Bin(), "--version"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(r.out, m,
                               std::regex(R"(leakhound \d+\.\d+\.\d+ \(git ([0-9a-f]{7,}(-dirty)?|unknown)\)\n)")))
      << r.out;
  // Built from this checkout, so the revision is known.
  struct stat st;
  if (stat((std::string(LEAKHOUND_SOURCE_DIR) + "/.git").c_str(), &st) == 0 && Have("git")) {
    EXPECT_NE(m[1], "unknown") << r.out;
  }
}

}  // namespace
