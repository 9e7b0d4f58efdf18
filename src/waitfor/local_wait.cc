// LocalWaitAt (see local_wait.h): finds the line's wait in the function
// that owns it, then reads every mention of each object it waits on in
// the outermost function around it. One declaration, and only uses that
// keep the object in that function's code, make it local; anything else
// (passed, stored, taken the address of, assigned again, captured by a
// closure that runs later) is a blocker, named in words.
#include "waitfor/local_wait.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "waitfor/syntax.h"

namespace leakhound {

namespace {

using syntax::Children;
using syntax::IsName;
using syntax::NamedChild;

bool Starts(TSNode n, uint32_t row) { return ts_node_start_point(n).row == row; }
uint32_t LineOf(TSNode n) { return ts_node_start_point(n).row + 1; }
bool Same(TSNode a, TSNode b) { return !ts_node_is_null(a) && !ts_node_is_null(b) && ts_node_eq(a, b); }

std::string Short(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 40) {
      out.append("…");
      return out;
    }
    out += (c == '\n' || c == '\t') ? ' ' : c;
  }
  return out;
}

TSNode Outermost(TSNode fn) {
  for (TSNode p = fn; !ts_node_is_null(p) && !ts_node_is_null(p = GoFile::Enclosing(p, {"function_declaration",
                                                                 "method_declaration",
                                                                 "func_literal"}));)
    fn = p;
  return fn;
}

// The channel a communication (`v := <-ch`, `ch <- v`, `<-ch`) is on.
TSNode ChannelOf(TSNode comm) {
  if (GoFile::Is(comm, "send_statement")) return GoFile::Field(comm, "channel");
  TSNode x = GoFile::Is(comm, "receive_statement") ? GoFile::Field(comm, "right") : comm;
  while (GoFile::Is(x, "parenthesized_expression")) x = NamedChild(x, 0);
  if (GoFile::Is(x, "unary_expression")) return GoFile::Field(x, "operand");
  return TSNode{};
}

bool IsReceive(const GoFile& f, TSNode n) {
  return GoFile::Is(n, "unary_expression") && f.Text(GoFile::Field(n, "operator")) == "<-";
}

// `X.M()` with no arguments, X a name: X's node, or null.
TSNode MethodCallOn(const GoFile& f, TSNode call, std::string_view method) {
  TSNode fn = GoFile::Field(call, "function");
  if (!GoFile::Is(call, "call_expression") || !GoFile::Is(fn, "selector_expression") ||
      f.Text(GoFile::Field(fn, "field")) != method || GoFile::Count(GoFile::Field(call, "arguments")) != 0)
    return TSNode{};
  TSNode x = GoFile::Field(fn, "operand");
  return IsName(x) ? x : TSNode{};
}

// The wait the line holds in `fn`'s own statements (not its closures'):
// the node to read and its op. A select wins over the cases on its line.
struct LineOp {
  TSNode node{};
  std::string op;
};

LineOp OpAt(const GoFile& f, TSNode fn, uint32_t row) {
  LineOp select, send, recv, range, wait;
  GoFile::Walk(GoFile::Field(fn, "body"), [&](TSNode n) {
    if (GoFile::Is(n, "func_literal")) return false;
    if (ts_node_start_point(n).row > row || ts_node_end_point(n).row < row) return false;
    if (!Starts(n, row)) return true;
    if (GoFile::Is(n, "select_statement") && ts_node_is_null(select.node)) select = {n, "select"};
    if (GoFile::Is(n, "send_statement") && ts_node_is_null(send.node)) send = {n, "send"};
    if (IsReceive(f, n) && ts_node_is_null(recv.node)) recv = {n, "receive"};
    if (GoFile::Is(n, "for_statement") && ts_node_is_null(range.node))
      Children(n, [&](TSNode k, const char*) {
        if (GoFile::Is(k, "range_clause")) range = {k, "range"};
      });
    if (!ts_node_is_null(MethodCallOn(f, n, "Wait")) && ts_node_is_null(wait.node))
      wait = {n, "WaitGroup.Wait"};
    return true;
  });
  // A single-case select compiles to the plain operation, which the
  // traceback may place on its case line.
  for (LineOp* o : {&send, &recv}) {
    if (ts_node_is_null(o->node)) continue;
    TSNode sel = GoFile::Enclosing(o->node, {"select_statement", "func_literal"});
    if (GoFile::Is(sel, "select_statement") && ts_node_is_null(select.node)) select = {sel, "select"};
  }
  for (const LineOp& o : {select, send, recv, range, wait})
    if (!ts_node_is_null(o.node)) return o;
  return {};
}

