// context-never-done in source: the cancel function of
// context.WithCancel/WithTimeout/WithDeadline is discarded (`_`) or never
// used in its function, so the context (and whatever waits on its Done)
// lives until the parent is cancelled, often never.
#include <string>

#include "lint/rule.h"

namespace leakhound {

void RunContextCancelLost(const GoFile& f, std::vector<LintFinding>* out) {
  if (f.text().find("context.With") == std::string::npos) return;
  std::vector<TSNode> stmts = f.Nodes("short_var_declaration");
  stmts.insert(stmts.end(), f.Nodes("assignment_statement").begin(), f.Nodes("assignment_statement").end());
  for (TSNode n : stmts) {
    if (!GoFile::Is(n, "short_var_declaration") && !GoFile::Is(n, "assignment_statement"))
      continue;
    TSNode left = GoFile::Field(n, "left"), right = GoFile::Field(n, "right");
    if (ts_node_named_child_count(left) != 2 || ts_node_named_child_count(right) != 1) continue;
    TSNode call = ts_node_named_child(right, 0);
    if (!GoFile::Is(call, "call_expression")) continue;
    std::string_view fn = f.Text(GoFile::Field(call, "function"));
    if (fn != "context.WithCancel" && fn != "context.WithTimeout" && fn != "context.WithDeadline" &&
        fn != "context.WithCancelCause")
      continue;
    TSNode target = ts_node_named_child(left, 1);
    // Stored in a field or elsewhere: its owner cancels it.
    if (!GoFile::Is(target, "identifier")) continue;
    std::string cancel(f.Text(target));
    bool lost = cancel == "_";
    if (!lost) {
      // Any later mention of the name in the whole function (call, defer,
      // return, pass) counts.
      TSNode owner = GoFile::Enclosing(n, {"function_declaration", "method_declaration", "func_literal"});
      TSNode body =
          ts_node_is_null(owner) ? GoFile::Enclosing(n, {"block"}) : GoFile::Field(owner, "body");
      // A named result: a bare return hands it to the caller.
      bool named_result = false;
      if (!ts_node_is_null(owner))
        GoFile::Walk(GoFile::Field(owner, "result"), [&](TSNode m) {
          if (GoFile::Is(m, "identifier") && f.Text(m) == cancel) named_result = true;
          return !named_result;
        });
      if (named_result) continue;
      int uses = 0;
      GoFile::Walk(body, [&](TSNode m) {
        if (GoFile::Is(m, "identifier") && f.Text(m) == cancel &&
            ts_node_start_byte(m) > ts_node_end_byte(left)) {
          // `_ = cancel` only silences the compiler: still lost.
          TSNode list = ts_node_parent(m), stmt = ts_node_parent(list);
          bool blank = GoFile::Is(stmt, "assignment_statement") &&
                       f.Text(GoFile::Field(stmt, "left")) == "_";
          if (!blank) ++uses;
        }
        return true;
      });
      lost = uses == 0;
    }
    if (!lost) continue;
    LintFinding x;
    x.pattern = "context-never-done";
    x.rule = "context-cancel-lost";
    x.file = f.path();
    x.line = f.Line(n);
    x.column = f.Column(n);
    x.message = "the cancel function of " + std::string(fn) +
                " is " + (cancel == "_" ? "discarded" : "never called") +
                ": the context and everything waiting on its Done() outlive this call; "
                "defer cancel()";
    out->push_back(std::move(x));
    continue;
  }
}

}  // namespace leakhound
