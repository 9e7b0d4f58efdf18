#include "lint/suppress.h"

#include <sstream>
#include <string_view>

namespace leakhound {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// True when `text` (after "//nolint") names leakhound: nothing (every
// linter), or a ":"-list holding "leakhound" or "all". golangci-lint
// matches linter names case-insensitively.
bool NolintCoversLeakhound(std::string_view rest) {
  if (rest.empty() || IsBlank(rest[0])) return true;  // "//nolint", "//nolint // why"
  if (rest[0] != ':') return false;                   // "//nolintfoo": not a directive
  rest.remove_prefix(1);
  size_t end = 0;
  while (end < rest.size() && !IsBlank(rest[end])) ++end;
  std::string_view list = rest.substr(0, end);
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    std::string lower;
    for (char c : name) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    if (lower == "leakhound" || lower == "all") return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Whether only blanks stand before byte `at` on its line.
bool AloneOnLine(const std::string& text, uint32_t at) {
  while (at > 0 && text[at - 1] != '\n') {
    if (!IsBlank(text[at - 1])) return false;
    --at;
  }
  return true;
}

// The last line a //nolint alone on its line covers: the statement or
// declaration that starts on the next line (after any further comment
// lines, as a doc comment's), through its end; else just the next line.
uint32_t AppliesThrough(TSNode comment) {
  uint32_t prev_end = ts_node_end_point(comment).row;  // 0-based
  for (TSNode s = ts_node_next_named_sibling(comment); !ts_node_is_null(s);
       s = ts_node_next_named_sibling(s)) {
    if (ts_node_start_point(s).row != prev_end + 1) break;  // a blank line or more code between
    if (GoFile::Is(s, "comment")) {
      prev_end = ts_node_end_point(s).row;
      continue;
    }
    // A block's statements sit in a statement_list: the node meant is its first.
    while (GoFile::Is(s, "statement_list") && ts_node_named_child_count(s) > 0)
      s = ts_node_named_child(s, 0);
    return ts_node_end_point(s).row + 1;
  }
  return ts_node_start_point(comment).row + 2;
}

}  // namespace

std::vector<Suppression> Suppressions(const GoFile& file) {
  std::vector<Suppression> out;
  const std::string& text = file.text();
  for (TSNode c : file.Nodes("comment")) {
    std::string_view body = file.Text(c);
    uint32_t line = file.Line(c);
    if (body.starts_with("//leakhound:ignore")) {
      std::istringstream words{std::string(body.substr(18))};
      std::string id;
      words >> id;
      if (!id.empty()) out.push_back({line, line + 1, id});
    } else if (body.starts_with("//nolint") && NolintCoversLeakhound(body.substr(8))) {
      Suppression s{line, line, "all"};
      if (AloneOnLine(text, ts_node_start_byte(c))) s.last = AppliesThrough(c);
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace leakhound