// Reads what `scope` does with the name `name`.
class ObjectReader {
 public:
  ObjectReader(const GoFile& f, TSNode scope) : f_(f), scope_(scope) {}

  // The object, or "" with *blocker set.
  // `depth` > 0 lets the object be passed to `go f(x)` when f keeps the
  // parameter to itself (f's lines go to *also).
  LocalObject Read(std::string_view name, bool wait_group, std::string* blocker, int depth = 1,
                   std::vector<ScopeRange>* also = nullptr) {
    LocalObject obj;
    obj.name = name;
    int decls = 0;
    GoFile::Walk(scope_, [&](TSNode n) {
      if (!blocker->empty()) return false;
      if (!IsName(n) || f_.Text(n) != name) return true;
      TSNode value{};
      std::string kind;
      Use use = Classify(n, &value, &kind);
      if (use == Use::kGoArg) use = GoArg(n, wait_group, depth, also) ? Use::kChannelUse : Use::kOther;
      if (use == Use::kReturn) use = !wait_group && Returned(n, depth, also) ? Use::kChannelUse : Use::kOther;
      if (use == Use::kChannelUse && wait_group) use = Use::kSyncUse;  // passed as &wg
      switch (use) {
        case Use::kParameter:
          ++decls;
          obj.declared = LineOf(n);
          obj.kind = kind;
          obj.param = ParamIndex(n);
          if (kind.empty() || obj.param < 0)
            *blocker = fmt::format("{} is a parameter of a type leakhound cannot vouch for", name);
          break;
        case Use::kDeclaration: {
          ++decls;
          obj.declared = LineOf(n);
          obj.kind = kind;
          TSNode home = GoFile::Enclosing(n, {"function_declaration", "method_declaration", "func_literal"});
          obj.home_first = ts_node_start_point(home).row + 1;
          obj.home_last = ts_node_end_point(home).row + 1;
          if (kind.empty())
            *blocker = fmt::format("{} is declared at line {} from {}", name, LineOf(n),
                                   ts_node_is_null(value) ? std::string("a value leakhound cannot see")
                                                          : fmt::format("`{}`", Short(f_.Text(value))));
          break;
        }
        case Use::kChannelUse:
          if (wait_group) *blocker = fmt::format("{} is used as a channel at line {}", name, LineOf(n));
          break;
        case Use::kSyncUse:
          if (!wait_group) *blocker = fmt::format("{} is used as a {} at line {}", name, "WaitGroup or Cond", LineOf(n));
          break;
        case Use::kGoArg:
        case Use::kReturn:
        case Use::kOther:
          *blocker = fmt::format("{} leaves the function at line {} (`{}`)", name, LineOf(n),
                                 Short(f_.Text(ts_node_parent(n))));
          break;
      }
      return true;
    });
    if (blocker->empty() && decls != 1)
      *blocker = decls == 0 ? fmt::format("{} is not declared in {}", name, "the function around it")
                            : fmt::format("{} is declared {} times", name, decls);
    bool sync_kind = obj.kind == "WaitGroup" || obj.kind == "Cond";
    if (blocker->empty() && sync_kind != wait_group)
      *blocker = fmt::format("{} is a {}", name, obj.kind);
    return obj;
  }

