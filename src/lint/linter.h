// leakhound lint: Go source in, findings of the shared leak patterns out.
#ifndef LEAKHOUND_LINT_LINTER_H_
#define LEAKHOUND_LINT_LINTER_H_

#include <functional>
#include <string>
#include <vector>

#include "lint/rule.h"

namespace leakhound {

// Expands command-line arguments like go vet does: "DIR/..." is every .go
// file below DIR (skipping vendor/, testdata/ and dirs starting with "."
// or "_"), a directory is its own .go files, a file is itself. Returns
// false with a one-line error for a path that does not exist.
bool CollectGoFiles(const std::vector<std::string>& args, std::vector<std::string>* files,
                    std::string* error);

struct LintResult {
  std::vector<LintFinding> findings;  // by file, line, column
  size_t files = 0;
  uint64_t lines = 0;
  size_t suppressed = 0;              // by //leakhound:ignore and //nolint comments
  std::vector<std::string> errors;    // unreadable files
};

// Lints files on `jobs` threads (0: one per core). A finding is dropped
// when a suppression comment covers it (lint/suppress.h:
// "//leakhound:ignore ID reason" on its line or the line above, ID its
// pattern, its rule or "all"; golangci-lint's //nolint naming leakhound).
// `progress`, when set, is called now and then (from the calling thread)
// with the number of files done.
LintResult LintFiles(const std::vector<std::string>& files, unsigned jobs = 0,
                     const std::function<void(size_t done, size_t total)>& progress = nullptr);

// Lints one in-memory file (tests, fuzzing).
std::vector<LintFinding> LintSource(const std::string& path, const std::string& text,
                                    size_t* suppressed = nullptr);

}  // namespace leakhound

#endif  // LEAKHOUND_LINT_LINTER_H_
