// A lint rule finds one leak pattern of the shared catalogue
// (src/patterns) in Go source. One rule per file under rules/, all listed
// in rules/registry.cc.
#ifndef LEAKHOUND_LINT_RULE_H_
#define LEAKHOUND_LINT_RULE_H_

#include <string>
#include <utility>
#include <vector>

#include "lint/go_file.h"

namespace leakhound {

struct LintFinding {
  std::string pattern;  // catalogue id: "nil-chan"
  std::string rule;     // rule name: "nil-chan-var"
  std::string file;
  uint32_t line = 0, column = 0;
  std::string message;
  // The declaration it is in, named as Go's runtime names it without the
  // package: "leakAll", "(*account).deposit"; empty at package level.
  std::string function;
  // The text of `line`, trimmed (fingerprints that survive line moves).
  std::string snippet;
  // Other lines involved: {line, what happens there}.
  std::vector<std::pair<uint32_t, std::string>> related;
};

struct LintRule {
  const char* name;
  const char* pattern;  // catalogue id
  void (*run)(const GoFile& file, std::vector<LintFinding>* out);
};

const std::vector<LintRule>& AllLintRules();

}  // namespace leakhound

#endif  // LEAKHOUND_LINT_RULE_H_