  // Every func literal of the scope that mentions one of `names` runs on
  // the spot, deferred, or as a goroutine; else it may run anywhere later.
  std::string Closures(const std::vector<std::string>& names) {
    std::string blocker;
    GoFile::Walk(scope_, [&](TSNode n) {
      if (!blocker.empty()) return false;
      if (!GoFile::Is(n, "func_literal") || Same(n, scope_)) return true;
      TSNode parent = ts_node_parent(n);
      if (GoFile::Is(parent, "call_expression") && Same(GoFile::Field(parent, "function"), n))
        return true;  // run at once (or by go/defer)
      std::string used;
      GoFile::Walk(n, [&](TSNode k) {
        if (used.empty() && IsName(k))
          for (const std::string& x : names)
            if (f_.Text(k) == x) used = x;
        return used.empty();
      });
      if (!used.empty())
        blocker = fmt::format("a func literal at line {} uses {} and may run later, anywhere",
                              LineOf(n), used);
      return true;
    });
    return blocker;
  }

 private:
  enum class Use { kDeclaration, kParameter, kChannelUse, kSyncUse, kGoArg, kReturn, kOther };

  // Index of the parameter `id` names among its function's parameters,
  // when that function is the scope itself (a closure's parameter is a
  // value from wherever the closure is called); else -1.
  int ParamIndex(TSNode id) {
    TSNode decl = ts_node_parent(id);
    TSNode list = ts_node_parent(decl);
    if (!Same(list, GoFile::Field(scope_, "parameters"))) return -1;
    int k = 0, at = -1;
    Children(list, [&](TSNode p, const char*) {
      Children(p, [&](TSNode n, const char* field) {
        if (!syntax::IsField(field, "name")) return;
        if (Same(n, id)) at = k;
        ++k;
      });
    });
    return at;
  }

  // `go f(..., x, ...)` (x or &x) where f is the file's only function or
  // method of that name and keeps its parameter to itself.
  bool GoArg(TSNode id, bool wait_group, int depth, std::vector<ScopeRange>* also) {
    if (depth <= 0 || !also) return false;
    TSNode arg = id, p = ts_node_parent(id);
    if (wait_group && GoFile::Is(p, "unary_expression") && f_.Text(GoFile::Field(p, "operator")) == "&") {
      arg = p;
      p = ts_node_parent(p);
    }
    TSNode call = ts_node_parent(p);
    if (!GoFile::Is(p, "argument_list") || !GoFile::Is(ts_node_parent(call), "go_statement")) return false;
    uint32_t index = Position(p, arg);
    TSNode fn = GoFile::Field(call, "function");
    if (GoFile::Is(fn, "selector_expression")) fn = GoFile::Field(fn, "field");
    std::string_view callee = f_.Text(fn);
    TSNode decl{};
    int matches = 0;
    for (TSNode d : f_.Functions()) {
      if (GoFile::Is(d, "func_literal") || f_.Text(GoFile::Field(d, "name")) != callee) continue;
      decl = d;
      ++matches;
    }
    if (matches != 1) return false;
    std::vector<std::string> params;
    Children(GoFile::Field(decl, "parameters"), [&](TSNode pd, const char*) {
      Children(pd, [&](TSNode n, const char* field) {
        if (syntax::IsField(field, "name")) params.emplace_back(f_.Text(n));
      });
    });
    if (index >= params.size() || params[index] == "_") return false;
    ObjectReader inner(f_, decl);
    std::string blocker;
    LocalObject o = inner.Read(params[index], wait_group, &blocker, depth - 1, nullptr);
    if (blocker.empty()) blocker = inner.Closures({params[index]});
    if (!blocker.empty() || o.param != static_cast<int>(index)) return false;
    also->push_back({syntax::FunctionName(f_, decl), ts_node_start_point(decl).row + 1,
                     ts_node_end_point(decl).row + 1,
                     fmt::format("started with it at line {}", LineOf(call))});
    return true;
  }

