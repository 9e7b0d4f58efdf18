// The overlay that puts leak checks into a package's tests without
// touching the user's files: rewritten copies of the _test.go files, and
// the check code appended to one of them per test package (go test
// -overlay).
#ifndef LEAKHOUND_GOTEST_OVERLAY_H_
#define LEAKHOUND_GOTEST_OVERLAY_H_

#include <map>
#include <string>
#include <vector>

namespace leakhound {

// One _test.go file after rewriting.
struct RewrittenTestFile {
  std::string text;                  // == the input when nothing changed
  std::vector<std::string> checked;  // functions that got a check ("TestX", "TestX/func@12")
  bool has_test_main = false;        // declares func TestMain
  bool parse_error = false;          // left alone: go test reports the error itself
  std::string package;               // its package clause
  uint32_t package_end = 0;          // byte just after the package name
  bool hosts = false;                // holds its test package's check code
};

// Makes a rewritten file the host of the check code: its imports on the
// package clause's line, the code appended at the end.
void HostCheck(RewrittenTestFile* file, const std::string& import_path, const std::string& tag,
               bool with_test_main);

// Puts `leakhound_check(t);` right after the `{` of every
// func TestXxx(t *testing.T) and of every func(t *testing.T) literal
// passed to a Run(name, f) call, on the same line, so every line of the
// user's code keeps its number. Finds "testing" under any import name
// (alias or dot import); skips tests whose *testing.T parameter has no
// usable name (`_` or none).
RewrittenTestFile RewriteTestFile(const std::string& path, const std::string& text);

// A go list package, the fields the overlay needs.
struct TestPackage {
  std::string dir, import_path, name;
  std::vector<std::string> test_go_files, xtest_go_files;  // names in dir
};

struct Overlay {
  // original path -> content to compile instead
  std::map<std::string, std::string> files;
  std::vector<std::string> checked;  // "import/path.TestX", for messages
  std::vector<std::string> warnings;
};

// Adds the rewritten test files of `pkg`, the check code hosted by the
// first checked file of each of its test packages.
// False with *error when a test file cannot be read.
bool AddPackageOverlay(const TestPackage& pkg, Overlay* overlay, std::string* error);

// go test's -overlay JSON: {"Replace": {path: replacement file}}, the
// replacements written below `dir` (which must exist).
// *written: (replacement file, original path) for each.
bool WriteOverlay(const Overlay& overlay, const std::string& dir, std::string* json_path,
                  std::vector<std::pair<std::string, std::string>>* written, std::string* error);

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_OVERLAY_H_
