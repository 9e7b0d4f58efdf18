// range-unclosed in source: `for v := range ch` over a channel made in
// this function when neither the function nor the goroutines it hands the
// channel to ever close it: the loop cannot end after the last value.
// Channels that escape (passed to a named function, stored, returned) or
// that are parameters or fields have an unknown scope and are skipped; so
// are ranges left by a break or return of their own.
#include <string>

#include "lint/rule.h"
#include "lint/scope.h"

namespace leakhound {

namespace {

// Does the range loop owning `clause` leave by itself (break, return,
// goto, or a labelled continue to an outer loop)?
bool LeavesByItself(TSNode clause) {
  TSNode loop = ts_node_parent(clause);
  bool leaves = false;
  WalkOwn(GoFile::Field(loop, "body"), [&](TSNode n) {
    if (leaves) return false;
    if (GoFile::Is(n, "return_statement") || GoFile::Is(n, "goto_statement")) leaves = true;
    if (GoFile::Is(n, "break_statement")) {
      if (GoFile::Count(n) > 0) {
        leaves = true;  // labelled: out of this loop or further
      } else {
        TSNode target = GoFile::Enclosing(
            n, {"for_statement", "expression_switch_statement", "type_switch_statement",
                "select_statement"});
        leaves = ts_node_eq(target, loop);
      }
    }
    if (GoFile::Is(n, "continue_statement") && GoFile::Count(n) > 0) leaves = true;
    return true;
  });
  return leaves;
}

}  // namespace

void RunRangeNeverClosed(const GoFile& f, std::vector<LintFinding>* out) {
  ForEachMadeChan(f, [&](TSNode fn, const MadeChan& ch, const std::vector<ChanUse>& uses) {
    bool unknown = false;
    std::vector<TSNode> ranges;
    for (const ChanUse& u : uses) {
      if (u.kind == ChanUse::kEscape || u.kind == ChanUse::kClose) unknown = true;
      if (u.kind == ChanUse::kRange) ranges.push_back(u.node);
    }
    if (unknown) return;
    for (TSNode r : ranges) {
      if (LeavesByItself(r)) continue;
      LintFinding x;
      x.pattern = "range-unclosed";
      x.rule = "range-never-closed";
      x.file = f.path();
      TSNode loop = ts_node_parent(r);
      x.line = f.Line(loop);
      x.column = f.Column(loop);
      x.message = "nothing closes " + ch.name + ", so this range never ends after the last "
                  "value; the sender should defer close(" + ch.name + ")";
      x.related.push_back({f.Line(ch.make), ch.name + " is made here and never closed"});
      out->push_back(std::move(x));
    }
  });
}

}  // namespace leakhound