  // `return x` of the scope itself, an unexported function declared once
  // in the file whose one result is a channel, where every mention of
  // the function in the file is a call whose result goes straight into a
  // range or a receive: the channel then reaches only those callers'
  // code (their lines go to *also), as no name ever holds it there.
  // Other files of the package could call the function too, which
  // package_only() asks the caller to rule out.
  bool Returned(TSNode id, int depth, std::vector<ScopeRange>* also) {
    if (depth <= 0 || !also || !GoFile::Is(scope_, "function_declaration")) return false;
    TSNode own = GoFile::Enclosing(id, {"function_declaration", "method_declaration", "func_literal"});
    if (!Same(own, scope_) || !GoFile::Is(GoFile::Field(scope_, "result"), "channel_type")) return false;
    std::string_view name = f_.Text(GoFile::Field(scope_, "name"));
    if (name.empty() || !(name.front() >= 'a' && name.front() <= 'z')) return false;
    if (package_only_ == name) return true;  // another `return x`: callers already read
    std::vector<ScopeRange> callers;
    for (TSNode n : f_.Nodes("identifier")) {
      if (f_.Text(n) != name) continue;
      if (Same(n, GoFile::Field(scope_, "name"))) continue;
      TSNode call = ts_node_parent(n);
      if (!GoFile::Is(call, "call_expression") || !Same(GoFile::Field(call, "function"), n)) return false;
      TSNode use = ts_node_parent(call);
      bool ranged = GoFile::Is(use, "range_clause") && Same(GoFile::Field(use, "right"), call);
      bool received = GoFile::Is(use, "unary_expression") && IsReceive(f_, use);
      if (!ranged && !received) return false;
      TSNode caller = Outermost(call);
      if (!GoFile::Is(caller, "function_declaration") && !GoFile::Is(caller, "method_declaration") &&
          !GoFile::Is(caller, "func_literal"))
        return false;  // a package-level initializer
      callers.push_back({syntax::FunctionName(f_, caller), ts_node_start_point(caller).row + 1,
                         ts_node_end_point(caller).row + 1,
                         fmt::format("{} its result at line {}", received ? "receives" : "ranges over",
                                     LineOf(call))});
    }
    if (callers.empty()) return false;
    for (ScopeRange& c : callers)
      if (c.first != ts_node_start_point(scope_).row + 1) also->push_back(std::move(c));
    package_only_ = name;
    return true;
  }

 public:
  // The function whose callers Read followed (Returned), or "".
  const std::string& package_only() const { return package_only_; }

 private:

