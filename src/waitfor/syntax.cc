#include "waitfor/syntax.h"

namespace leakhound::syntax {

bool Owns(TSNode fn, uint32_t row) {
  TSNode body = GoFile::Field(fn, "body");
  if (ts_node_is_null(body)) return false;
  uint32_t first = ts_node_start_point(body).row, last = ts_node_end_point(body).row;
  if (row < first || row > last) return false;
  if (row > first || first == last || !GoFile::Is(fn, "func_literal")) return true;
  bool statement_here = false;
  Children(body, [&](TSNode s, const char*) {
    if (!GoFile::Is(s, "comment") && ts_node_start_point(s).row == row) statement_here = true;
  });
  return statement_here;
}

TSNode OwnerOf(const GoFile& file, uint32_t row) {
  TSNode fn{};
  for (TSNode cand : file.Functions()) {  // nested, so the innermost starts last
    bool inner = ts_node_is_null(fn) || ts_node_start_byte(cand) > ts_node_start_byte(fn);
    if (inner && Owns(cand, row)) fn = cand;
  }
  return fn;
}

std::string FunctionName(const GoFile& f, TSNode fn) {
  std::string name(f.Text(GoFile::Field(fn, "name")));
  if (!GoFile::Is(fn, "method_declaration")) return name;
  TSNode recv = NamedChild(GoFile::Field(fn, "receiver"), 0);
  TSNode type = GoFile::Field(recv, "type");
  bool pointer = false;
  for (int guard = 0; guard < 16 && !ts_node_is_null(type); ++guard) {
    if (GoFile::Is(type, "pointer_type")) pointer = true;
    if (GoFile::Is(type, "generic_type")) type = GoFile::Field(type, "type");
    else if (GoFile::Is(type, "pointer_type") || GoFile::Is(type, "parenthesized_type"))
      type = NamedChild(type, 0);
    else break;
  }
  std::string base(f.Text(type));
  return pointer ? "(*" + base + ")." + name : base + "." + name;
}

}  // namespace leakhound::syntax
