// The Go code the overlay adds to each test package: the leak check a
// test's first line calls, and a TestMain with a final check when the
// package has none. Plain Go 1.19 (no generics, no third-party imports),
// every identifier prefixed leakhound_ so none clashes with user code.
#ifndef LEAKHOUND_GOTEST_CHECK_SOURCE_H_
#define LEAKHOUND_GOTEST_CHECK_SOURCE_H_

#include <string>

namespace leakhound {

// Environment the check reads (set by `leakhound test` for go test).
inline constexpr const char* kGotestDirEnv = "LEAKHOUND_GOTEST_DIR";
inline constexpr const char* kGotestSettleEnv = "LEAKHOUND_GOTEST_SETTLE";
// --until-leak: a file of "IMPORT-PATH<TAB>TEST" lines, tests that leaked
// in an earlier run; the check skips them (and, within a run, any test
// that already leaked in an earlier repetition of -count).
inline constexpr const char* kGotestSkipEnv = "LEAKHOUND_GOTEST_SKIP_LEAKED";

// The function the rewritten test bodies call, and the record header
// lines each survivor dump starts with.
inline constexpr const char* kCheckFunction = "leakhound_check";
inline constexpr const char* kRecordTestHeader = "# leakhound-test: ";
inline constexpr const char* kRecordPackageHeader = "# leakhound-package: ";
// Present when the goroutineleak profile ran for the record: a survivor
// without the "(leaked)" mark was looked at and not proved.
inline constexpr const char* kRecordProofHeader = "# leakhound-leak-profile: ";
// The test name of the final check, for goroutines no test's check saw.
inline constexpr const char* kAfterAllTests = "(after all tests)";

// The check's code, appended to one rewritten _test.go file of each test
// package (internal and external) rather than added as a file of its own:
// Go 1.19's vet cannot open files an overlay adds. `import_path` names
// the package in records; `tag` keeps record file names of the two test
// packages of one directory apart; `with_test_main` adds a TestMain that
// runs the tests, then a final check.
std::string CheckSource(const std::string& import_path, const std::string& tag,
                        bool with_test_main);

// The imports the check needs, as one line to put right after the host
// file's package name (so no line of the file moves), every one under a
// leakhound_ name so none clashes with the file's own imports.
std::string CheckImports();

}  // namespace leakhound

#endif  // LEAKHOUND_GOTEST_CHECK_SOURCE_H_