  Use Classify(TSNode id, TSNode* value, std::string* kind) {
    TSNode p = ts_node_parent(id);
    std::string_view pt = ts_node_is_null(p) ? "" : ts_node_type(p);
    if (pt == "send_statement" && Same(GoFile::Field(p, "channel"), id)) return Use::kChannelUse;
    if (pt == "unary_expression" && IsReceive(f_, p)) return Use::kChannelUse;
    if (pt == "range_clause" && Same(GoFile::Field(p, "right"), id)) return Use::kChannelUse;
    if (pt == "unary_expression" && f_.Text(GoFile::Field(p, "operator")) == "&" &&
        GoFile::Is(ts_node_parent(p), "argument_list") &&
        GoFile::Is(ts_node_parent(ts_node_parent(ts_node_parent(p))), "go_statement"))
      return Use::kGoArg;
    if (pt == "argument_list") {
      TSNode call = ts_node_parent(p);
      if (GoFile::Is(ts_node_parent(call), "go_statement")) return Use::kGoArg;
      TSNode fn = GoFile::Field(call, "function");
      std::string_view callee = IsName(fn) ? f_.Text(fn) : "";
      if ((callee == "close" || callee == "len" || callee == "cap") && GoFile::Count(p) == 1)
        return Use::kChannelUse;
      return Use::kOther;
    }
    if (pt == "selector_expression" && Same(GoFile::Field(p, "operand"), id)) {
      std::string_view m = f_.Text(GoFile::Field(p, "field"));
      TSNode call = ts_node_parent(p);
      bool method = m == "Add" || m == "Done" || m == "Wait" || m == "Signal" || m == "Broadcast";
      if (method && GoFile::Is(call, "call_expression") && Same(GoFile::Field(call, "function"), p))
        return Use::kSyncUse;
      // cond.L.Lock() / cond.L.Unlock(): the Cond's own lock.
      TSNode outer = call;
      std::string_view lm = f_.Text(GoFile::Field(outer, "field"));
      if (m == "L" && GoFile::Is(outer, "selector_expression") && (lm == "Lock" || lm == "Unlock") &&
          GoFile::Is(ts_node_parent(outer), "call_expression") &&
          Same(GoFile::Field(ts_node_parent(outer), "function"), outer))
        return Use::kSyncUse;
      return Use::kOther;
    }
    if (pt == "var_spec" && Same(GoFile::Field(p, "name"), id)) {
      TSNode values = GoFile::Field(p, "value");
      if (!ts_node_is_null(values)) {
        *value = Nth(values, Index(p, id, "name"));
        *kind = KindOf(*value);
      } else {
        *kind = TypeKind(GoFile::Field(p, "type"));
      }
      return Use::kDeclaration;
    }
    if (pt == "expression_list") {
      TSNode decl = ts_node_parent(p);
      if (GoFile::Is(decl, "short_var_declaration") && Same(GoFile::Field(decl, "left"), p)) {
        *value = Nth(GoFile::Field(decl, "right"), Position(p, id));
        *kind = KindOf(*value);
        return Use::kDeclaration;
      }
      if ((GoFile::Is(decl, "range_clause") || GoFile::Is(decl, "receive_statement")) &&
          Same(GoFile::Field(decl, "left"), p))
        return Use::kDeclaration;  // no kind: a value from elsewhere
      if (GoFile::Is(decl, "return_statement") && GoFile::Count(p) == 1) return Use::kReturn;
      return Use::kOther;  // assigned again, returned, listed
    }
    // Declared as a parameter (of the function or a closure): a value
    // from the caller.
    if (pt == "parameter_declaration") {
      *kind = ParamKind(GoFile::Field(p, "type"));
      return Use::kParameter;
    }
    if (pt == "variadic_parameter_declaration") return Use::kParameter;
    return Use::kOther;
  }

  static TSNode Nth(TSNode list, uint32_t i) {
    uint32_t k = 0;
    TSNode out{};
    Children(list, [&](TSNode n, const char*) {
      if (GoFile::Is(n, "comment")) return;
      if (k++ == i) out = n;
    });
    return out;
  }
  static uint32_t Position(TSNode list, TSNode id) {
    uint32_t k = 0, at = 0;
    Children(list, [&](TSNode n, const char*) {
      if (Same(n, id)) at = k;
      if (!GoFile::Is(n, "comment")) ++k;
    });
    return at;
  }
  static uint32_t Index(TSNode spec, TSNode id, const char* field) {
    uint32_t k = 0, at = 0;
    Children(spec, [&](TSNode n, const char* name) {
      if (!syntax::IsField(name, field)) return;
      if (Same(n, id)) at = k;
      ++k;
    });
    return at;
  }

  // "channel" for make(chan T[, n]), "WaitGroup" for sync.WaitGroup{},
  // &sync.WaitGroup{} or new(sync.WaitGroup); "" for anything else.
  std::string KindOf(TSNode v) {
    if (GoFile::Is(v, "unary_expression") && f_.Text(GoFile::Field(v, "operator")) == "&")
      v = GoFile::Field(v, "operand");
    if (GoFile::Is(v, "composite_literal")) return TypeKind(GoFile::Field(v, "type")) == "WaitGroup" ? "WaitGroup" : "";
    if (!GoFile::Is(v, "call_expression")) return "";
    TSNode fn = GoFile::Field(v, "function");
    std::string_view callee = IsName(fn) ? f_.Text(fn) : "";
    TSNode first = NamedChild(GoFile::Field(v, "arguments"), 0);
    if (callee == "make" && TypeKind(first) == "nil channel") return "channel";
    if (callee == "new" && TypeKind(first) == "WaitGroup") return "WaitGroup";
    if (GoFile::Is(fn, "selector_expression") && f_.Text(fn) == "sync.NewCond") return "Cond";
    return "";
  }
  // A parameter's type: a channel, or a *sync.WaitGroup.
  std::string ParamKind(TSNode t) {
    if (GoFile::Is(t, "channel_type")) return "channel";
    if (GoFile::Is(t, "pointer_type") && TypeKind(NamedChild(t, 0)) == "WaitGroup") return "WaitGroup";
    return "";
  }
  std::string TypeKind(TSNode t) {
    if (GoFile::Is(t, "channel_type")) return "nil channel";  // a var of chan type, not made
    if (GoFile::Is(t, "qualified_type") && f_.Text(t) == "sync.WaitGroup") return "WaitGroup";
    return "";
  }

