// What leakhound says about itself: the --version text, the man page and
// the shell completions. The man page and completions walk the CLI11 App
// tree that main.cc builds, so they cannot drift from the real flags.
#ifndef LEAKHOUND_CLI_PACKAGING_H_
#define LEAKHOUND_CLI_PACKAGING_H_

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace leakhound {

// "leakhound 0.1.0 (git 27b7f08)", "-dirty" appended when the tree had
// uncommitted changes, "unknown" when built outside git.
std::string VersionText();

// The subcommands shown in --help (hidden ones, group "", left out).
std::vector<const CLI::App*> VisibleSubcommands(const CLI::App& app);

// leakhound.1 in roff: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, one .SS per
// command under COMMANDS, EXIT STATUS from the app's footer.
void WriteManPage(const CLI::App& app, std::ostream& out);

// A completion script for "bash", "zsh" or "fish"; false for another shell.
bool WriteCompletion(const CLI::App& app, const std::string& shell, std::ostream& out);

}  // namespace leakhound

#endif  // LEAKHOUND_CLI_PACKAGING_H_
