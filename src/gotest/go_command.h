// Running the user's go command: `go list` for the packages to test and
// `go test` itself, its output passed through while it runs.
#ifndef LEAKHOUND_GOTEST_GO_COMMAND_H_
#define LEAKHOUND_GOTEST_GO_COMMAND_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gotest/overlay.h"

namespace leakhound {

struct GoRun {
  int status = -1;       // exit code, 128+signal, or -1 when it could not start
  std::string out, err;  // kept only when asked
};

// Runs argv with `env` (NAME=VALUE) added. Output goes to `out_fd` /
// `err_fd` as it comes (-1: not passed on) and, with keep, into the result.
// `rename`: text replaced in the passed-on output, line by line (go
// names an overlay's replacement files in compile and vet errors; the
// user should see their own file's path).
using Renames = std::vector<std::pair<std::string, std::string>>;
// `on_line`, when set, sees every complete line of standard output.
GoRun RunGo(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            int out_fd, int err_fd, bool keep, const Renames& rename = {},
            const std::function<void(std::string_view)>& on_line = nullptr);

// "leakhound test: 3 package(s) done, last example.com/p ok" on a
// terminal, redrawn in place from go test's "ok"/"FAIL"/"?" lines, erased
// when it goes.
class PackageProgress {
 public:
  void Line(std::string_view line);
  ~PackageProgress();

 private:
  size_t done_ = 0;
  bool drawn_ = false;
};

// `go list -e -json` of `patterns` (with build flags such as -tags taken
// from go test's flags). False with *error (go's own message) on failure.
bool ListPackages(const std::string& go, const std::vector<std::string>& patterns,
                  const std::vector<std::string>& build_flags, std::vector<TestPackage>* out,
                  std::string* error);

// The go test flags that change which files are built (-tags, -mod, ...)
// and so must be given to go list too.
std::vector<std::string> BuildFlagsOf(const std::vector<std::string>& test_flags);

// What go test's output says went wrong.
struct GoTestOutcome {
  bool build_failed = false;  // "FAIL\tpkg [build failed]" / "[setup failed]"
  bool tests_failed = false;  // "--- FAIL", "FAIL\tpkg", a panic
  std::vector<std::string> failed_packages;
};
GoTestOutcome ReadGoTestOutput(const std::string& stdout_text, int status);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_GO_COMMAND_H_
