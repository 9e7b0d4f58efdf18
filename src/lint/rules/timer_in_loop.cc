// timer-in-loop in source: time.Tick in the body of a for loop (a new
// Ticker every iteration, never stopped), and time.After in a select
// inside a for loop (a new Timer every iteration, kept until it fires).
// `for range time.Tick(d)` evaluates the call once and is fine.
#include <string>

#include "lint/rule.h"
#include "lint/scope.h"

namespace leakhound {

void RunTimerInLoop(const GoFile& f, std::vector<LintFinding>* out) {
  if (f.text().find("time.") == std::string::npos) return;
  if (f.text().find("time.Tick(") == std::string::npos && f.text().find("time.After(") == std::string::npos) return;
  for (TSNode call : f.Nodes("call_expression")) {
    if (!GoFile::Is(call, "call_expression")) continue;
    std::string_view fn = CalleeText(f, call);
    if (fn != "time.Tick" && fn != "time.After") continue;
    TSNode owner = EnclosingFunc(call);
    TSNode loop = EnclosingLoop(call, owner);
    if (ts_node_is_null(loop)) continue;
    TSNode select{};
    if (fn == "time.After") {
      // Only as a select case below the loop (not in a nested function).
      TSNode cc = GoFile::Enclosing(call, {"communication_case", "func_literal"});
      if (!GoFile::Is(cc, "communication_case")) continue;
      TSNode comm = GoFile::Field(cc, "communication");
      if (ts_node_start_byte(call) < ts_node_start_byte(comm) ||
          ts_node_end_byte(call) > ts_node_end_byte(comm))
        continue;
      select = ts_node_parent(cc);
      if (ts_node_start_byte(select) < ts_node_start_byte(loop)) continue;
    }
    LintFinding x;
    x.pattern = "timer-in-loop";
    x.rule = "timer-in-loop";
    x.file = f.path();
    x.line = f.Line(call);
    x.column = f.Column(call);
    if (fn == "time.Tick") {
      x.message = "time.Tick in a loop starts a new Ticker every iteration and none is ever "
                  "stopped (before Go 1.23 none is ever collected); create one time.NewTicker "
                  "before the loop and defer its Stop()";
    } else {
      x.message = "time.After in a select in a loop makes a new Timer every iteration, held "
                  "until it fires even when another case wins (before Go 1.23); reuse one "
                  "time.NewTimer and Reset it";
      x.related.push_back({f.Line(select), "the select, run once per iteration"});
    }
    x.related.push_back({f.Line(loop), "the loop"});
    out->push_back(std::move(x));
    continue;
  }
}

}  // namespace leakhound
