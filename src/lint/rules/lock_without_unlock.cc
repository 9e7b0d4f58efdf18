// mutex-held in source: X.Lock() with no deferred X.Unlock() and a return
// (or the end of the function) reached before any X.Unlock(): the lock
// stays held and every later Lock waits forever.
#include <cctype>
#include <string>

#include "lint/rule.h"

namespace leakhound {

namespace {

bool GoBlockMentions(const GoFile& f, TSNode body, std::string_view what) {
  return f.Text(body).find(what) != std::string_view::npos;
}

// "mu.Lock()" -> receiver "mu", method "Lock"; empty when not a method call.
bool MethodCall(const GoFile& f, TSNode call, std::string_view* recv, std::string_view* method) {
  if (!GoFile::Is(call, "call_expression")) return false;
  TSNode fn = GoFile::Field(call, "function");
  if (!GoFile::Is(fn, "selector_expression")) return false;
  *recv = f.Text(GoFile::Field(fn, "operand"));
  *method = f.Text(GoFile::Field(fn, "field"));
  return true;
}

}  // namespace

void RunLockWithoutUnlock(const GoFile& f, std::vector<LintFinding>* out) {
  if (f.text().find("Lock(") == std::string::npos) return;
  for (TSNode owner : f.Functions()) {
    TSNode body = GoFile::Field(owner, "body");
    // Cheap first: most functions never lock.
    if (!GoBlockMentions(f, body, "Lock(")) continue;
    // A function named like lock/acquire/holdLock hands the lock to its
    // caller on purpose (the Go standard library does this often).
    std::string fname(f.Text(GoFile::Field(owner, "name")));
    for (char& c : fname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (fname.find("lock") != std::string::npos || fname.find("acquire") != std::string::npos)
      continue;
    // Calls in this function (not in nested func literals), in source order.
    struct Call {
      TSNode node;
      std::string recv, method;
      bool deferred;
    };
    std::vector<Call> calls;
    std::vector<TSNode> returns;
    GoFile::Walk(body, [&](TSNode n) {
      if (GoFile::Is(n, "func_literal")) return false;
      std::string_view recv, method;
      if (MethodCall(f, n, &recv, &method))
        calls.push_back({n, std::string(recv), std::string(method),
                         GoFile::Is(ts_node_parent(n), "defer_statement")});
      if (GoFile::Is(n, "return_statement")) returns.push_back(n);
      return true;
    });
    for (const Call& lock : calls) {
      if (lock.deferred || (lock.method != "Lock" && lock.method != "RLock")) continue;
      std::string unlock = lock.method == "Lock" ? "Unlock" : "RUnlock";
      bool deferred_unlock = false;
      uint32_t first_unlock = UINT32_MAX;
      for (const Call& c : calls) {
        if (c.recv != lock.recv || c.method != unlock) continue;
        if (c.deferred) deferred_unlock = true;
        else if (ts_node_start_byte(c.node) > ts_node_start_byte(lock.node))
          first_unlock = std::min(first_unlock, ts_node_start_byte(c.node));
      }
      if (deferred_unlock) continue;
      LintFinding x;
      x.pattern = "mutex-held";
      x.rule = "lock-without-unlock";
      x.file = f.path();
      x.line = f.Line(lock.node);
      x.column = f.Column(lock.node);
      if (first_unlock == UINT32_MAX) {
        x.message = lock.recv + "." + lock.method + "() is never followed by " + lock.recv + "." +
                    unlock + "() in this function; use defer " + lock.recv + "." + unlock + "()";
      } else {
        for (TSNode r : returns) {
          uint32_t at = ts_node_start_byte(r);
          if (at > ts_node_start_byte(lock.node) && at < first_unlock) {
            x.message = "return while " + lock.recv + " is locked: " + lock.recv + "." + unlock +
                        "() is skipped on this path; use defer " + lock.recv + "." + unlock + "()";
            x.related.push_back({f.Line(r), "returns with the lock held"});
            break;
          }
        }
        if (x.message.empty()) continue;
      }
      out->push_back(std::move(x));
    }
    continue;
  }
}

}  // namespace leakhound
