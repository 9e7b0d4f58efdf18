// waitgroup-wait in source: Add and Done counts that cannot match.
//   - wg.Add(K) with a constant K, a WaitGroup local to the function, and
//     fewer than K places that call Done (goroutines launched once each,
//     not in loops): Wait blocks forever.
//   - wg.Add inside the goroutine it counts, with Wait in the launcher:
//     Wait can run before Add and return early (or, on reuse, panic);
//     the work is then not waited for.
//   - a non-deferred wg.Done() in a goroutine with a return before it:
//     that path never counts down and Wait blocks forever.
// Skipped: Add(1) before each go with defer Done, Add(len(xs)) and other
// non-constant counts, and WaitGroups passed to code we cannot see.
#include <cstdlib>
#include <set>
#include <string>

#include "lint/rule.h"
#include "lint/scope.h"

namespace leakhound {

namespace {

std::string_view LastName(std::string_view recv) {
  size_t dot = recv.rfind('.');
  return dot == std::string_view::npos ? recv : recv.substr(dot + 1);
}

// Names declared with type sync.WaitGroup / *sync.WaitGroup in the file,
// or made with sync.WaitGroup{} / new(sync.WaitGroup).
std::set<std::string, std::less<>> WaitGroupNames(const GoFile& f) {
  std::set<std::string, std::less<>> names;
  std::vector<TSNode> nodes;
  for (const char* t : {"var_spec", "field_declaration", "parameter_declaration", "short_var_declaration"})
    nodes.insert(nodes.end(), f.Nodes(t).begin(), f.Nodes(t).end());
  for (TSNode n : nodes) {
    if (GoFile::Is(n, "var_spec") || GoFile::Is(n, "field_declaration") ||
        GoFile::Is(n, "parameter_declaration")) {
      std::string_view type = f.Text(GoFile::Field(n, "type"));
      if (type.ends_with("sync.WaitGroup"))
        for (uint32_t i = 0; i < GoFile::Count(n); ++i) {
          TSNode c = ts_node_named_child(n, i);
          if (GoFile::Is(c, "identifier") || GoFile::Is(c, "field_identifier"))
            names.insert(std::string(f.Text(c)));
        }
      continue;
    }
    if (GoFile::Is(n, "short_var_declaration")) {
      std::string_view right = f.Text(GoFile::Field(n, "right"));
      TSNode left = GoFile::Field(n, "left");
      if ((right == "&sync.WaitGroup{}" || right == "new(sync.WaitGroup)" ||
           right == "sync.WaitGroup{}") &&
          GoFile::Count(left) == 1)
        names.insert(std::string(f.Text(ts_node_named_child(left, 0))));
    }
  }
  return names;
}

struct WgCall {
  TSNode call;
  std::string recv;
  std::string method;
  TSNode launched;  // the go func literal it runs in (directly), or null
  bool in_other_literal = false;
  bool deferred = false;
};

LintFinding Make(const GoFile& f, TSNode at, std::string message) {
  LintFinding x;
  x.pattern = "waitgroup-wait";
  x.rule = "waitgroup-mismatch";
  x.file = f.path();
  x.line = f.Line(at);
  x.column = f.Column(at);
  x.message = std::move(message);
  return x;
}

}  // namespace

void RunWaitGroupMismatch(const GoFile& f, std::vector<LintFinding>* out) {
  if (f.text().find("WaitGroup") == std::string::npos) return;
  auto names = WaitGroupNames(f);
  if (names.empty()) return;
  for (TSNode fn : f.Functions()) {
    if (!IsFunc(fn)) continue;
    TSNode body = GoFile::Field(fn, "body");
    // Every Add/Done/Wait on a WaitGroup in this function, including in
    // closures; and WaitGroups the function declares itself.
    std::vector<WgCall> calls;
    std::set<std::string, std::less<>> local, escaped;
    GoFile::Walk(body, [&](TSNode n) {
      if (GoFile::Is(n, "var_spec") && f.Text(GoFile::Field(n, "type")) == "sync.WaitGroup" &&
          ts_node_eq(EnclosingFunc(n), fn))
        local.insert(std::string(f.Text(GoFile::Field(n, "name"))));
      if (GoFile::Is(n, "identifier") && names.count(f.Text(n))) {
        TSNode p = ts_node_parent(n);
        bool receiver = GoFile::Is(p, "selector_expression") &&
                        ts_node_eq(GoFile::Field(p, "operand"), n);
        if (!receiver && !GoFile::Is(p, "var_spec")) escaped.insert(std::string(f.Text(n)));
      }
      std::string_view recv, method;
      if (!MethodCall(f, n, &recv, &method) || !names.count(LastName(recv))) return true;
      if (method != "Add" && method != "Done" && method != "Wait") return true;
      WgCall c{n, std::string(recv), std::string(method), TSNode{}};
      TSNode lit = GoFile::Enclosing(n, {"func_literal", "function_declaration", "method_declaration"});
      if (!ts_node_eq(lit, fn)) {
        if (GoFile::Is(lit, "func_literal") && !ts_node_is_null(GoLaunchOf(lit)) &&
            ts_node_eq(EnclosingFunc(lit), fn))
          c.launched = lit;
        else
          c.in_other_literal = true;
      }
      c.deferred = GoFile::Is(ts_node_parent(n), "defer_statement");
      calls.push_back(std::move(c));
      return true;
    });
    if (calls.empty()) continue;

    // Add inside the goroutine, Wait in the launcher.
    for (const WgCall& add : calls) {
      if (add.method != "Add" || ts_node_is_null(add.launched)) continue;
      TSNode go = GoLaunchOf(add.launched);
      // A goroutine counted by an Add before its launch, that defers its
      // own Done, keeps the counter above zero while it adds: safe.
      bool defers_done = false, added_before = false;
      for (const WgCall& c : calls) {
        defers_done = defers_done || (c.method == "Done" && c.deferred && c.recv == add.recv &&
                                      ts_node_eq(c.launched, add.launched));
        added_before = added_before || (c.method == "Add" && c.recv == add.recv &&
                                        ts_node_is_null(c.launched) && !c.in_other_literal &&
                                        ts_node_start_byte(c.call) < ts_node_start_byte(go));
      }
      if (defers_done && added_before) continue;
      for (const WgCall& wait : calls) {
        if (wait.method != "Wait" || wait.recv != add.recv || !ts_node_is_null(wait.launched) ||
            wait.in_other_literal || ts_node_start_byte(wait.call) < ts_node_end_byte(go))
          continue;
        LintFinding x = Make(f, add.call,
                             add.recv + ".Add inside the goroutine it counts races with " +
                                 add.recv + ".Wait() at line " + std::to_string(f.Line(wait.call)) +
                                 ": Wait can see the counter at zero before this Add runs and "
                                 "return early (the work is not waited for); call " + add.recv +
                                 ".Add before the go statement");
        x.related.push_back({f.Line(go), "the goroutine is launched here"});
        x.related.push_back({f.Line(wait.call), "Wait may return before the Add"});
        out->push_back(std::move(x));
        break;
      }
    }

    // Done not deferred, with a return before it in the same goroutine.
    for (const WgCall& done : calls) {
      if (done.method != "Done" || done.deferred || ts_node_is_null(done.launched)) continue;
      TSNode early{};
      WalkOwn(GoFile::Field(done.launched, "body"), [&](TSNode n) {
        if (ts_node_is_null(early) && GoFile::Is(n, "return_statement") &&
            ts_node_start_byte(n) < ts_node_start_byte(done.call))
          early = n;
        return ts_node_is_null(early);
      });
      if (ts_node_is_null(early)) continue;
      LintFinding x = Make(f, done.call,
                           "the return at line " + std::to_string(f.Line(early)) + " skips " +
                               done.recv + ".Done(), so " + done.recv +
                               ".Wait() blocks forever on that path; defer " + done.recv +
                               ".Done() at the top of the goroutine");
      x.related.push_back({f.Line(early), "returns without Done"});
      out->push_back(std::move(x));
    }

    // Constant Add(K) with fewer Done sites, for a WaitGroup this
    // function owns and does not hand out.
    for (const std::string& wg : local) {
      if (escaped.count(wg)) continue;
      const WgCall* add = nullptr;
      int adds = 0, dones = 0;
      bool unknown = false;
      std::vector<TSNode> launches;
      const WgCall* wait = nullptr;
      for (const WgCall& c : calls) {
        if (c.recv != wg) continue;
        if (c.in_other_literal) unknown = true;
        if (c.method == "Add") {
          ++adds;
          add = &c;
          if (!ts_node_is_null(c.launched) || !ts_node_is_null(EnclosingLoop(c.call, fn)))
            unknown = true;
        } else if (c.method == "Done") {
          ++dones;
          TSNode where = ts_node_is_null(c.launched) ? c.call : GoLaunchOf(c.launched);
          if (!ts_node_is_null(EnclosingLoop(where, fn)) ||
              (!ts_node_is_null(c.launched) && !ts_node_is_null(EnclosingLoop(c.call, c.launched))))
            unknown = true;
          if (!ts_node_is_null(c.launched)) launches.push_back(GoLaunchOf(c.launched));
        } else if (c.method == "Wait" && !wait) {
          wait = &c;
        }
      }
      if (unknown || adds != 1 || !wait) continue;
      TSNode args = GoFile::Field(add->call, "arguments");
      if (GoFile::Count(args) != 1) continue;
      TSNode arg = ts_node_named_child(args, 0);
      if (!GoFile::Is(arg, "int_literal")) continue;
      long k = std::strtol(std::string(f.Text(arg)).c_str(), nullptr, 0);
      if (k <= dones) continue;
      LintFinding x = Make(f, add->call,
                           wg + ".Add(" + std::to_string(k) + ") but only " + std::to_string(dones) +
                               " call(s) of " + wg + ".Done() can run: " + wg +
                               ".Wait() at line " + std::to_string(f.Line(wait->call)) +
                               " blocks forever");
      for (TSNode go : launches) x.related.push_back({f.Line(go), "counts down once"});
      x.related.push_back({f.Line(wait->call), "waits for " + std::to_string(k)});
      out->push_back(std::move(x));
    }
    continue;
  }
}

}  // namespace leakhound
