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

void GoFile::Index() const {
  indexed_ = true;
  by_symbol_.assign(ts_language_symbol_count(tree_sitter_go()), {});
  Walk(root(), [&](TSNode n) {
    TSSymbol sym = ts_node_symbol(n);
    if (sym < by_symbol_.size()) by_symbol_[sym].push_back(n);
    if (Is(n, "function_declaration") || Is(n, "method_declaration") || Is(n, "func_literal"))
      functions_.push_back(n);
    return true;
  });
}

const std::vector<TSNode>& GoFile::Nodes(std::string_view type) const {
  static const std::vector<TSNode> none;
  if (!indexed_) Index();
  TSSymbol sym = ts_language_symbol_for_name(tree_sitter_go(), type.data(),
                                             static_cast<uint32_t>(type.size()), true);
  return sym < by_symbol_.size() && sym != 0 ? by_symbol_[sym] : none;
}

const std::vector<TSNode>& GoFile::Functions() const {
  if (!indexed_) Index();
  return functions_;
}

void GoFile::Walk(TSNode n, const std::function<bool(TSNode)>& visit) {
  if (ts_node_is_null(n)) return;
  // Iterative with a tree cursor: deep (or hostile) nesting cannot
  // overflow the stack, and siblings are reached in O(1) each
  // (ts_node_named_child(i) walks from the first child every time).
  if (!visit(n)) return;
  TSTreeCursor c = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&c)) {
    for (;;) {
      TSNode cur = ts_tree_cursor_current_node(&c);
      bool into = !ts_node_is_named(cur) || visit(cur);
      if (into && ts_tree_cursor_goto_first_child(&c)) continue;
      bool moved = false;
      while (!(moved = ts_tree_cursor_goto_next_sibling(&c)))
        if (!ts_tree_cursor_goto_parent(&c)) break;
      if (!moved) break;
    }
  }
  ts_tree_cursor_delete(&c);
}

TSNode GoFile::Enclosing(TSNode n, std::initializer_list<std::string_view> types) {
  for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p))
    for (std::string_view t : types)
      if (t == ts_node_type(p)) return p;
  return TSNode{};
}

}  // namespace leakhound