  const GoFile& f_;
  TSNode scope_;
  std::string package_only_;
};

// Only the code of the functions declaring the objects can name them:
// when all are declared in one func literal (or literals nested in it),
// the scope is that literal's lines, not the whole of `scope`.
void NarrowToHomes(TSNode scope, LocalWait* w) {
  uint32_t first = UINT32_MAX, last = 0;
  for (const LocalObject& o : w->objects) {
    if (o.home_first == 0) return;  // a parameter: the whole function
    first = std::min(first, o.home_first);
    last = std::max(last, o.home_last);
  }
  if (w->objects.empty() || !w->also.empty()) return;
  if (first > w->scope_first || last < w->scope_last) {
    w->scope_first = first;
    w->scope_last = last;
    w->literal = first != ts_node_start_point(scope).row + 1;
  }
}

// An answer for a wait found in `fn`: the outermost function around it is
// its scope (returned).
TSNode Begin(const GoFile& file, TSNode fn, const std::string& op, LocalWait* out) {
  out->found = true;
  out->op = op;
  TSNode scope = Outermost(fn);
  out->scope = syntax::FunctionName(file, scope);
  out->scope_first = ts_node_start_point(scope).row + 1;
  out->scope_last = ts_node_end_point(scope).row + 1;
  return scope;
}

}  // namespace

LocalWait LocalWaitAt(const GoFile& file, uint32_t line) {
  LocalWait out;
  if (line == 0) return out;
  const uint32_t row = line - 1;
  TSNode fn = syntax::OwnerOf(file, row);
  if (ts_node_is_null(fn)) return out;
  LineOp op = OpAt(file, fn, row);
  if (ts_node_is_null(op.node)) return out;
  TSNode scope = Begin(file, fn, op.op, &out);

  // The names the line waits on.
  std::vector<std::string> names;
  std::vector<LocalObject> made;  // made on the line itself
  auto channel = [&](TSNode ch) {
    while (GoFile::Is(ch, "parenthesized_expression")) ch = NamedChild(ch, 0);
    // `<-make(chan T)`: a channel made on the spot that nobody else has.
    TSNode mk = GoFile::Field(ch, "function");
    TSNode mk_type = NamedChild(GoFile::Field(ch, "arguments"), 0);
    if (GoFile::Is(ch, "call_expression") && IsName(mk) && file.Text(mk) == "make" &&
        GoFile::Is(mk_type, "channel_type")) {
      LocalObject o;
      o.name = Short(file.Text(ch));
      o.kind = "channel";
      o.declared = LineOf(ch);
      o.home_first = ts_node_start_point(fn).row + 1;
      o.home_last = ts_node_end_point(fn).row + 1;
      made.push_back(std::move(o));
      return;
    }
    if (!IsName(ch)) {
      if (out.blocker.empty())
        out.blocker = fmt::format("`{}` is not a local channel",
                                  ts_node_is_null(ch) ? std::string("?") : Short(file.Text(ch)));
      return;
    }
    names.emplace_back(file.Text(ch));
  };
  if (op.op == "select") {
    Children(op.node, [&](TSNode c, const char*) {
      if (GoFile::Is(c, "default_case")) out.blocker = "the select has a default case";
      if (GoFile::Is(c, "communication_case")) channel(ChannelOf(GoFile::Field(c, "communication")));
    });
  } else if (op.op == "send") {
    channel(GoFile::Field(op.node, "channel"));
  } else if (op.op == "receive") {
    channel(GoFile::Field(op.node, "operand"));
  } else if (op.op == "range") {
    channel(GoFile::Field(op.node, "right"));
  } else {
    names.emplace_back(file.Text(MethodCallOn(file, op.node, "Wait")));
  }
  if (!out.blocker.empty()) return out;

  ObjectReader reader(file, scope);
  for (const std::string& name : names) {
    bool seen = false;
    for (const LocalObject& o : out.objects) seen = seen || o.name == name;
    if (seen) continue;
    LocalObject obj = reader.Read(name, op.op == "WaitGroup.Wait", &out.blocker, 1, &out.also);
    if (!out.blocker.empty()) return out;
    if (obj.kind == "Cond") out.op = "Cond.Wait";
    // A parameter is vouched for through the go statement that started
    // the function; a closure using it runs wherever it was started from.
    if (obj.param >= 0 && !Same(fn, scope)) {
      out.blocker = fmt::format("{} is a parameter of {}, used by a closure", name, out.scope);
      return out;
    }
    out.objects.push_back(std::move(obj));
  }
  for (LocalObject& o : made) out.objects.push_back(std::move(o));
  out.blocker = reader.Closures(names);
  out.package_only = reader.package_only();
  NarrowToHomes(scope, &out);
  return out;
}

