// select-forever in source: `select {}` outside main.main blocks its
// goroutine forever.
#include "lint/rule.h"

namespace leakhound {

void RunSelectEmpty(const GoFile& f, std::vector<LintFinding>* out) {
  for (TSNode n : f.Nodes("select_statement")) {
    if (!GoFile::Is(n, "select_statement") || ts_node_named_child_count(n) != 0) continue;
    TSNode fn = GoFile::Enclosing(n, {"function_declaration", "method_declaration", "func_literal"});
    // In main.main, blocking forever is how a server waits: intended.
    if (GoFile::Is(fn, "function_declaration") && f.Text(GoFile::Field(fn, "name")) == "main")
      continue;
    LintFinding x;
    x.pattern = "select-forever";
    x.rule = "select-empty";
    x.file = f.path();
    x.line = f.Line(n);
    x.column = f.Column(n);
    x.message = "select {} blocks this goroutine forever; give it a way out (ctx.Done(), a quit channel)";
    out->push_back(std::move(x));
    continue;
  }
}

}  // namespace leakhound
