#include "lint/scope.h"

namespace leakhound {

bool IsFunc(TSNode n) {
  return GoFile::Is(n, "function_declaration") || GoFile::Is(n, "method_declaration") ||
         GoFile::Is(n, "func_literal");
}

TSNode EnclosingFunc(TSNode n) {
  return GoFile::Enclosing(n, {"function_declaration", "method_declaration", "func_literal"});
}

void WalkOwn(TSNode root, const std::function<bool(TSNode)>& visit) {
  GoFile::Walk(root, [&](TSNode n) {
    if (!ts_node_eq(n, root) && GoFile::Is(n, "func_literal")) {
      visit(n);
      return false;
    }
    return visit(n);
  });
}

TSNode GoLaunchOf(TSNode lit) {
  TSNode call = ts_node_parent(lit);
  if (!GoFile::Is(call, "call_expression") || !ts_node_eq(GoFile::Field(call, "function"), lit))
    return TSNode{};
  TSNode go = ts_node_parent(call);
  return GoFile::Is(go, "go_statement") ? go : TSNode{};
}

TSNode EnclosingLoop(TSNode n, TSNode stop) {
  uint32_t at = ts_node_start_byte(n);
  for (TSNode p = ts_node_parent(n); !ts_node_is_null(p) && !ts_node_eq(p, stop);
       p = ts_node_parent(p)) {
    if (GoFile::Is(p, "func_literal")) return TSNode{};
    if (GoFile::Is(p, "for_statement")) {
      TSNode body = GoFile::Field(p, "body");
      if (at >= ts_node_start_byte(body) && at < ts_node_end_byte(body)) return p;
    }
  }
  return TSNode{};
}

bool MethodCall(const GoFile& f, TSNode call, std::string_view* recv, std::string_view* method) {
  if (!GoFile::Is(call, "call_expression")) return false;
  TSNode fn = GoFile::Field(call, "function");
  if (!GoFile::Is(fn, "selector_expression")) return false;
  *recv = f.Text(GoFile::Field(fn, "operand"));
  *method = f.Text(GoFile::Field(fn, "field"));
  return true;
}

std::string_view CalleeText(const GoFile& f, TSNode call) {
  if (!GoFile::Is(call, "call_expression")) return {};
  TSNode fn = GoFile::Field(call, "function");
  if (!GoFile::Is(fn, "identifier") && !GoFile::Is(fn, "selector_expression")) return {};
  return f.Text(fn);
}

std::string_view TrimmedLine(const std::string& text, uint32_t line) {
  size_t pos = 0;
  for (uint32_t l = 1; l < line && pos != std::string::npos; ++l) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos == std::string::npos || pos > text.size()) return {};
  size_t end = text.find('\n', pos);
  std::string_view s = std::string_view(text).substr(pos, end == std::string::npos ? end : end - pos);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

namespace {

bool IsMakeChan(const GoFile& f, TSNode call, TSNode* cap) {
  if (!GoFile::Is(call, "call_expression") || f.Text(GoFile::Field(call, "function")) != "make")
    return false;
  TSNode args = GoFile::Field(call, "arguments");
  if (GoFile::Count(args) < 1 ||
      !GoFile::Is(ts_node_named_child(args, 0), "channel_type"))
    return false;
  *cap = GoFile::Count(args) > 1 ? ts_node_named_child(args, 1) : TSNode{};
  if (!ts_node_is_null(*cap) && f.Text(*cap) == "0") *cap = TSNode{};
  return true;
}

// True if func literal `lit` declares a parameter called `name`.
bool DeclaresParam(const GoFile& f, TSNode lit, std::string_view name) {
  TSNode params = GoFile::Field(lit, "parameters");
  bool found = false;
  GoFile::Walk(params, [&](TSNode n) {
    if (GoFile::Is(n, "identifier") && f.Text(n) == name) found = true;
    return !found;
  });
  return found;
}

// The name of parameter number `index` of func literal `lit`, or empty.
std::string ParamName(const GoFile& f, TSNode lit, uint32_t index) {
  TSNode params = GoFile::Field(lit, "parameters");
  uint32_t i = 0;
  std::string out;
  GoFile::Walk(params, [&](TSNode n) {
    if (!out.empty()) return false;
    if (GoFile::Is(n, "identifier")) {
      if (i == index) out = std::string(f.Text(n));
      ++i;
    }
    return true;
  });
  return out;
}

void Collect(const GoFile& f, TSNode scope, const std::string& name, TSNode launched,
             std::vector<ChanUse>* out, int depth) {
  TSNode body = GoFile::Field(scope, "body");
  GoFile::Walk(body, [&](TSNode m) {
    // A closure with a parameter of the same name sees its own variable.
    if (GoFile::Is(m, "func_literal") && DeclaresParam(f, m, name)) return false;
    if (!GoFile::Is(m, "identifier") || f.Text(m) != name) return true;
    // Which function literal below `scope` this use runs in.
    ChanUse u{ChanUse::kEscape, m, launched};
    for (TSNode p = ts_node_parent(m); !ts_node_is_null(p) && !ts_node_eq(p, scope);
         p = ts_node_parent(p)) {
      if (GoFile::Is(p, "func_literal")) {
        if (!ts_node_is_null(GoLaunchOf(p))) u.launched = p;
        else u.in_other_literal = true;
        break;
      }
    }
    TSNode p = ts_node_parent(m);
    TSNode gp = ts_node_parent(p);
    if (GoFile::Is(p, "send_statement")) {
      if (ts_node_eq(GoFile::Field(p, "channel"), m)) u = {ChanUse::kSend, p, u.launched, u.in_other_literal};
    } else if (GoFile::Is(p, "unary_expression")) {
      if (f.Text(p).starts_with("<-")) u.kind = ChanUse::kRecv, u.node = p;
    } else if (GoFile::Is(p, "range_clause")) {
      if (ts_node_eq(GoFile::Field(p, "right"), m)) u.kind = ChanUse::kRange, u.node = p;
    } else if (GoFile::Is(p, "argument_list") && GoFile::Is(gp, "call_expression")) {
      std::string_view callee = f.Text(GoFile::Field(gp, "function"));
      TSNode fn = GoFile::Field(gp, "function");
      if (callee == "close") {
        u.kind = ChanUse::kClose, u.node = gp;
      } else if (callee == "len" || callee == "cap") {
        u.kind = ChanUse::kNeutral;
      } else if (GoFile::Is(fn, "func_literal") && !ts_node_is_null(GoLaunchOf(fn)) && depth < 4) {
        // go func(c chan T) {...}(ch): follow it under its parameter name.
        uint32_t index = 0;
        for (uint32_t i = 0; i < GoFile::Count(p); ++i)
          if (ts_node_eq(ts_node_named_child(p, i), m)) index = i;
        std::string param = ParamName(f, fn, index);
        if (!param.empty()) {
          u.kind = ChanUse::kNeutral;
          if (param != "_") Collect(f, fn, param, fn, out, depth + 1);
        }
      }
    } else if (GoFile::Is(p, "expression_list") &&
               (GoFile::Is(gp, "short_var_declaration") || GoFile::Is(gp, "assignment_statement")) &&
               ts_node_eq(GoFile::Field(gp, "left"), p)) {
      u.kind = ChanUse::kNeutral;  // (re)declared or re-made
    } else if (GoFile::Is(p, "var_spec") || GoFile::Is(p, "binary_expression") ||
               GoFile::Is(p, "parameter_declaration")) {
      u.kind = ChanUse::kNeutral;
    }
    out->push_back(u);
    return true;
  });
}

}  // namespace

namespace {

// Is `name` declared in function `fn` itself (var, :=, a parameter)?
// `x = make(chan T)` to anything else (a package variable, a named
// result) hands the channel to code this function cannot see.
bool DeclaredIn(const GoFile& f, TSNode fn, std::string_view name) {
  bool found = false;
  GoFile::Walk(GoFile::Field(fn, "parameters"), [&](TSNode n) {
    found = found || (GoFile::Is(n, "identifier") && f.Text(n) == name);
    return !found;
  });
  WalkOwn(GoFile::Field(fn, "body"), [&](TSNode n) {
    if (found) return false;
    if (GoFile::Is(n, "var_spec") && f.Text(GoFile::Field(n, "name")) == name) found = true;
    if (GoFile::Is(n, "short_var_declaration")) {
      TSNode left = GoFile::Field(n, "left");
      for (uint32_t i = 0; i < GoFile::Count(left); ++i)
        found = found || f.Text(ts_node_named_child(left, i)) == name;
    }
    return true;
  });
  return found;
}

}  // namespace

std::vector<MadeChan> ChansMadeIn(const GoFile& f, TSNode fn) {
  std::vector<MadeChan> out;
  WalkOwn(GoFile::Field(fn, "body"), [&](TSNode n) {
    TSNode cap;
    if (GoFile::Is(n, "short_var_declaration") || GoFile::Is(n, "assignment_statement")) {
      TSNode left = GoFile::Field(n, "left"), right = GoFile::Field(n, "right");
      uint32_t count = GoFile::Count(right);
      if (count != GoFile::Count(left)) return true;
      for (uint32_t i = 0; i < count; ++i) {
        TSNode r = ts_node_named_child(right, i), l = ts_node_named_child(left, i);
        if (GoFile::Is(l, "identifier") && IsMakeChan(f, r, &cap) &&
            (GoFile::Is(n, "short_var_declaration") || DeclaredIn(f, fn, f.Text(l))))
          out.push_back({std::string(f.Text(l)), r, n, cap});
      }
    } else if (GoFile::Is(n, "var_spec")) {
      TSNode name = GoFile::Field(n, "name"), value = GoFile::Field(n, "value");
      if (GoFile::Count(value) == 1 && IsMakeChan(f, ts_node_named_child(value, 0), &cap))
        out.push_back({std::string(f.Text(name)), ts_node_named_child(value, 0), n, cap});
    }
    return true;
  });
  return out;
}

std::vector<ChanUse> ChanUses(const GoFile& f, TSNode fn, const std::string& name) {
  std::vector<ChanUse> out;
  Collect(f, fn, name, TSNode{}, &out, 0);
  return out;
}

void ForEachMadeChan(
    const GoFile& f,
    const std::function<void(TSNode fn, const MadeChan& ch, const std::vector<ChanUse>& uses)>& visit) {
  if (f.text().find("make(chan") == std::string::npos) return;
  for (TSNode fn : f.Functions()) {
    if (f.Text(GoFile::Field(fn, "body")).find("make(chan") == std::string_view::npos) continue;
    if (!IsFunc(fn)) continue;
    for (const MadeChan& ch : ChansMadeIn(f, fn)) visit(fn, ch, ChanUses(f, fn, ch.name));
  }
}

}  // namespace leakhound
