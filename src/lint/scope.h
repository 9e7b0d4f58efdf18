// What several rules need beyond the bare syntax tree: functions and the
// statements that are their own (not those of closures inside them),
// goroutine launches, loops, and every use of a local channel sorted by
// what it does (send, receive, range, close, or escape to code we cannot
// see).
#ifndef LEAKHOUND_LINT_SCOPE_H_
#define LEAKHOUND_LINT_SCOPE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/go_file.h"

namespace leakhound {

// function_declaration, method_declaration or func_literal.
bool IsFunc(TSNode n);
// The nearest enclosing function of `n`, or null.
TSNode EnclosingFunc(TSNode n);
// Walks `root` without entering func literals below it (`visit` still
// sees the func_literal node itself).
void WalkOwn(TSNode root, const std::function<bool(TSNode)>& visit);
// `go func(...){...}(args)`: the go_statement launching func literal
// `lit`, or null when `lit` is not launched that way.
TSNode GoLaunchOf(TSNode lit);
// The innermost for_statement enclosing `n` below `stop` (a function),
// or null. A for_statement counts only when `n` is in its body.
TSNode EnclosingLoop(TSNode n, TSNode stop);
// Calls of the form RECV.METHOD(...): fills the receiver text and method.
bool MethodCall(const GoFile& f, TSNode call, std::string_view* recv, std::string_view* method);
// The name of a plain call: "close", "time.After", "wg.Add"; empty if none.
std::string_view CalleeText(const GoFile& f, TSNode call);
// Line text with surrounding blanks removed (for fingerprints).
std::string_view TrimmedLine(const std::string& text, uint32_t line);

// A channel made in a function: `ch := make(chan T[, cap])`,
// `ch = make(...)` or `var ch = make(...)`.
struct MadeChan {
  std::string name;
  TSNode make;           // the make(...) call
  TSNode stmt;           // its statement
  TSNode cap;            // capacity expression, null when unbuffered
};
// Channels made by the function's own statements.
std::vector<MadeChan> ChansMadeIn(const GoFile& f, TSNode fn);

// One use of a channel variable.
struct ChanUse {
  enum Kind { kSend, kRecv, kRange, kClose, kNeutral, kEscape } kind;
  TSNode node;      // the send_statement, the `<-ch` expression, the range_clause, ...
  TSNode launched;  // the func literal (launched with go) it runs in, or null
  bool in_other_literal = false;  // in a func literal that is not a go launch
};
// Every use of channel `name` in function `fn`, following it into go
// func literals that receive it as an argument (under the parameter's
// name). Uses in the function itself have a null `launched`.
std::vector<ChanUse> ChanUses(const GoFile& f, TSNode fn, const std::string& name);

// Calls visit(fn, ch, uses) for every channel made in a function or func
// literal of `f`, with its uses; files and bodies without "make(chan" are
// skipped by a text search first (most are).
void ForEachMadeChan(
    const GoFile& f,
    const std::function<void(TSNode fn, const MadeChan& ch, const std::vector<ChanUse>& uses)>& visit);

}  // namespace leakhound

#endif  // LEAKHOUND_LINT_SCOPE_H_
