#include "gotest/overlay.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gotest/check_source.h"
#include "lint/go_file.h"

namespace leakhound {

namespace {

// How this file names testing.T: "testing.T", "alias.T", "T" (dot
// import); nullopt when "testing" is not imported usably.
std::optional<std::string> TestingQualifier(const GoFile& f) {
  for (TSNode spec : f.Nodes("import_spec")) {
    std::string_view path = f.Text(GoFile::Field(spec, "path"));
    if (path != "\"testing\"" && path != "`testing`") continue;
    TSNode name = GoFile::Field(spec, "name");
    if (ts_node_is_null(name)) return std::string("testing");
    std::string_view n = f.Text(name);
    if (n == ".") return std::string();
    if (n == "_") return std::nullopt;
    return std::string(n);
  }
  return std::nullopt;
}

// The name of the single `*testing.T` parameter of `params`, or "" when
// the list is not exactly that or the parameter cannot be referred to.
std::string TestParam(const GoFile& f, TSNode params, const std::string& qualifier) {
  if (GoFile::Count(params) != 1) return "";
  TSNode decl = ts_node_named_child(params, 0);
  if (!GoFile::Is(decl, "parameter_declaration")) return "";
  TSNode type = GoFile::Field(decl, "type");
  if (!GoFile::Is(type, "pointer_type") || GoFile::Count(type) != 1) return "";
  TSNode target = ts_node_named_child(type, 0);
  bool is_t = qualifier.empty()
                  ? GoFile::Is(target, "type_identifier") && f.Text(target) == "T"
                  : GoFile::Is(target, "qualified_type") &&
                        f.Text(GoFile::Field(target, "package")) == qualifier &&
                        f.Text(GoFile::Field(target, "name")) == "T";
  if (!is_t) return "";
  // One name only: `func TestX(a, b *testing.T)` is not a test.
  TSNode name{};
  for (uint32_t i = 0; i < ts_node_named_child_count(decl); ++i) {
    TSNode c = ts_node_named_child(decl, i);
    if (GoFile::Is(c, "identifier")) {
      if (!ts_node_is_null(name)) return "";
      name = c;
    }
  }
  if (ts_node_is_null(name) || f.Text(name) == "_") return "";
  return std::string(f.Text(name));
}

// go test's rule: "Test", then nothing or a character that is not a
// lower-case letter.
bool IsTestName(std::string_view n) {
  if (!n.starts_with("Test")) return false;
  return n.size() == 4 || !std::islower(static_cast<unsigned char>(n[4]));
}

// A func literal given as the function argument of X.Run(name, f).
bool IsRunArgument(TSNode lit) {
  TSNode args = ts_node_parent(lit);
  if (!GoFile::Is(args, "argument_list") || GoFile::Count(args) != 2) return false;
  if (!ts_node_eq(ts_node_named_child(args, 1), lit)) return false;
  TSNode call = ts_node_parent(args);
  if (!GoFile::Is(call, "call_expression")) return false;
  TSNode fn = GoFile::Field(call, "function");
  return GoFile::Is(fn, "selector_expression");
}

std::string RunCallee(const GoFile& f, TSNode lit) {
  TSNode call = ts_node_parent(ts_node_parent(lit));
  TSNode fn = GoFile::Field(call, "function");
  return std::string(f.Text(GoFile::Field(fn, "field")));
}

}  // namespace

RewrittenTestFile RewriteTestFile(const std::string& path, const std::string& text) {
  RewrittenTestFile out;
  out.text = text;
  GoFile f(path, text);
  TSNode root = f.root();
  if (ts_node_is_null(root) || ts_node_has_error(root)) {
    out.parse_error = true;
    return out;
  }
  for (TSNode clause : f.Nodes("package_clause"))
    if (GoFile::Count(clause) > 0) {
      TSNode name = ts_node_named_child(clause, 0);
      out.package = std::string(f.Text(name));
      out.package_end = ts_node_end_byte(name);
    }
  for (TSNode fn : f.Nodes("function_declaration"))
    if (f.Text(GoFile::Field(fn, "name")) == "TestMain") out.has_test_main = true;

  std::optional<std::string> qualifier = TestingQualifier(f);
  if (!qualifier) return out;

  // Insertions as (byte offset just after '{', parameter name).
  std::vector<std::pair<uint32_t, std::string>> inserts;
  auto add = [&](TSNode fn, const std::string& label) {
    TSNode body = GoFile::Field(fn, "body");
    if (!GoFile::Is(body, "block")) return;
    std::string param = TestParam(f, GoFile::Field(fn, "parameters"), *qualifier);
    if (param.empty()) return;
    uint32_t open = ts_node_start_byte(body);
    if (open >= text.size() || text[open] != '{') return;
    inserts.emplace_back(open + 1, param);
    out.checked.push_back(label);
  };
  for (TSNode fn : f.Nodes("function_declaration")) {
    std::string_view name = f.Text(GoFile::Field(fn, "name"));
    if (!IsTestName(name) || !ts_node_is_null(GoFile::Field(fn, "type_parameters")) ||
        !ts_node_is_null(GoFile::Field(fn, "result")))
      continue;
    add(fn, std::string(name));
  }
  for (TSNode lit : f.Nodes("func_literal")) {
    if (!IsRunArgument(lit) || RunCallee(f, lit) != "Run") continue;
    add(lit, "func@" + std::to_string(f.Line(lit)));
  }
  // Back to front, so earlier offsets stay valid.
  std::sort(inserts.begin(), inserts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [at, param] : inserts)
    out.text.insert(at, std::string(" ") + kCheckFunction + "(" + param + ");");
  return out;
}

namespace {

bool ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

}  // namespace

void HostCheck(RewrittenTestFile* file, const std::string& import_path, const std::string& tag,
               bool with_test_main) {
  file->text.append("\n").append(CheckSource(import_path, tag, with_test_main));
  file->text.insert(file->package_end, CheckImports());
}

bool AddPackageOverlay(const TestPackage& pkg, Overlay* overlay, std::string* error) {
  // No test files: go test says so; a generated TestMain would change that.
  if (pkg.test_go_files.empty() && pkg.xtest_go_files.empty()) return true;
  struct Rewritten {
    std::string path;
    RewrittenTestFile file;
  };
  std::vector<Rewritten> internal, external;
  bool has_test_main = false;
  auto rewrite = [&](const std::string& name, std::vector<Rewritten>* into) {
    std::string path = pkg.dir + "/" + name;
    std::string text;
    if (!ReadAll(path, &text)) {
      *error = path + ": cannot read";
      return false;
    }
    RewrittenTestFile r = RewriteTestFile(path, text);
    has_test_main = has_test_main || r.has_test_main;
    if (r.parse_error) {
      overlay->warnings.push_back(path + ": does not parse; its tests are not checked");
      return true;
    }
    for (const std::string& c : r.checked) overlay->checked.push_back(pkg.import_path + "." + c);
    into->push_back({path, std::move(r)});
    return true;
  };
  for (const std::string& f : pkg.test_go_files)
    if (!rewrite(f, &internal)) return false;
  for (const std::string& f : pkg.xtest_go_files)
    if (!rewrite(f, &external)) return false;

  // Each test package with a checked file hosts the check code in its
  // first one. The final check lives in a TestMain (one per test binary):
  // in the internal package when it hosts, else the external; when no
  // test was checked at all (a nameless *testing.T, only benchmarks) a
  // file of either hosts it alone, so their leaks are still found.
  auto first_checked = [](std::vector<Rewritten>& list) -> Rewritten* {
    for (Rewritten& r : list)
      if (!r.file.checked.empty()) return &r;
    return nullptr;
  };
  Rewritten* in_host = first_checked(internal);
  Rewritten* ex_host = first_checked(external);
  bool main_left = !has_test_main;
  if (main_left && !in_host && !ex_host) {
    if (!internal.empty()) in_host = &internal.front();
    else if (!external.empty()) ex_host = &external.front();
  }
  if (in_host) {
    HostCheck(&in_host->file, pkg.import_path, "i", main_left);
    main_left = false;
  }
  if (ex_host) HostCheck(&ex_host->file, pkg.import_path, "x", main_left);
  for (Rewritten* host : {in_host, ex_host})
    if (host) host->file.hosts = true;
  for (std::vector<Rewritten>* list : {&internal, &external})
    for (Rewritten& r : *list)
      if (!r.file.checked.empty() || r.file.hosts) overlay->files[r.path] = std::move(r.file.text);
  return true;
}

bool WriteOverlay(const Overlay& overlay, const std::string& dir, std::string* json_path,
                  std::vector<std::pair<std::string, std::string>>* written, std::string* error) {
  nlohmann::json replace = nlohmann::json::object();
  size_t n = 0;
  for (const auto& [path, text] : overlay.files) {
    std::string base = path.substr(path.rfind('/') + 1);
    std::string file = dir + "/" + std::to_string(n++) + "-" + base;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      *error = file + ": cannot write";
      return false;
    }
    replace[path] = file;
    written->emplace_back(file, path);
  }
  *json_path = dir + "/overlay.json";
  std::ofstream out(*json_path, std::ios::trunc);
  out << nlohmann::json{{"Replace", replace}}.dump(1) << "\n";
  if (!out) {
    *error = *json_path + ": cannot write";
    return false;
  }
  return true;
}

}  // namespace leakhound
