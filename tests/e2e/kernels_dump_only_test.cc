// End to end on real Go output, without the source: three of our own
// kernels (testdata/kernels) whose root a dump alone can point at, built
// and run by each toolchain. The bug's blocking line (its // BUG marker)
// must be the first finding, ranked there by what the dump shows:
//   cache-relock            Delete waits for the mutex its caller Put
//                           holds; another Put only waits to lock it.
//   rwmutex-recursive-rlock Enabled waits to read-lock under Report's read
//                           lock on the same receiver while Set queues.
//   pipeline-early-return   two stages one goroutine started, both stuck
//                           sending: the later stage blocks the earlier.
// None of them is proven this way (only --source proves).
#include <gtest/gtest.h>

#include <fstream>

#include "run_util.h"

namespace {

using nlohmann::json;

const std::string kKernels = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/kernels";

int BugLine(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  for (int n = 1; std::getline(f, line); ++n)
    if (line.find("// BUG") != std::string::npos) return n;
  return 0;
}

class KernelsDumpOnly : public testing::TestWithParam<std::string> {};

TEST_P(KernelsDumpOnly, TheRootIsListedFirst) {
  const e2e::Toolchain& tc = e2e::GoToolchain(GetParam());
  for (const char* name : {"cache-relock", "rwmutex-recursive-rlock", "pipeline-early-return"}) {
    SCOPED_TRACE(name);
    std::string bin = e2e::WorkDir() + "/bin/go" + GetParam() + "/kernel-" + name;
    e2e::RunOptions o;
    o.env = e2e::GoEnv(tc);
    o.cwd = kKernels;
    o.timeout_ms = 600'000;
    e2e::RunResult b = e2e::Run({tc.go, "build", "-o", bin, std::string("./") + name + "/bug"}, o);
    ASSERT_EQ(b.status, 0) << b.err;
    e2e::RunResult run = e2e::Run({bin});
    ASSERT_EQ(run.status, 0) << run.err;
    std::string dump = e2e::WorkDir() + "/kernel-" + name + "-go" + GetParam() + ".txt";
    e2e::WriteFile(dump, run.out);
    json r = e2e::AnalyzeJson({"--no-source", dump});
    ASSERT_FALSE(r["findings"].empty()) << r.dump();
    const json& first = r["findings"][0];
    EXPECT_EQ(e2e::Basename(first["blocking_frame"]["file"]), "main.go");
    EXPECT_EQ(first["blocking_frame"]["line"], BugLine(kKernels + "/" + name + "/bug/main.go"))
        << first.dump();
    EXPECT_NE(first["severity"], "info") << first.dump();
    EXPECT_TRUE(first["proof"].is_null()) << first.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Go, KernelsDumpOnly, testing::ValuesIn(e2e::GoVersions()),
                         e2e::GoParamNamer());

}  // namespace
