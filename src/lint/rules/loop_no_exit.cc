// A `for {}` loop in a goroutine with no way out: no return, break, goto
// or labelled continue leaving it, no panic/os.Exit/log.Fatal/Goexit, and
// no receive from ctx.Done() or a quit/done/stop channel. The goroutine
// lives as long as the process; started per request, one leaks per call.
//
// The catalogue id names what a dump would show of that goroutine, so a
// runtime finding and this one read the same:
//   - the loop parks in a select      -> select-forever
//   - it parks in a channel send      -> chan-send-blocked (a generator
//     nobody stops)
//   - otherwise (spins, or sleeps and polls) -> busy-loop
// A loop that parks in a plain receive is a worker waiting for work: the
// runtime side calls small groups of those pools, not leaks, and so does
// this rule (it is skipped).
// Goroutines are func literals started with `go`, and functions and
// methods of this file started with `go name(...)` / `go x.name(...)`.
#include <cctype>
#include <set>
#include <string>

#include "lint/rule.h"
#include "lint/scope.h"

namespace leakhound {

namespace {

bool QuitName(std::string_view operand) {
  if (operand.ends_with("Done()") || operand.ends_with(".Dying()")) return true;
  std::string low;
  size_t dot = operand.rfind('.');
  for (char c : operand.substr(dot == std::string_view::npos ? 0 : dot + 1))
    low.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* w : {"done", "quit", "stop", "exit", "clos", "shutdown", "kill", "die", "term",
                        "cancel", "finish", "abort"})
    if (low.find(w) != std::string::npos) return true;
  return false;
}

bool IsExitCall(const GoFile& f, TSNode call) {
  std::string_view fn = CalleeText(f, call);
  if (fn == "panic" || fn == "os.Exit" || fn == "runtime.Goexit" || fn == "syscall.Exit") return true;
  size_t dot = fn.rfind('.');
  std::string_view method = dot == std::string_view::npos ? fn : fn.substr(dot + 1);
  return method.starts_with("Fatal") || method.starts_with("Panic") || method == "FailNow" ||
         method.starts_with("Skip") || method == "Exit";
}

void CheckLoops(const GoFile& f, TSNode fnbody, std::vector<LintFinding>* out) {
  if (f.Text(fnbody).find("for {") == std::string_view::npos) return;
  WalkOwn(fnbody, [&](TSNode loop) {
    if (!GoFile::Is(loop, "for_statement") || GoFile::Count(loop) != 1) return true;
    bool exits = false;
    TSNode select{}, recv{}, send{};
    WalkOwn(GoFile::Field(loop, "body"), [&](TSNode n) {
      if (exits) return false;
      if (GoFile::Is(n, "return_statement") || GoFile::Is(n, "goto_statement")) {
        exits = true;
      } else if (GoFile::Is(n, "break_statement")) {
        exits = GoFile::Count(n) > 0 ||
                ts_node_eq(GoFile::Enclosing(n, {"for_statement", "expression_switch_statement",
                                                 "type_switch_statement", "select_statement"}),
                           loop);
      } else if (GoFile::Is(n, "continue_statement")) {
        exits = GoFile::Count(n) > 0;
      } else if (GoFile::Is(n, "call_expression")) {
        exits = IsExitCall(f, n);
      } else if (GoFile::Is(n, "unary_expression") && f.Text(n).starts_with("<-")) {
        exits = QuitName(f.Text(GoFile::Field(n, "operand")));
        if (ts_node_is_null(recv)) recv = n;
      } else if (GoFile::Is(n, "select_statement") && ts_node_is_null(select)) {
        select = n;
      } else if (GoFile::Is(n, "send_statement") && ts_node_is_null(send)) {
        send = n;
      }
      return true;
    });
    if (exits) return true;
    LintFinding x;
    x.rule = "loop-no-exit";
    x.file = f.path();
    x.line = f.Line(loop);
    x.column = f.Column(loop);
    std::string parks;
    if (!ts_node_is_null(select)) {
      x.pattern = "select-forever";
      parks = "; it parks in the select";
      x.related.push_back({f.Line(select), "parks here, with no case that ends the loop"});
    } else if (!ts_node_is_null(recv)) {
      return true;  // a worker waiting for jobs
    } else if (!ts_node_is_null(send)) {
      x.pattern = "chan-send-blocked";
      parks = "; it parks in this send";
      x.related.push_back({f.Line(send), "parks here"});
    } else {
      x.pattern = "busy-loop";
    }
    x.message = "for {} in a goroutine with no exit (no return or break, no ctx.Done() or quit "
                "channel case): the goroutine never ends" + parks;
    out->push_back(std::move(x));
    return true;
  });
}

}  // namespace

void RunLoopNoExit(const GoFile& f, std::vector<LintFinding>* out) {
  // Names started with `go name(...)` (functions) or `go x.name(...)`
  // (methods) in this file.
  std::set<std::string, std::less<>> funcs, methods;
  std::vector<TSNode> literals, decls;
  for (TSNode n : f.Nodes("go_statement")) {
    if (GoFile::Count(n) == 0) continue;
    TSNode call = ts_node_named_child(n, 0);
    TSNode fn = GoFile::Field(call, "function");
    if (GoFile::Is(fn, "func_literal")) literals.push_back(fn);
    else if (GoFile::Is(fn, "identifier")) funcs.insert(std::string(f.Text(fn)));
    else if (GoFile::Is(fn, "selector_expression"))
      methods.insert(std::string(f.Text(GoFile::Field(fn, "field"))));
  }
  if (literals.empty() && funcs.empty() && methods.empty()) return;
  for (TSNode n : f.Functions())
    if (!GoFile::Is(n, "func_literal")) decls.push_back(n);
  for (TSNode d : decls) {
    std::string_view name = f.Text(GoFile::Field(d, "name"));
    bool launched = GoFile::Is(d, "function_declaration") ? funcs.count(name) > 0
                                                          : methods.count(name) > 0;
    if (launched) CheckLoops(f, GoFile::Field(d, "body"), out);
  }
  for (TSNode lit : literals) CheckLoops(f, GoFile::Field(lit, "body"), out);
}

}  // namespace leakhound
