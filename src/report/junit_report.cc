#include "report/junit_report.h"

namespace leakhound {

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') break;
        out.push_back(c);
    }
  }
  return out;
}

void WriteJUnit(const std::string& suite, const std::vector<JUnitCase>& cases, std::ostream& out) {
  size_t failures = 0;
  for (const JUnitCase& c : cases) failures += c.failures.empty() ? 0 : 1;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites tests=\"" << cases.size() << "\" failures=\"" << failures << "\">\n";
  out << "  <testsuite name=\"" << XmlEscape(suite) << "\" tests=\"" << cases.size()
      << "\" failures=\"" << failures << "\" errors=\"0\">\n";
  for (const JUnitCase& c : cases) {
    out << "    <testcase classname=\"" << XmlEscape(c.classname) << "\" name=\""
        << XmlEscape(c.name) << "\"";
    if (c.failures.empty()) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    for (const JUnitFailure& f : c.failures)
      out << "      <failure message=\"" << XmlEscape(f.message) << "\" type=\""
          << XmlEscape(f.type) << "\">" << XmlEscape(f.text) << "</failure>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace leakhound
