#include "model/func_name.h"

namespace leakhound {

namespace {

// Decodes the %xx escapes the linker puts into import paths
// (cmd/internal/objabi.PathToPrefix); invalid escapes are kept as is.
std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Closure and wrapper suffixes the compiler invents; a component like this
// is never a method name, so the one before it is not a receiver type.
bool IsGeneratedComponent(std::string_view c) {
  auto digits_after = [&](std::string_view prefix) {
    if (c.substr(0, prefix.size()) != prefix) return false;
    std::string_view rest = c.substr(prefix.size());
    if (rest.empty()) return false;
    for (char ch : rest)
      if (ch < '0' || ch > '9') return false;
    return true;
  };
  if (c.empty()) return true;
  if (c[0] >= '0' && c[0] <= '9') return true;
  return digits_after("func") || digits_after("gowrap") || digits_after("deferwrap");
}

// A component without the suffixes the compiler appends to the function it
// belongs to: "M-range1" (range-over-func body, Go 1.23) and "M-fm"
// (method value) are still method M.
std::string_view StripSuffixes(std::string_view c) {
  size_t dash = c.find('-');
  return dash == std::string_view::npos ? c : c.substr(0, dash);
}

// Index of the first '.' in s outside generic brackets: full symbols
// (pprof protobuf profiles from 1.21) spell type arguments out,
// "Map[go.shape.int]".
size_t FindDot(std::string_view s) {
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    else if (s[i] == ']' && depth > 0) --depth;
    else if (s[i] == '.' && depth == 0) return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view PackageOf(std::string_view symbol) {
  // The package path ends at the first '.' after the last '/'. Generic
  // brackets may hold '/' ("pkg.F[go.shape.*uint8]") so stop at '['.
  size_t limit = symbol.find('[');
  std::string_view head = symbol.substr(0, limit);
  size_t slash = head.rfind('/');
  size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  size_t dot = symbol.find('.', start);
  if (dot == std::string_view::npos) return symbol;
  return symbol.substr(0, dot);
}

bool IsStdlibPackage(std::string_view package) {
  // First path elements of the standard library (Go 1.13-1.26). A module
  // path may lack a dot ("module myapp"), so a list beats "no dot".
  static constexpr std::string_view kRoots[] = {
      "archive", "bufio",   "builtin", "bytes",   "cmp",     "compress", "container",
      "context", "crypto",  "database", "debug",  "embed",   "encoding", "errors",
      "expvar",  "flag",    "fmt",     "go",      "hash",    "html",     "image",
      "index",   "internal", "io",     "iter",    "log",     "maps",     "math",
      "mime",    "net",     "os",      "panic",   "path",    "plugin",   "reflect",
      "regexp",  "runtime", "slices",  "sort",    "strconv", "strings",  "structs",
      "sync",    "syscall", "testing", "text",    "time",    "unicode",  "unique",
      "unsafe",  "vendor",  "weak",    "type:",   "type",     "arena"};
  // "panic" is how the traceback prints runtime.gopanic; "type:.eq.T" and
  // "type..eq.T" are compiler-generated.
  std::string_view first = package.substr(0, package.find('/'));
  for (std::string_view root : kRoots)
    if (first == root) return true;
  return false;
}

FuncName ParseFuncName(std::string_view symbol) {
  FuncName out;
  std::string_view pkg = PackageOf(symbol);
  out.package = Unescape(pkg);
  out.stdlib = IsStdlibPackage(out.package);
  out.runtime = out.package == "runtime" ||
                out.package.rfind("runtime/internal/", 0) == 0 ||
                out.package.rfind("internal/runtime/", 0) == 0;
  std::string_view rest =
      pkg.size() < symbol.size() ? symbol.substr(pkg.size() + 1) : std::string_view();
  if (!rest.empty() && rest[0] == '(') {
    // Pointer receiver: "(*T).M" or "(*T[...]).M".
    size_t close = rest.find(").");
    if (close != std::string_view::npos) {
      out.receiver = std::string(rest.substr(1, close - 1));
      out.name = std::string(rest.substr(close + 2));
      return out;
    }
  }
  // "T.M" is a value method unless the part after the dot is generated
  // (closure, wrapper) or the first part is the "glob." pseudo-function.
  size_t dot = FindDot(rest);
  if (dot != std::string_view::npos && dot > 0) {
    std::string_view first = rest.substr(0, dot);
    std::string_view second = rest.substr(dot + 1);
    size_t next = FindDot(second);
    std::string_view second_comp = second.substr(0, next);
    if (first != "glob" && !IsGeneratedComponent(StripSuffixes(second_comp))) {
      out.receiver = std::string(first);
      out.name = std::string(second);
      return out;
    }
  }
  out.name = std::string(rest);
  return out;
}

}  // namespace leakhound
