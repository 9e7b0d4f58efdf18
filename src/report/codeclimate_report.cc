#include "report/codeclimate_report.h"

#include <set>

#include <fmt/format.h>

#include "report/sarif_report.h"

namespace leakhound {

namespace {

// GitLab's scale is info < minor < major < critical < blocker. A lint
// finding is a likely bug found without running the code (it can be a
// false positive), so every one is "major": above style issues, below
// what a test or the runtime proved.
constexpr const char* kLintSeverity = "major";

}  // namespace

nlohmann::ordered_json CodeClimateReport(const std::vector<LintFinding>& findings,
                                         const std::string& src_root) {
  using J = nlohmann::ordered_json;
  J issues = J::array();
  std::set<std::string> seen;
  for (const LintFinding& f : findings) {
    std::string path = RelativeSourcePath(f.file, src_root);
    // The same fingerprint as SARIF's partialFingerprints (rule, file,
    // function, normalised line text): it survives the line moving. Two
    // findings on identical lines of one function would share it, and
    // GitLab would drop the second, so a repeat gets its ordinal mixed in
    // (findings come sorted by file and line, so the ordinal is stable).
    std::string base = LintFingerprint(f, path);
    std::string fp = base;
    for (int n = 2; !seen.insert(fp).second; ++n) {
      LintFinding again = f;
      again.snippet += fmt::format("\x1f#{}", n);
      fp = LintFingerprint(again, path);
    }
    J issue;
    issue["type"] = "issue";  // Code Climate's spec requires it; GitLab ignores it
    issue["check_name"] = "leakhound/" + f.pattern;
    issue["description"] = fmt::format("{} ({})", f.message, f.rule);
    issue["categories"] = J::array({"Bug Risk"});
    issue["fingerprint"] = fp;
    issue["severity"] = kLintSeverity;
    issue["location"]["path"] = path;
    issue["location"]["lines"]["begin"] = f.line;
    issues.push_back(std::move(issue));
  }
  return issues;
}

void WriteCodeClimate(const std::vector<LintFinding>& findings, const std::string& src_root,
                      std::ostream& out) {
  out << CodeClimateReport(findings, src_root)
             .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n";
}

}  // namespace leakhound
