// leakhound lint: the leak patterns, found in Go source.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "lint/linter.h"
#include "patterns/pattern.h"
#include "report/report.h"
#include "report/codeclimate_report.h"
#include "report/sarif_report.h"

namespace leakhound {

namespace {

// Trees this big take seconds: show progress on a terminal.
constexpr size_t kProgressFiles = 2000;

// "linting [#####.....] 42% 1234/2900 files" on stderr, in place.
class LintProgress {
 public:
  void Update(size_t done, size_t total) {
    int pct = total ? static_cast<int>(done * 100 / total) : 100;
    if (pct == last_) return;
    last_ = pct;
    int filled = pct * 30 / 100;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(30 - filled), '.');
    std::fprintf(stderr, "\rlinting [%s] %3d%% %zu/%zu files", bar.c_str(), pct, done, total);
    std::fflush(stderr);
    drawn_ = true;
  }
  ~LintProgress() {
    if (drawn_) std::fprintf(stderr, "\r%70s\r", "");
  }

 private:
  int last_ = -1;
  bool drawn_ = false;
};

}  // namespace

CLI::App* AddLintCommand(CLI::App* app, LintFlags* f) {
  CLI::App* lint = app->add_subcommand(
      "lint", "Find goroutine leak patterns in Go source, like go vet (./... recurses; vendor/ "
              "and testdata/ are skipped; //leakhound:ignore ID reason or //nolint:leakhound "
              "silences a line)");
  lint->add_option("paths", f->paths, "Files, directories, or DIR/... (default ./...)");
  lint->add_option("--format", f->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "codeclimate"}))
      ->capture_default_str();
  lint->add_option("-j,--jobs", f->jobs, "Files parsed at once (default: one per core)");
  return lint;
}

int RunLint(const LintFlags& f) {
  std::vector<std::string> paths = f.paths;
  if (paths.empty()) paths.push_back("./...");
  std::vector<std::string> files;
  std::string error;
  if (!CollectGoFiles(paths, &files, &error)) {
    std::cerr << "leakhound: " << error << "\n";
    return kExitBadInput;
  }
  if (files.empty()) {
    // Like go vet, a directory means its own package only; say so rather
    // than report a clean run over nothing.
    std::string hint;
    for (const std::string& p : paths)
      if (!p.ends_with("...")) hint = " (a directory is not recursed; use " + p + "/...)";
    std::cerr << "leakhound: no Go files to lint" << hint << "\n";
    return kExitBadInput;
  }
  LintResult r;
  {
    LintProgress bar;  // erased when this block ends, before any output
    std::function<void(size_t, size_t)> progress;
    if (files.size() > kProgressFiles && isatty(STDERR_FILENO))
      progress = [&bar](size_t done, size_t total) { bar.Update(done, total); };
    r = LintFiles(files, f.jobs, progress);
  }
  for (const std::string& e : r.errors) std::cerr << "leakhound: warning: " << e << "\n";
  char cwd[4096];
  std::string src_root = getcwd(cwd, sizeof cwd) ? cwd : "";
  if (f.format == "sarif") {
    WriteSarif(r.findings, src_root, std::cout);
  } else if (f.format == "codeclimate") {
    WriteCodeClimate(r.findings, src_root, std::cout);
  } else if (f.format == "json") {
    nlohmann::ordered_json root;
    root["schema"] = "leakhound/lint/v1";
    root["leakhound_version"] = std::string(kLeakhoundVersion);
    root["files"] = r.files;
    root["lines"] = r.lines;
    root["suppressed"] = r.suppressed;
    root["findings"] = nlohmann::ordered_json::array();
    for (const LintFinding& x : r.findings) {
      nlohmann::ordered_json j;
      j["pattern"] = x.pattern;
      j["rule"] = x.rule;
      j["file"] = x.file;
      j["line"] = x.line;
      j["column"] = x.column;
      j["message"] = x.message;
      j["function"] = x.function;
      j["related"] = nlohmann::ordered_json::array();
      for (const auto& [line, what] : x.related)
        j["related"].push_back({{"line", line}, {"message", what}});
      const Pattern* p = FindPattern(x.pattern);
      j["fix"] = p ? p->fix : "";
      root["findings"].push_back(std::move(j));
    }
    std::cout << root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const LintFinding& x : r.findings) {
      std::cout << x.file << ":" << x.line << ":" << x.column << ": " << x.message << " ("
                << x.pattern << ")\n";
      for (const auto& [line, what] : x.related)
        std::cout << "\t" << x.file << ":" << line << ": " << what << "\n";
    }
  }
  return r.findings.empty() ? kExitOk : kExitFindings;
}

}  // namespace leakhound
