// `leakhound lint --format codeclimate`: the findings as a GitLab Code
// Quality report (the subset of the Code Climate issue spec GitLab reads),
// for `artifacts: reports: codequality:` in .gitlab-ci.yml.
#ifndef LEAKHOUND_REPORT_CODECLIMATE_REPORT_H_
#define LEAKHOUND_REPORT_CODECLIMATE_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lint/rule.h"

namespace leakhound {

// A JSON array with one issue per finding: description, check_name
// ("leakhound/" + pattern), fingerprint, severity, location.path (relative
// to `src_root`, the working directory; paths outside it stay as they are)
// and location.lines.begin. GitLab shows only the first issue of a
// fingerprint, so fingerprints are made unique within the report.
nlohmann::ordered_json CodeClimateReport(const std::vector<LintFinding>& findings,
                                         const std::string& src_root);
void WriteCodeClimate(const std::vector<LintFinding>& findings, const std::string& src_root,
                      std::ostream& out);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_CODECLIMATE_REPORT_H_
