#include "lint/linter.h"

// GCC 12 at -O3 reports a bogus -Wrestrict inside std::string when short
// literals are assigned (GCC bug 105329); nothing here overlaps.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "lint/scope.h"
#include "lint/suppress.h"
#include <tuple>

namespace leakhound {

namespace {

constexpr size_t kMaxFileBytes = 16u << 20;  // generated giants are skipped

bool IsGoFile(const std::string& name) { return name.size() > 3 && name.ends_with(".go"); }

void ListDir(const std::string& dir, bool recurse, std::vector<std::string>* out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> subdirs;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir == "." ? name : fmt::format("{}/{}", dir, name);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;  // symlinks are not followed
    if (S_ISDIR(st.st_mode)) {
      if (recurse && name[0] != '.' && name[0] != '_' && name != "vendor" && name != "testdata")
        subdirs.push_back(path);
    } else if (S_ISREG(st.st_mode) && IsGoFile(name)) {
      out->push_back(path);
    }
  }
  closedir(d);
  std::sort(subdirs.begin(), subdirs.end());
  for (const std::string& s : subdirs) ListDir(s, true, out);
}

// "leakAll", "(*account).deposit", "List.Len": the declaration holding
// `n`, as the runtime spells it after the package name.
std::string DeclarationName(const GoFile& f, TSNode n) {
  TSNode decl{};
  for (TSNode p = n; !ts_node_is_null(p); p = ts_node_parent(p))
    if (GoFile::Is(p, "function_declaration") || GoFile::Is(p, "method_declaration")) decl = p;
  if (ts_node_is_null(decl)) return "";
  std::string name(f.Text(GoFile::Field(decl, "name")));
  if (GoFile::Is(decl, "function_declaration")) return name;
  TSNode recv = GoFile::Field(decl, "receiver");
  TSNode param = GoFile::Count(recv) > 0 ? ts_node_named_child(recv, 0) : TSNode{};
  TSNode type = GoFile::Field(param, "type");
  bool pointer = GoFile::Is(type, "pointer_type");
  if (pointer && GoFile::Count(type) > 0) type = ts_node_named_child(type, 0);
  std::string t(f.Text(type));
  if (size_t b = t.find('['); b != std::string::npos) t = t.substr(0, b) + "[...]";
  return pointer ? "(*" + t + ")." + name : t + "." + name;
}

}  // namespace

bool CollectGoFiles(const std::vector<std::string>& args, std::vector<std::string>* files,
                    std::string* error) {
  for (std::string a : args) {
    bool recurse = false;
    if (a == "..." || a.ends_with("/...")) {
      recurse = true;
      if (a.size() > 4) a.resize(a.size() - 4);  // "DIR/..." -> "DIR"
      else a.assign(".");
      if (a.empty()) a.assign("/");
    }
    struct stat st;
    if (stat(a.c_str(), &st) != 0) {
      *error = fmt::format("{}: no such file or directory", a);
      return false;
    }
    if (S_ISDIR(st.st_mode)) ListDir(a, recurse, files);
    else files->push_back(a);
  }
  std::sort(files->begin(), files->end());
  files->erase(std::unique(files->begin(), files->end()), files->end());
  return true;
}

std::vector<LintFinding> LintSource(const std::string& path, const std::string& text,
                                    size_t* suppressed) {
  GoFile file(path, text);
  std::vector<LintFinding> found;
  if (ts_node_is_null(file.root())) return found;
  for (const LintRule& r : AllLintRules()) r.run(file, &found);
  for (LintFinding& f : found) {
    TSPoint at = {f.line - 1, f.column - 1};
    f.function = DeclarationName(file, ts_node_descendant_for_point_range(file.root(), at, at));
    f.snippet = std::string(TrimmedLine(text, f.line));
  }
  std::vector<Suppression> quiet = Suppressions(file);
  std::vector<LintFinding> kept;
  for (LintFinding& f : found) {
    bool drop = false;
    for (const Suppression& q : quiet)
      if (q.first <= f.line && f.line <= q.last &&
          (q.id == f.pattern || q.id == f.rule || q.id == "all"))
        drop = true;
    if (drop) {
      if (suppressed) ++*suppressed;
    } else {
      kept.push_back(std::move(f));
    }
  }
  std::sort(kept.begin(), kept.end(), [](const LintFinding& a, const LintFinding& b) {
    return std::tie(a.line, a.column, a.rule) < std::tie(b.line, b.column, b.rule);
  });
  return kept;
}

LintResult LintFiles(const std::vector<std::string>& files, unsigned jobs,
                     const std::function<void(size_t, size_t)>& progress) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  struct PerFile {
    std::vector<LintFinding> findings;
    uint64_t lines = 0;
    size_t suppressed = 0;
    std::string error;
  };
  std::vector<PerFile> results(files.size());
  std::atomic<size_t> next{0}, done{0};
  auto work = [&] {
    // `done` counts a file when its turn ends, whatever became of it.
    for (size_t i = next++; i < files.size(); i = next++, ++done) {
      std::ifstream in(files[i], std::ios::binary);
      if (!in) {
        results[i].error = fmt::format("{}: cannot read", files[i]);
        continue;
      }
      std::ostringstream buf;
      buf << in.rdbuf();
      std::string text = buf.str();
      if (text.size() > kMaxFileBytes) {
        results[i].error = fmt::format("{}: larger than 16 MiB, skipped", files[i]);
        continue;
      }
      results[i].lines = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
      results[i].findings = LintSource(files[i], text, &results[i].suppressed);
    }
  };
  std::vector<std::thread> threads;
  if (progress) {
    // Workers only; this thread reports until they are done.
    for (unsigned t = 0; t < jobs && t < files.size(); ++t) threads.emplace_back(work);
    while (done < files.size()) {
      progress(done, files.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    progress(files.size(), files.size());
  } else {
    for (unsigned t = 1; t < jobs && t < files.size(); ++t) threads.emplace_back(work);
    work();
  }
  for (std::thread& t : threads) t.join();
  LintResult r;
  r.files = files.size();
  for (PerFile& p : results) {
    r.lines += p.lines;
    r.suppressed += p.suppressed;
    if (!p.error.empty()) r.errors.push_back(p.error);
    for (LintFinding& f : p.findings) r.findings.push_back(std::move(f));
  }
  return r;
}

}  // namespace leakhound
