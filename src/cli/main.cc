// leakhound: the command line. Thin on purpose: it registers the
// subcommands, parses flags and dispatches; each command calls the library
// (dump -> analyze -> report) and maps failures to exit codes
// (docs/exit-codes.md).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/packaging.h"
#include "patterns/pattern.h"
#include "report/report.h"

int main(int argc, char** argv) {
  using namespace leakhound;
  CLI::App app{"leakhound: find goroutine leaks in Go programs' dumps and profiles"};
  app.set_version_flag("--version", VersionText());
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 findings at the --fail-on level (test: leaks), 2 usage error, 3 "
      "unreadable or invalid input (test: a package does not build), 4 bad config or baseline, 5 service unreachable, 6 timeout, 7 HTTP "
      "error status, 8 response too large, 9 (leakhound test) a test failed (docs/exit-codes.md).");

  AnalyzeFlags analyze_flags;
  CLI::App* analyze = AddAnalyzeCommand(&app, &analyze_flags);
  DiffFlags diff_flags;
  CLI::App* diff = AddDiffCommand(&app, &diff_flags);
  LintFlags lint_flags;
  CLI::App* lint = AddLintCommand(&app, &lint_flags);
  WatchFlags watch_flags;
  CLI::App* watch = AddWatchCommand(&app, &watch_flags);
  TestFlags test_flags;
  CLI::App* test = AddTestCommand(&app, &test_flags);
  ServeFlags serve_flags;
  CLI::App* serve = AddServeCommand(&app, &serve_flags);
  CLI::App* patterns = app.add_subcommand("patterns", "List the leak patterns leakhound knows");
  std::string explain_id;
  CLI::App* explain = app.add_subcommand("explain", "Explain a leak pattern and its fix");
  explain->add_option("id", explain_id, "Pattern id (see leakhound patterns)")->required();
  std::string completion_shell, completion_out;
  CLI::App* completion = app.add_subcommand(
      "completion", "Print a shell completion script (bash, zsh or fish) for leakhound");
  completion->add_option("shell", completion_shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->add_option("-o,--output", completion_out, "Write the script to FILE instead of stdout")
      ->option_text("FILE");
  // Hidden: the build runs it to make leakhound.1 from this very tree.
  std::string man_out;
  CLI::App* help_man = app.add_subcommand("help-man", "Print the leakhound(1) man page in roff");
  help_man->group("");
  help_man->add_option("-o,--output", man_out, "Write the page to FILE instead of stdout")
      ->option_text("FILE");

  try {
    app.parse(SplitTestArgs(argc, argv, &test_flags), argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, not the whole help text.
    std::cerr << "leakhound: " << e.what() << " (see leakhound --help)\n";
    return kExitUsage;
  }
  if (analyze->parsed()) return RunAnalyze(analyze_flags);
  if (diff->parsed()) return RunDiff(diff_flags);
  if (lint->parsed()) return RunLint(lint_flags);
  if (watch->parsed()) return RunWatch(watch_flags);
  if (serve->parsed()) return RunServe(serve_flags);
  if (test->parsed()) return RunTest(test_flags);
  if (completion->parsed() || help_man->parsed()) {
    std::ostringstream text;
    if (help_man->parsed()) {
      WriteManPage(app, text);
    } else {
      WriteCompletion(app, completion_shell, text);
    }
    const std::string& path = help_man->parsed() ? man_out : completion_out;
    if (path.empty()) {
      std::cout << text.str();
      return kExitOk;
    }
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text.str();
    f.close();
    if (!f) {
      std::cerr << "leakhound: cannot write " << path << "\n";
      return kExitBadInput;
    }
    return kExitOk;
  }
  if (patterns->parsed()) {
    WritePatternList(std::cout);
    return kExitOk;
  }
  if (explain->parsed()) {
    const Pattern* p = FindPattern(explain_id);
    if (!p) {
      std::cerr << "leakhound: unknown pattern \"" << explain_id
                << "\" (see leakhound patterns)\n";
      return kExitUsage;
    }
    WritePatternExplanation(*p, std::cout);
    return kExitOk;
  }
  return kExitUsage;
}
