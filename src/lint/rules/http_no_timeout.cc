// http-no-timeout in source: http.Get/Post/Head/PostForm and
// http.DefaultClient have no timeout; neither has an http.Client{} literal
// without a Timeout field.
#include "lint/rule.h"

namespace leakhound {

void RunHttpNoTimeout(const GoFile& f, std::vector<LintFinding>* out) {
  auto report = [&](TSNode n, std::string message) {
    LintFinding x;
    x.pattern = "http-no-timeout";
    x.rule = "http-no-timeout";
    x.file = f.path();
    x.line = f.Line(n);
    x.column = f.Column(n);
    x.message = std::move(message);
    out->push_back(std::move(x));
  };
  if (f.text().find("http.") == std::string::npos) return;
  std::vector<TSNode> nodes = f.Nodes("selector_expression");
  nodes.insert(nodes.end(), f.Nodes("composite_literal").begin(), f.Nodes("composite_literal").end());
  for (TSNode n : nodes) {
    if (GoFile::Is(n, "selector_expression") && f.Text(GoFile::Field(n, "operand")) == "http") {
      std::string_view field = f.Text(GoFile::Field(n, "field"));
      TSNode parent = ts_node_parent(n);
      bool called = GoFile::Is(parent, "call_expression") &&
                    ts_node_eq(GoFile::Field(parent, "function"), n);
      if (called && (field == "Get" || field == "Post" || field == "Head" || field == "PostForm"))
        report(n, "http." + std::string(field) +
                      " uses http.DefaultClient, which has no timeout; a stalled server holds "
                      "this goroutine forever");
      else if (field == "DefaultClient")
        report(n, "http.DefaultClient has no timeout; use an http.Client with Timeout set");
    }
    if (GoFile::Is(n, "composite_literal")) {
      TSNode type = GoFile::Field(n, "type");
      if (f.Text(type) != "http.Client") continue;
      bool has_timeout = false;
      GoFile::Walk(GoFile::Field(n, "body"), [&](TSNode e) {
        if (GoFile::Is(e, "keyed_element") && ts_node_named_child_count(e) > 0 &&
            f.Text(ts_node_named_child(e, 0)) == "Timeout")
          has_timeout = true;
        return !has_timeout;
      });
      if (!has_timeout)
        report(n, "http.Client without Timeout: requests to a stalled server never end");
    }
  }
}

}  // namespace leakhound
