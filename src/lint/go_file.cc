#include "lint/go_file.h"

#include <vector>

extern "C" const TSLanguage* tree_sitter_go(void);

namespace leakhound {

GoFile::GoFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
  parser_ = ts_parser_new();
  ts_parser_set_language(parser_, tree_sitter_go());
  // Untrusted input: bound the time one file may take.
  ts_parser_set_timeout_micros(parser_, 5'000'000);
  tree_ = ts_parser_parse_string(parser_, nullptr, text_.data(), static_cast<uint32_t>(text_.size()));
}

GoFile::~GoFile() {
  if (tree_) ts_tree_delete(tree_);
  if (parser_) ts_parser_delete(parser_);
}

TSNode GoFile::root() const {
  if (!tree_) return TSNode{};
  return ts_tree_root_node(tree_);
}

std::string_view GoFile::Text(TSNode n) const {
  if (ts_node_is_null(n)) return {};
  uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  if (b > e || e > text_.size()) return {};
  return std::string_view(text_).substr(b, e - b);
}

void GoFile::Walk(TSNode n, const std::function<bool(TSNode)>& visit) {
  if (ts_node_is_null(n)) return;
  // Iterative: deeply nested (or hostile) input must not overflow the stack.
  std::vector<TSNode> todo = {n};
  while (!todo.empty()) {
    TSNode cur = todo.back();
    todo.pop_back();
    if (!visit(cur)) continue;
    uint32_t count = ts_node_named_child_count(cur);
    for (uint32_t i = count; i > 0; --i) todo.push_back(ts_node_named_child(cur, i - 1));
  }
}

TSNode GoFile::Enclosing(TSNode n, std::initializer_list<std::string_view> types) {
  for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p))
    for (std::string_view t : types)
      if (t == ts_node_type(p)) return p;
  return TSNode{};
}

}  // namespace leakhound
