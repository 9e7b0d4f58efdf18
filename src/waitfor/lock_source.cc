// LocksAt: the lock facts of one source line, read from the tree-sitter
// syntax of the function around it (see lock_source.h). One walk over that
// function's own statements (nested func literals are other goroutines or
// other frames, so they are skipped) collects its calls, lock calls and
// the blocks they sit in; the facts for the line are then plain filters.
#include "waitfor/lock_source.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "waitfor/syntax.h"

namespace leakhound {

namespace {

using syntax::Children;
using syntax::IsField;
using syntax::IsName;
using syntax::NamedChild;

// Each name a parameter_list declares, "" for an unnamed one.
void ParamNames(const GoFile& f, TSNode list, std::vector<std::string>* out) {
  Children(list, [&](TSNode p, const char*) {
    if (!GoFile::Is(p, "parameter_declaration") && !GoFile::Is(p, "variadic_parameter_declaration"))
      return;
    size_t before = out->size();
    Children(p, [&](TSNode k, const char* field) {
      if (IsField(field, "name")) out->emplace_back(f.Text(k));
    });
    if (out->size() == before) out->emplace_back();
  });
}

enum class Kind { kCall, kLock, kRLock, kUnlock, kRUnlock };

// One call of the function's own statements.
struct Call {
  TSNode node;
  Kind kind = Kind::kCall;
  bool deferred = false;  // runs at return
  bool spawned = false;   // `go X.Lock()`: another goroutine's
  std::string base, path;
  uint32_t scope_begin = 0, scope_end = 0;  // innermost block-like scope
  bool scope_leaves = false;  // that scope ends in return or panic
};

bool IsLockKind(Kind k) { return k == Kind::kLock || k == Kind::kRLock; }
bool IsRead(Kind k) { return k == Kind::kRLock || k == Kind::kRUnlock; }
Kind UnlockOf(Kind k) { return k == Kind::kLock ? Kind::kUnlock : Kind::kRUnlock; }

// `a.b.c` -> base "a", path ".b.c"; false for anything but identifiers
// joined by field selectors (an index or a call names no fixed object).
bool SplitLockExpr(const GoFile& f, TSNode x, std::string* base, std::string* path) {
  std::vector<std::string_view> fields;
  while (GoFile::Is(x, "selector_expression")) {
    fields.push_back(f.Text(GoFile::Field(x, "field")));
    x = GoFile::Field(x, "operand");
  }
  if (!IsName(x)) return false;
  *base = f.Text(x);
  path->clear();
  for (size_t i = fields.size(); i-- > 0;) path->append(".").append(fields[i]);
  return true;
}

// Classifies `X.Lock()`-shaped calls; every other call stays kCall.
Kind LockKind(const GoFile& f, TSNode call, std::string* base, std::string* path) {
  TSNode fn = GoFile::Field(call, "function");
  if (!GoFile::Is(call, "call_expression") || !GoFile::Is(fn, "selector_expression") ||
      GoFile::Count(GoFile::Field(call, "arguments")) != 0)
    return Kind::kCall;
  std::string_view m = f.Text(GoFile::Field(fn, "field"));
  Kind k = m == "Lock" ? Kind::kLock : m == "RLock" ? Kind::kRLock
         : m == "Unlock" ? Kind::kUnlock : m == "RUnlock" ? Kind::kRUnlock : Kind::kCall;
  if (k == Kind::kCall) return k;
  // On an expression we cannot name it is neither a lock fact nor a call
  // worth following: an empty base drops it from every list.
  if (!SplitLockExpr(f, GoFile::Field(fn, "operand"), base, path)) base->clear();
  return k;
}

// Callee, receiver and arguments of a call (or of `F[int](x)`, which
// tree-sitter reads as a type conversion to a generic type).
CallAt Describe(const GoFile& f, TSNode call) {
  CallAt out;
  bool conversion = GoFile::Is(call, "type_conversion_expression");
  TSNode fn = GoFile::Field(call, conversion ? "type" : "function");
  for (int guard = 0; guard < 16; ++guard) {
    if (GoFile::Is(fn, "parenthesized_expression")) fn = NamedChild(fn, 0);
    else if (GoFile::Is(fn, "index_expression")) fn = GoFile::Field(fn, "operand");
    else if (GoFile::Is(fn, "generic_type")) fn = GoFile::Field(fn, "type");
    else break;
  }
  if (GoFile::Is(fn, "selector_expression") || GoFile::Is(fn, "qualified_type")) {
    bool sel = GoFile::Is(fn, "selector_expression");
    TSNode operand = GoFile::Field(fn, sel ? "operand" : "package");
    if (IsName(operand) || GoFile::Is(operand, "package_identifier")) out.receiver = f.Text(operand);
    out.callee = f.Text(GoFile::Field(fn, sel ? "field" : "name"));
  } else if (IsName(fn) || GoFile::Is(fn, "type_identifier")) {
    out.callee = f.Text(fn);
  }
  auto arg = [&](TSNode a) { out.args.emplace_back(IsName(a) ? f.Text(a) : std::string_view()); };
  if (conversion) {
    arg(GoFile::Field(call, "operand"));
  } else {
    Children(GoFile::Field(call, "arguments"), [&](TSNode a, const char*) {
      if (!GoFile::Is(a, "comment")) arg(a);
    });
  }
  return out;
}

bool IsScope(TSNode n) {
  // Case clauses hold their statements directly, with no block between.
  return GoFile::Is(n, "block") || GoFile::Is(n, "expression_case") ||
         GoFile::Is(n, "default_case") || GoFile::Is(n, "type_case") ||
         GoFile::Is(n, "communication_case");
}

// Whether a scope's last statement leaves the function: an unlock in it
// is on a path that never reaches a line after the scope.
bool EndsInExit(const GoFile& f, TSNode scope) {
  TSNode last{};
  Children(scope, [&](TSNode k, const char*) {
    if (!GoFile::Is(k, "comment")) last = k;
  });
  if (GoFile::Is(last, "return_statement")) return true;
  if (!GoFile::Is(last, "expression_statement")) return false;
  TSNode call = NamedChild(last, 0);
  TSNode fn = GoFile::Field(call, "function");
  return GoFile::Is(call, "call_expression") && IsName(fn) && f.Text(fn) == "panic";
}

// Byte where the line's code starts, past closing `}` / `)`: on
// `} else {` the `}` still belongs to the block being left.
uint32_t LinePoint(const std::string& text, TSNode body, uint32_t row) {
  size_t at = ts_node_start_byte(body);
  for (uint32_t r = ts_node_start_point(body).row; r < row && at < text.size(); ++at)
    if (text[at] == '\n') ++r;
  auto skip = [&](size_t i, const char* chars) {
    while (i < text.size() && text[i] != '\n' && text[i] != 0 && std::strchr(chars, text[i])) ++i;
    return i;
  };
  size_t code = skip(at, " \t\r");
  size_t past = skip(code, " \t\r})");
  bool rest = past < text.size() && text[past] != '\n';
  return static_cast<uint32_t>(rest ? past : code);
}

}  // namespace

LineLocks LocksAt(const GoFile& file, uint32_t line) {
  LineLocks out;
  if (line == 0) return out;
  const uint32_t row = line - 1;
  TSNode fn = syntax::OwnerOf(file, row);
  if (ts_node_is_null(fn)) return out;
  out.found = true;
  out.function = syntax::FunctionName(file, fn);
  if (GoFile::Is(fn, "method_declaration")) {
    std::vector<std::string> recv;
    ParamNames(file, GoFile::Field(fn, "receiver"), &recv);
    out.params.push_back(recv.empty() ? std::string() : recv.front());
  }
  ParamNames(file, GoFile::Field(fn, "parameters"), &out.params);

  // The function's own calls in source order, each with its scope. The
  // walk is preorder, so the scopes around a node are a stack of nested
  // ranges: pop the ones that ended before it starts.
  TSNode body = GoFile::Field(fn, "body");
  std::vector<Call> calls;
  struct Scope {
    uint32_t begin, end;
    bool leaves;
  };
  std::vector<Scope> scopes;
  TSNode wrapped{};  // the call a defer/go statement is about to run
  bool wrapped_defer = false;
  GoFile::Walk(body, [&](TSNode n) {
    if (GoFile::Is(n, "func_literal")) return false;
    uint32_t begin = ts_node_start_byte(n);
    while (!scopes.empty() && scopes.back().end <= begin) scopes.pop_back();
    if (IsScope(n)) scopes.push_back({begin, ts_node_end_byte(n), EndsInExit(file, n)});
    if (GoFile::Is(n, "defer_statement") || GoFile::Is(n, "go_statement")) {
      wrapped = NamedChild(n, 0);
      wrapped_defer = GoFile::Is(n, "defer_statement");
    }
    bool conversion = GoFile::Is(n, "type_conversion_expression") &&
                      GoFile::Is(GoFile::Field(n, "type"), "generic_type");
    if (!GoFile::Is(n, "call_expression") && !conversion) return true;
    Call c;
    c.node = n;
    c.kind = LockKind(file, n, &c.base, &c.path);
    if (!ts_node_is_null(wrapped) && ts_node_eq(n, wrapped)) {
      (wrapped_defer ? c.deferred : c.spawned) = true;
    }
    if (!scopes.empty()) {
      c.scope_begin = scopes.back().begin;
      c.scope_end = scopes.back().end;
      c.scope_leaves = scopes.back().leaves;
    }
    calls.push_back(std::move(c));
    return true;
  });

  // Where the line's statement stands: its first call, else its text.
  uint32_t point = UINT32_MAX;
  for (const Call& c : calls)
    if (ts_node_start_point(c.node).row == row) {
      point = ts_node_start_byte(c.node);
      break;
    }
  if (point == UINT32_MAX) point = LinePoint(file.text(), body, row);

  // Per lock expression and kind, where its last plain unlock before the
  // line starts: a lock taken before that point was released on some path.
  // An unlock in a branch that returns (`if err != nil { mu.Unlock();
  // return }`) is on no path to the line, unless that branch holds the
  // line itself.
  auto on_path = [&](const Call& c) {
    return !c.scope_leaves || (c.scope_begin <= point && point < c.scope_end);
  };
  std::map<std::tuple<Kind, std::string_view, std::string_view>, uint32_t> last_unlock;
  for (const Call& c : calls)
    if (c.kind != Kind::kCall && !IsLockKind(c.kind) && !c.deferred && !c.base.empty() &&
        ts_node_start_point(c.node).row < row && on_path(c))
      last_unlock[{c.kind, c.base, c.path}] = ts_node_start_byte(c.node);

  for (const Call& c : calls) {
    uint32_t at = ts_node_start_point(c.node).row;
    if (c.kind == Kind::kCall) {
      if (at == row) out.calls.push_back(Describe(file, c.node));
      continue;
    }
    if (c.base.empty() || c.deferred) continue;
    LockExpr e{c.base, c.path, IsRead(c.kind), at + 1};
    if (!IsLockKind(c.kind)) {
      if (at < row && on_path(c)) out.released.push_back(std::move(e));
      continue;
    }
    if (c.spawned) continue;
    if (at == row && !out.acquires) out.acquires = e;
    if (at >= row || c.scope_begin > point || point >= c.scope_end) continue;
    auto u = last_unlock.find({UnlockOf(c.kind), c.base, c.path});
    bool unlocked = u != last_unlock.end() && u->second > ts_node_start_byte(c.node);
    if (!unlocked) out.held.push_back(std::move(e));
  }
  return out;
}

bool IsPackageVar(const GoFile& file, std::string_view name) {
  bool found = false;
  auto spec = [&](TSNode s, const char*) {
    if (!GoFile::Is(s, "var_spec")) return;
    Children(s, [&](TSNode k, const char* field) {
      found = found || (IsField(field, "name") && file.Text(k) == name);
    });
  };
  Children(file.root(), [&](TSNode decl, const char*) {
    if (found || !GoFile::Is(decl, "var_declaration")) return;
    Children(decl, [&](TSNode s, const char* field) {
      if (GoFile::Is(s, "var_spec_list")) Children(s, spec);
      else spec(s, field);
    });
  });
  return found;
}

}  // namespace leakhound
