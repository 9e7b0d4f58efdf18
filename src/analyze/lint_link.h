// Runtime findings meet lint findings: when `analyze` is given the Go
// source (--source), the linter runs over it once, and a runtime finding
// whose goroutine is blocked at a line the linter flagged (or that was
// created by / runs through a function where the linter found the same
// pattern) gains a reason, and shows the lint finding beside it.
#ifndef LEAKHOUND_ANALYZE_LINT_LINK_H_
#define LEAKHOUND_ANALYZE_LINT_LINK_H_

#include <string>
#include <string_view>
#include <vector>

#include "lint/rule.h"
#include "model/snapshot.h"

namespace leakhound {

// A lint finding with its path relative to the source root it was found
// under ("cmd/app/main.go"); a dump path matches when it ends with it.
struct SourceLint {
  LintFinding finding;
  std::string rel;
};

// How a lint finding was linked to a runtime finding.
struct LintLink {
  const SourceLint* lint = nullptr;
  // "line": at the blocking line (or a line the lint finding relates);
  // "creator" / "stack": the same pattern in the function that created
  // the goroutine, or in a function on its stack.
  std::string match;
};

// Evidence weights of the two kinds of link.
inline constexpr double kLintLineWeight = 0.25;
inline constexpr double kLintFunctionWeight = 0.15;

// Links for one bucket's stack; `blocking` is the frame index the
// runtime finding points at (-1: none), `pattern` its catalogue id.
// Line links come first.
std::vector<LintLink> LinkLint(const std::vector<SourceLint>& lint, const Snapshot& snapshot,
                               const Stack& stack, int blocking, std::string_view pattern);

// "main.(*T).M.func1" -> "(*T).M": the runtime's name of a function
// without its package path and closure suffixes, as lint names them.
std::string DeclarationOf(std::string_view runtime_function);

// True when dump path `file` is `rel` or ends with "/" + rel.
bool PathMatches(std::string_view file, std::string_view rel);

}  // namespace leakhound

#endif  // LEAKHOUND_ANALYZE_LINT_LINK_H_
