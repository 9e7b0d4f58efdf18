#include "analyze/lint_link.h"

#include <cctype>

namespace leakhound {

bool PathMatches(std::string_view file, std::string_view rel) {
  if (rel.empty()) return false;
  if (file == rel) return true;
  return file.size() > rel.size() && file.ends_with(rel) && file[file.size() - rel.size() - 1] == '/';
}

std::string DeclarationOf(std::string_view fn) {
  // Package path: up to the last '/', then the package name to the
  // first '.' after it.
  if (size_t slash = fn.rfind('/'); slash != std::string_view::npos) fn.remove_prefix(slash + 1);
  size_t dot = fn.find('.');
  if (dot == std::string_view::npos) return std::string(fn);
  fn.remove_prefix(dot + 1);
  // Closures and wrappers: "F.func1", "F.func1.2", "F.gowrap1", "F-range1".
  if (size_t dash = fn.find("-range"); dash != std::string_view::npos) fn = fn.substr(0, dash);
  for (;;) {
    size_t last = fn.rfind('.');
    if (last == std::string_view::npos) break;
    std::string_view tail = fn.substr(last + 1);
    bool closure = !tail.empty() && std::all_of(tail.begin(), tail.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    for (std::string_view w : {"func", "gowrap", "deferwrap"})
      if (tail.starts_with(w) && tail.size() > w.size() &&
          std::all_of(tail.begin() + static_cast<long>(w.size()), tail.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        closure = true;
    if (!closure) break;
    fn = fn.substr(0, last);
  }
  return std::string(fn);
}

std::vector<LintLink> LinkLint(const std::vector<SourceLint>& lint, const Snapshot& snapshot,
                               const Stack& stack, int blocking, std::string_view pattern) {
  std::vector<LintLink> line_links, fn_links;
  if (blocking < 0 || static_cast<size_t>(blocking) >= stack.frames.size()) return {};
  const Frame& top = stack.frames[static_cast<size_t>(blocking)];
  std::string_view top_file = snapshot.str(top.file);
  for (const SourceLint& s : lint) {
    const LintFinding& f = s.finding;
    bool at_line = false;
    if (PathMatches(top_file, s.rel)) {
      at_line = f.line == top.line;
      for (const auto& rel : f.related) at_line = at_line || rel.first == top.line;
    }
    if (at_line) {
      line_links.push_back({&s, "line"});
      continue;
    }
    if (f.pattern != pattern || f.function.empty()) continue;
    std::string match;
    for (size_t i = static_cast<size_t>(blocking); i < stack.frames.size() && match.empty(); ++i) {
      const Frame& fr = stack.frames[i];
      if (PathMatches(snapshot.str(fr.file), s.rel) &&
          DeclarationOf(snapshot.str(fr.function)) == f.function)
        match = "stack";
    }
    if (match.empty() && stack.has_creator && PathMatches(snapshot.str(stack.creator.file), s.rel) &&
        DeclarationOf(snapshot.str(stack.creator.function)) == f.function)
      match = "creator";
    if (!match.empty()) fn_links.push_back({&s, match});
  }
  line_links.insert(line_links.end(), fn_links.begin(), fn_links.end());
  return line_links;
}

}  // namespace leakhound
