// nil-chan in source: `var ch chan T` never assigned in its function, then
// sent to, received from or ranged over: the operation blocks forever.
#include <map>
#include <string>

#include "lint/rule.h"

namespace leakhound {

namespace {

// Names assigned anywhere in `body` (x = ..., x, y = ..., x := ...).
bool AssignedIn(const GoFile& f, TSNode body, std::string_view name) {
  bool assigned = false;
  GoFile::Walk(body, [&](TSNode n) {
    if (assigned) return false;
    if (GoFile::Is(n, "assignment_statement") || GoFile::Is(n, "short_var_declaration")) {
      TSNode left = GoFile::Field(n, "left");
      for (uint32_t i = 0; i < ts_node_named_child_count(left); ++i) {
        TSNode id = ts_node_named_child(left, i);
        if (f.Text(id) == name) assigned = true;
      }
    }
    // &ch passes it somewhere that may set it.
    if (GoFile::Is(n, "unary_expression") && f.Text(n).starts_with("&") &&
        f.Text(GoFile::Field(n, "operand")) == name)
      assigned = true;
    return true;
  });
  return assigned;
}

}  // namespace

void RunNilChanVar(const GoFile& f, std::vector<LintFinding>* out) {
  for (TSNode spec : f.Nodes("var_spec")) {
    if (!GoFile::Is(spec, "var_spec")) continue;
    if (!GoFile::Is(GoFile::Field(spec, "type"), "channel_type") ||
        !ts_node_is_null(GoFile::Field(spec, "value")))
      continue;
    TSNode body = GoFile::Enclosing(spec, {"block"});
    if (ts_node_is_null(body)) continue;  // package-level: set elsewhere, maybe
    std::string name(f.Text(GoFile::Field(spec, "name")));
    if (name.empty() || name == "_" || AssignedIn(f, body, name)) continue;
    // The first operation on it.
    GoFile::Walk(body, [&](TSNode n) {
      TSNode ch{};
      const char* what = nullptr;
      if (GoFile::Is(n, "send_statement")) {
        ch = GoFile::Field(n, "channel");
        what = "send on";
      } else if (GoFile::Is(n, "unary_expression") && f.Text(n).starts_with("<-")) {
        ch = GoFile::Field(n, "operand");
        what = "receive from";
      } else if (GoFile::Is(n, "range_clause")) {
        ch = GoFile::Field(n, "right");
        what = "range over";
      }
      if (what == nullptr || f.Text(ch) != name) return true;
      // Inside a select a nil channel only disables its case: not a leak.
      if (!ts_node_is_null(GoFile::Enclosing(n, {"communication_case"}))) return true;
      LintFinding x;
      x.pattern = "nil-chan";
      x.rule = "nil-chan-var";
      x.file = f.path();
      x.line = f.Line(n);
      x.column = f.Column(n);
      x.message = std::string(what) + " nil channel " + name + " blocks forever (declared with var, never made)";
      x.related.push_back({f.Line(spec), "declared here without make"});
      out->push_back(std::move(x));
      return true;
    });
    continue;
  }
}

}  // namespace leakhound
