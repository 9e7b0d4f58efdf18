// JUnit XML, the test report CI systems show per test: one testsuite of
// testcases, each with its failures. Format-only; callers fill it in.
#ifndef LEAKHOUND_REPORT_JUNIT_REPORT_H_
#define LEAKHOUND_REPORT_JUNIT_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

namespace leakhound {

struct JUnitFailure {
  std::string message;  // one line, the attribute
  std::string type;     // e.g. the pattern id
  std::string text;     // the element's body: details
};

struct JUnitCase {
  std::string classname;  // e.g. the Go package
  std::string name;       // e.g. the test
  std::vector<JUnitFailure> failures;
};

void WriteJUnit(const std::string& suite, const std::vector<JUnitCase>& cases, std::ostream& out);

// Text made safe for an XML attribute or element (control characters
// other than tab and newline dropped: XML 1.0 cannot carry them).
std::string XmlEscape(const std::string& text);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_JUNIT_REPORT_H_
