// The one list of lint rules. Each names the catalogue pattern it finds.
#include "lint/rule.h"

namespace leakhound {

void RunSelectEmpty(const GoFile&, std::vector<LintFinding>*);
void RunNilChanVar(const GoFile&, std::vector<LintFinding>*);
void RunHttpNoTimeout(const GoFile&, std::vector<LintFinding>*);
void RunLockWithoutUnlock(const GoFile&, std::vector<LintFinding>*);
void RunContextCancelLost(const GoFile&, std::vector<LintFinding>*);
void RunNilChanField(const GoFile&, std::vector<LintFinding>*);
void RunUnreceivedSend(const GoFile&, std::vector<LintFinding>*);
void RunRangeNeverClosed(const GoFile&, std::vector<LintFinding>*);
void RunWaitGroupMismatch(const GoFile&, std::vector<LintFinding>*);
void RunLoopNoExit(const GoFile&, std::vector<LintFinding>*);
void RunTimerInLoop(const GoFile&, std::vector<LintFinding>*);

const std::vector<LintRule>& AllLintRules() {
  static const std::vector<LintRule> rules = {
      {"select-empty", "select-forever", RunSelectEmpty},
      {"nil-chan-var", "nil-chan", RunNilChanVar},
      {"http-no-timeout", "http-no-timeout", RunHttpNoTimeout},
      {"lock-without-unlock", "mutex-held", RunLockWithoutUnlock},
      {"context-cancel-lost", "context-never-done", RunContextCancelLost},
      {"nil-chan-field", "nil-chan", RunNilChanField},
      {"unreceived-send", "chan-send-blocked", RunUnreceivedSend},
      {"range-never-closed", "range-unclosed", RunRangeNeverClosed},
      {"waitgroup-mismatch", "waitgroup-wait", RunWaitGroupMismatch},
      // Names the pattern a dump would show: select-forever,
      // chan-recv-blocked, chan-send-blocked or busy-loop.
      {"loop-no-exit", "busy-loop", RunLoopNoExit},
      {"timer-in-loop", "timer-in-loop", RunTimerInLoop},
  };
  return rules;
}

}  // namespace leakhound
