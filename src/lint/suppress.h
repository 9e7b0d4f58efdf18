// Comments that silence lint findings: leakhound's own
// `//leakhound:ignore ID reason`, and golangci-lint's `//nolint`, so code
// already annotated for golangci-lint needs no second comment.
#ifndef LEAKHOUND_LINT_SUPPRESS_H_
#define LEAKHOUND_LINT_SUPPRESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lint/go_file.h"

namespace leakhound {

// Findings on lines first..last (1-based, inclusive) whose pattern or rule
// is `id` are silenced; id "all" silences every finding there.
struct Suppression {
  uint32_t first = 0, last = 0;
  std::string id;
};

// Every suppression comment of `file`:
// - `//leakhound:ignore ID reason`: its own line and the line below.
// - `//nolint`, `//nolint:leakhound`, `//nolint:a,leakhound,b`,
//   `//nolint:all` (an explanation may follow: `//nolint:leakhound // why`);
//   `//nolint:other` is not for leakhound and silences nothing. As in
//   golangci-lint: after code, its own line; alone on its line, its line
//   and the whole statement or declaration that starts on the next line
//   (above a func: the whole func), else the next line.
std::vector<Suppression> Suppressions(const GoFile& file);

}  // namespace leakhound

#endif  // LEAKHOUND_LINT_SUPPRESS_H_
