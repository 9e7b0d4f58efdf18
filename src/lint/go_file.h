// One Go source file parsed with tree-sitter, with the small helpers the
// rules share: node text, positions, walking, finding enclosing nodes.
#ifndef LEAKHOUND_LINT_GO_FILE_H_
#define LEAKHOUND_LINT_GO_FILE_H_

#include <tree_sitter/api.h>

#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace leakhound {

class GoFile {
 public:
  // Parses `text`; `path` names it in findings.
  GoFile(std::string path, std::string text);
  ~GoFile();
  GoFile(const GoFile&) = delete;
  GoFile& operator=(const GoFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  TSNode root() const;

  std::string_view Text(TSNode n) const;
  // Every named node of `type` in the file, in source order. The first
  // call indexes the whole tree in one walk; rules then visit only the
  // node kinds they care about instead of walking the tree again.
  const std::vector<TSNode>& Nodes(std::string_view type) const;
  // function_declaration, method_declaration and func_literal nodes.
  const std::vector<TSNode>& Functions() const;
  uint32_t Line(TSNode n) const { return ts_node_start_point(n).row + 1; }
  uint32_t Column(TSNode n) const { return ts_node_start_point(n).column + 1; }

  // Calls `visit` on every named node below `n` (n included), depth first;
  // a false return skips that node's children.
  static void Walk(TSNode n, const std::function<bool(TSNode)>& visit);
  // Nearest ancestor of `n` whose type is one of `types` (comma-free list
  // of exact names), or a null node.
  static TSNode Enclosing(TSNode n, std::initializer_list<std::string_view> types);
  static uint32_t Count(TSNode n) { return ts_node_is_null(n) ? 0 : ts_node_named_child_count(n); }
  static bool Is(TSNode n, std::string_view type) { return !ts_node_is_null(n) && type == ts_node_type(n); }
  // Null-safe: a missing field of a missing node is a null node (the
  // tree-sitter API itself must never be handed a null node).
  static TSNode Field(TSNode n, const char* name) {
    if (ts_node_is_null(n)) return TSNode{};
    return ts_node_child_by_field_name(n, name, static_cast<uint32_t>(std::strlen(name)));
  }

 private:
  std::string path_;
  std::string text_;
  TSParser* parser_ = nullptr;
  TSTree* tree_ = nullptr;
  mutable bool indexed_ = false;
  mutable std::vector<std::vector<TSNode>> by_symbol_;
  mutable std::vector<TSNode> functions_;
  void Index() const;
};

}  // namespace leakhound

#endif  // LEAKHOUND_LINT_GO_FILE_H_
