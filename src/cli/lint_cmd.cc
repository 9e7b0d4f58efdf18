// leakhound lint: the leak patterns, found in Go source.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "lint/linter.h"
#include "patterns/pattern.h"
#include "report/report.h"

namespace leakhound {

CLI::App* AddLintCommand(CLI::App* app, LintFlags* f) {
  CLI::App* lint = app->add_subcommand(
      "lint", "Find goroutine leak patterns in Go source, like go vet (./... recurses; vendor/ "
              "and testdata/ are skipped; //leakhound:ignore ID reason silences a line)");
  lint->add_option("paths", f->paths, "Files, directories, or DIR/... (default ./...)");
  lint->add_option("--format", f->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
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
  LintResult r = LintFiles(files, f.jobs);
  for (const std::string& e : r.errors) std::cerr << "leakhound: warning: " << e << "\n";
  if (f.format == "json") {
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
