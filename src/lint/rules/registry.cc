// The one list of lint rules. Each names the catalogue pattern it finds.
#include "lint/rule.h"

namespace leakhound {

void RunSelectEmpty(const GoFile&, std::vector<LintFinding>*);
void RunNilChanVar(const GoFile&, std::vector<LintFinding>*);
void RunHttpNoTimeout(const GoFile&, std::vector<LintFinding>*);
void RunLockWithoutUnlock(const GoFile&, std::vector<LintFinding>*);
void RunContextCancelLost(const GoFile&, std::vector<LintFinding>*);

const std::vector<LintRule>& AllLintRules() {
  static const std::vector<LintRule> rules = {
      {"select-empty", "select-forever", RunSelectEmpty},
      {"nil-chan-var", "nil-chan", RunNilChanVar},
      {"http-no-timeout", "http-no-timeout", RunHttpNoTimeout},
      {"lock-without-unlock", "mutex-held", RunLockWithoutUnlock},
      {"context-cancel-lost", "context-never-done", RunContextCancelLost},
  };
  return rules;
}

}  // namespace leakhound