LocalWait LocalThroughGo(const GoFile& file, uint32_t line, const LocalWait& wait) {
  LocalWait out;
  if (line == 0 || wait.objects.empty()) return out;
  const uint32_t row = line - 1;
  TSNode fn = syntax::OwnerOf(file, row);
  if (ts_node_is_null(fn)) return out;
  // The go statement on the line, its function named as the started one.
  std::string_view bare = wait.scope;
  if (size_t dot = bare.rfind('.'); dot != std::string_view::npos) bare = bare.substr(dot + 1);
  TSNode call{};
  GoFile::Walk(GoFile::Field(fn, "body"), [&](TSNode n) {
    if (GoFile::Is(n, "func_literal") || !ts_node_is_null(call)) return false;
    if (ts_node_start_point(n).row > row || ts_node_end_point(n).row < row) return false;
    if (GoFile::Is(n, "go_statement") && Starts(n, row)) {
      TSNode c = NamedChild(n, 0);
      TSNode f = GoFile::Field(c, "function");
      if (GoFile::Is(f, "selector_expression")) f = GoFile::Field(f, "field");
      if (GoFile::Is(c, "call_expression") && file.Text(f) == bare) call = c;
    }
    return true;
  });
  if (ts_node_is_null(call)) return out;
  TSNode scope = Begin(file, fn, wait.op, &out);
  std::vector<TSNode> args;
  Children(GoFile::Field(call, "arguments"), [&](TSNode a, const char*) {
    if (!GoFile::Is(a, "comment")) args.push_back(a);
  });
  ObjectReader reader(file, scope);
  std::vector<std::string> names;
  for (const LocalObject& p : wait.objects) {
    bool wait_group = p.kind == "WaitGroup";
    TSNode a = p.param >= 0 && static_cast<size_t>(p.param) < args.size() ? args[static_cast<size_t>(p.param)] : TSNode{};
    if (wait_group && GoFile::Is(a, "unary_expression") && file.Text(GoFile::Field(a, "operator")) == "&")
      a = GoFile::Field(a, "operand");
    if (!IsName(a)) {
      out.blocker = fmt::format("the goroutine was started with {} not from a local object",
                                p.name);
      return out;
    }
    std::string name(file.Text(a));
    LocalObject obj = reader.Read(name, wait_group, &out.blocker, 1, &out.also);
    if (!out.blocker.empty()) return out;
    if (obj.param >= 0) {
      out.blocker = fmt::format("{} is a parameter of {}", name, out.scope);
      return out;
    }
    names.push_back(name);
    out.objects.push_back(std::move(obj));
  }
  out.blocker = reader.Closures(names);
  out.package_only = reader.package_only();
  return out;
}

}  // namespace leakhound
