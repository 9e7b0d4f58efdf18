// `leakhound lint --format sarif`: the findings as a SARIF 2.1.0 log, the
// form GitHub code scanning (and other SARIF viewers) upload.
#ifndef LEAKHOUND_REPORT_SARIF_REPORT_H_
#define LEAKHOUND_REPORT_SARIF_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lint/rule.h"

namespace leakhound {

// The SARIF log for `findings`. File paths are made relative to
// `src_root` (an absolute directory, normally the working directory) and
// given the uriBaseId "%SRCROOT%"; paths outside it stay as they are.
nlohmann::ordered_json SarifLog(const std::vector<LintFinding>& findings,
                                const std::string& src_root);
void WriteSarif(const std::vector<LintFinding>& findings, const std::string& src_root,
                std::ostream& out);

// `file` relative to `root` when it lies below it, without a leading
// "./"; otherwise as it is. A path, not a URI (nothing escaped).
std::string RelativeSourcePath(const std::string& file, const std::string& root);

// The stable fingerprint of one finding: rule, file, function and the
// whitespace-normalised text of its line, hashed (16 hex digits). It
// survives edits that move the line.
std::string LintFingerprint(const LintFinding& finding, const std::string& uri);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_SARIF_REPORT_H_
