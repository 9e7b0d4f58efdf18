// Small tree-sitter helpers the source readers of this stage share
// (lock_source.cc, local_wait.cc): children with their field names,
// which function owns a line, and a function's name as the runtime
// prints it.
#ifndef LEAKHOUND_WAITFOR_SYNTAX_H_
#define LEAKHOUND_WAITFOR_SYNTAX_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "lint/go_file.h"

namespace leakhound::syntax {

inline bool IsName(TSNode n) { return GoFile::Is(n, "identifier"); }

inline TSNode NamedChild(TSNode n, uint32_t i) {
  return i < GoFile::Count(n) ? ts_node_named_child(n, i) : TSNode{};
}

inline bool IsField(const char* field, const char* want) {
  return field && std::strcmp(field, want) == 0;
}

// Calls `visit` on each named direct child of `n` with its field name (or
// nullptr). A cursor, not ts_node_named_child(i): that walks from the
// first child every time, quadratic on a hostile list.
template <typename F>
void Children(TSNode n, F visit) {
  if (ts_node_is_null(n)) return;
  TSTreeCursor c = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&c)) {
    do {
      TSNode k = ts_tree_cursor_current_node(&c);
      if (ts_node_is_named(k)) visit(k, ts_tree_cursor_current_field_name(&c));
    } while (ts_tree_cursor_goto_next_sibling(&c));
  }
  ts_tree_cursor_delete(&c);
}

// Whether `fn`'s body is where `row` (0-based) belongs. A multi-line func
// literal opened on the row (`t.Run("x", func(t *testing.T) {`) leaves
// the row to its enclosing function, which is the frame that is parked
// there, unless one of the literal's statements starts on it too.
bool Owns(TSNode fn, uint32_t row);

// The innermost function (declaration, method or literal) that owns
// `row`, or a null node.
TSNode OwnerOf(const GoFile& file, uint32_t row);

// "(*List).Push" / "T.Name" / "transfer" / "" (func literal), as the
// runtime prints it minus type parameters.
std::string FunctionName(const GoFile& f, TSNode fn);

}  // namespace leakhound::syntax

#endif  // LEAKHOUND_WAITFOR_SYNTAX_H_
