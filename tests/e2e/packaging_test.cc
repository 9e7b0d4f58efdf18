// Packaging: --version names the git revision; the man page and the shell
// completions, generated from the CLI, cover every subcommand --help lists
// (so a new command cannot ship without them) and every flag; the scripts
// pass their shell's syntax check.
#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_util.h"

namespace {


std::string Bin() { return e2e::LeakhoundBinary(); }

bool Have(const std::string& tool) {
  return e2e::Run({"sh", "-c", "command -v " + tool}).status == 0;
}

// The names under "Subcommands:" in `leakhound --help`.
std::vector<std::string> HelpSubcommands() {
  e2e::RunResult r = e2e::Run({Bin(), "--help"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream in(r.out);
  std::string line;
  bool in_section = false;
  std::regex entry(R"(^  ([a-z][a-z0-9-]*)\b.*)");
  while (std::getline(in, line)) {
    if (line.rfind("Subcommands:", 0) == 0 || line.rfind("SUBCOMMANDS:", 0) == 0) {
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    if (line.empty() || line[0] != ' ') {
      if (!names.empty()) break;
      continue;
    }
    std::smatch m;
    if (std::regex_match(line, m, entry)) names.push_back(m[1]);
  }
  return names;
}

// The --long flags in `leakhound CMD --help`.
std::set<std::string> HelpFlags(const std::string& cmd) {
  e2e::RunResult r = e2e::Run({Bin(), cmd, "--help"});
  EXPECT_EQ(r.status, 0) << cmd << ": " << r.err;
  std::set<std::string> flags;
  std::regex flag(R"((?:^|[\s,])(--[a-z][a-z0-9-]*))");
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    // Only the option column, not flags mentioned in descriptions.
    if (line.size() < 3 || line.substr(0, 2) != "  " || line[2] != '-') continue;
    std::string column = line.substr(0, line.find("  ", 3));
    for (std::sregex_iterator it(column.begin(), column.end(), flag), end; it != end; ++it) {
      flags.insert((*it)[1]);
    }
  }
  return flags;
}

TEST(Packaging, VersionShowsGitRevision) {
  e2e::RunResult r = e2e::Run({Bin(), "--version"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(r.out, m,
                               std::regex(R"(leakhound \d+\.\d+\.\d+ \(git ([0-9a-f]{7,}(-dirty)?|unknown)\)\n)")))
      << r.out;
  // Built from this checkout, so the revision is known.
  struct stat st;
  if (stat((std::string(LEAKHOUND_SOURCE_DIR) + "/.git").c_str(), &st) == 0 && Have("git")) {
    EXPECT_NE(m[1], "unknown") << r.out;
  }
}

TEST(Packaging, HelpListsTheCommands) {
  std::vector<std::string> names = HelpSubcommands();
  for (const char* want : {"analyze", "diff", "lint", "watch", "test", "serve", "patterns",
                           "explain", "completion"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  // The man page generator is for the build, not a user command.
  EXPECT_EQ(std::find(names.begin(), names.end(), "help-man"), names.end());
}

TEST(Packaging, ManPageHasASectionPerCommandAndEveryFlag) {
  e2e::RunResult r = e2e::Run({Bin(), "help-man"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string& man = r.out;
  EXPECT_EQ(man.find(".TH LEAKHOUND 1"), man.find(".TH"));
  for (const char* sh : {".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH COMMANDS", ".SH \"EXIT STATUS\""}) {
    EXPECT_NE(man.find(sh), std::string::npos) << sh;
  }
  // The .SS headings are exactly the commands --help lists, in order.
  std::vector<std::string> headings;
  std::regex ss(R"re(^\.SS "([^"]+)"$)re");
  std::istringstream in(man);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, ss)) headings.push_back(m[1]);
  }
  std::vector<std::string> commands = HelpSubcommands();
  ASSERT_FALSE(commands.empty());
  EXPECT_EQ(headings, commands);
  // Each section documents every --flag of its command.
  for (size_t i = 0; i < commands.size(); ++i) {
    size_t begin = man.find(".SS \"" + commands[i] + "\"");
    size_t end = i + 1 < commands.size() ? man.find(".SS \"" + commands[i + 1] + "\"") : man.find(".SH", begin);
    ASSERT_NE(begin, std::string::npos);
    std::string section = man.substr(begin, end - begin);
    for (const std::string& flag : HelpFlags(commands[i])) {
      std::string roff = std::regex_replace(flag, std::regex("-"), "\\-");
      EXPECT_NE(section.find(roff), std::string::npos) << commands[i] << " " << flag;
    }
  }
  // man(1) renders it without complaint, when installed.
  if (Have("man") && Have("groff")) {
    std::string page = std::string(LEAKHOUND_WORK_DIR) + "/leakhound-test.1";
    e2e::Run({"mkdir", "-p", LEAKHOUND_WORK_DIR});
    ASSERT_EQ(e2e::Run({Bin(), "help-man", "-o", page}).status, 0);
    e2e::RunResult rendered = e2e::Run({"sh", "-c", "MANWIDTH=80 man --warnings -l '" + page + "' 2>&1 >/dev/null"});
    EXPECT_EQ(rendered.status, 0);
    EXPECT_EQ(rendered.out, "") << "groff warnings";
  }
}

TEST(Packaging, CompletionsCoverEveryCommandAndPassSyntaxCheck) {
  std::vector<std::string> commands = HelpSubcommands();
  ASSERT_FALSE(commands.empty());
  std::string dir = std::string(LEAKHOUND_WORK_DIR) + "/completions";
  e2e::Run({"mkdir", "-p", dir});
  struct Shell {
    std::string name, file;
    std::vector<std::string> check;  // syntax check, file appended
  };
  for (const Shell& sh : {Shell{"bash", "leakhound.bash", {"bash", "-n"}},
                          Shell{"zsh", "_leakhound", {"zsh", "-n"}},
                          Shell{"fish", "leakhound.fish", {"fish", "--no-execute"}}}) {
    SCOPED_TRACE(sh.name);
    e2e::RunResult r = e2e::Run({Bin(), "completion", sh.name});
    ASSERT_EQ(r.status, 0) << r.err;
    for (const std::string& c : commands) {
      EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|[\\s'\"])" + c + "[\\s:)]")))
          << sh.name << " completion lacks " << c;
    }
    EXPECT_NE(r.out.find("format"), std::string::npos);
    EXPECT_EQ(r.out.find("help-man"), std::string::npos) << "hidden command offered";
    std::string path = dir + "/" + sh.file;
    ASSERT_EQ(e2e::Run({Bin(), "completion", sh.name, "-o", path}).status, 0);
    if (!Have(sh.check[0])) {
      std::cout << "[ note ] " << sh.check[0] << " not installed: syntax of " << sh.file << " not checked\n";
      continue;
    }
    std::vector<std::string> argv = sh.check;
    argv.push_back(path);
    e2e::RunResult check = e2e::Run(argv);
    EXPECT_EQ(check.status, 0) << check.out << check.err;
  }
  // bash: the function completes a command and its flags.
  std::string bash = dir + "/leakhound.bash";
  e2e::RunResult r = e2e::Run({"bash", "-c",
                          "source '" + bash + "'; COMP_WORDS=(leakhound an); COMP_CWORD=1; _leakhound; "
                          "echo \"${COMPREPLY[*]}\"; COMP_WORDS=(leakhound analyze --forma); COMP_CWORD=2; "
                          "_leakhound; echo \"${COMPREPLY[*]}\""});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "analyze\n--format\n");
}

TEST(Packaging, CompletionRejectsUnknownShell) {
  e2e::RunResult r = e2e::Run({Bin(), "completion", "tcsh"});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
}

}  // namespace
