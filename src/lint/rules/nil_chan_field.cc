// nil-chan in source, for struct fields: an unexported field of channel
// type that nothing in its file ever sets (no `out: make(...)` in a
// literal, no `x.out = ...`, no &x.out, no positional literal of the
// struct), then sent to, received from or ranged over outside a select:
// the field is nil and the operation blocks forever. Another file of the
// package could set it; the message says "in this file".
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "lint/rule.h"

namespace leakhound {

void RunNilChanField(const GoFile& f, std::vector<LintFinding>* out) {
  if (f.text().find("chan ") == std::string::npos) return;
  struct Field {
    std::string type;  // the struct's name
    TSNode decl;
    bool chan = false;
    int declared = 0;
  };
  std::map<std::string, Field, std::less<>> fields;
  std::set<std::string, std::less<>> set, positional_types;
  std::vector<TSNode> ops;
  bool any_chan_field = false;
  for (TSNode n : f.Nodes("field_declaration"))
    any_chan_field = any_chan_field || GoFile::Is(GoFile::Field(n, "type"), "channel_type");
  if (!any_chan_field) return;
  std::vector<TSNode> nodes;
  for (const char* t : {"field_declaration", "keyed_element", "literal_value", "assignment_statement",
                        "unary_expression", "send_statement", "range_clause"})
    nodes.insert(nodes.end(), f.Nodes(t).begin(), f.Nodes(t).end());
  for (TSNode n : nodes) {
    if (GoFile::Is(n, "field_declaration")) {
      TSNode spec = GoFile::Enclosing(n, {"type_spec"});
      bool chan = GoFile::Is(GoFile::Field(n, "type"), "channel_type");
      for (uint32_t i = 0; i < GoFile::Count(n); ++i) {
        TSNode c = ts_node_named_child(n, i);
        if (!GoFile::Is(c, "field_identifier")) continue;
        Field& fd = fields[std::string(f.Text(c))];
        ++fd.declared;
        fd.chan = chan;
        fd.decl = n;
        fd.type = std::string(f.Text(GoFile::Field(spec, "name")));
      }
      continue;
    }
    if (GoFile::Is(n, "keyed_element") && GoFile::Count(n) > 0) {
      set.insert(std::string(f.Text(ts_node_named_child(n, 0))));
    } else if (GoFile::Is(n, "literal_value")) {
      // A positional literal sets every field of its type.
      TSNode lit = ts_node_parent(n);
      for (uint32_t i = 0; i < GoFile::Count(n); ++i)
        if (GoFile::Is(ts_node_named_child(n, i), "literal_element") &&
            GoFile::Is(lit, "composite_literal"))
          positional_types.insert(std::string(f.Text(GoFile::Field(lit, "type"))));
    } else if (GoFile::Is(n, "assignment_statement")) {
      TSNode left = GoFile::Field(n, "left");
      for (uint32_t i = 0; i < GoFile::Count(left); ++i) {
        TSNode l = ts_node_named_child(left, i);
        if (GoFile::Is(l, "selector_expression")) set.insert(std::string(f.Text(GoFile::Field(l, "field"))));
      }
    } else if (GoFile::Is(n, "unary_expression")) {
      std::string_view t = f.Text(n);
      TSNode operand = GoFile::Field(n, "operand");
      if (t.starts_with("&") && GoFile::Is(operand, "selector_expression"))
        set.insert(std::string(f.Text(GoFile::Field(operand, "field"))));
      if (t.starts_with("<-") && GoFile::Is(operand, "selector_expression")) ops.push_back(n);
    } else if (GoFile::Is(n, "send_statement") &&
               GoFile::Is(GoFile::Field(n, "channel"), "selector_expression")) {
      ops.push_back(n);
    } else if (GoFile::Is(n, "range_clause") &&
               GoFile::Is(GoFile::Field(n, "right"), "selector_expression")) {
      ops.push_back(n);
    }
  }
  for (TSNode op : ops) {
    TSNode sel;
    const char* what;
    if (GoFile::Is(op, "send_statement")) sel = GoFile::Field(op, "channel"), what = "send on";
    else if (GoFile::Is(op, "range_clause")) sel = GoFile::Field(op, "right"), what = "range over";
    else sel = GoFile::Field(op, "operand"), what = "receive from";
    std::string name(f.Text(GoFile::Field(sel, "field")));
    auto it = fields.find(name);
    if (it == fields.end() || !it->second.chan || it->second.declared != 1 || set.count(name) ||
        positional_types.count(it->second.type) || name.empty() ||
        std::isupper(static_cast<unsigned char>(name[0])))
      continue;
    if (!ts_node_is_null(GoFile::Enclosing(op, {"communication_case"}))) continue;
    LintFinding x;
    x.pattern = "nil-chan";
    x.rule = "nil-chan-field";
    x.file = f.path();
    x.line = f.Line(op);
    x.column = f.Column(op);
    x.message = std::string(what) + " " + std::string(f.Text(sel)) + " blocks forever: field " +
                name + " of " + it->second.type +
                " is never set in this file (nil channel); make it where the struct is built";
    x.related.push_back({f.Line(it->second.decl), "declared here, never made"});
    out->push_back(std::move(x));
  }
}

}  // namespace leakhound
