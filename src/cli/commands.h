// The subcommands. Each registers its flags on the CLI11 app and runs
// with the parsed values; main.cc only dispatches.
#ifndef LEAKHOUND_CLI_COMMANDS_H_
#define LEAKHOUND_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace leakhound {

struct AnalyzeFlags {
  std::vector<std::string> inputs;
  std::string format = "text";
  int top = -1;  // -1: default for the format
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::string group = "exact";
  int dump = 0;  // 1-based; 0 = all
  std::string series = "auto";  // auto | same | separate (analyze/series.h)
  std::string color = "auto";
  std::string config;
  bool no_config = false;
  std::vector<std::string> source;
  bool no_source = false;
  std::string baseline;
  std::string write_baseline;
  bool force = false;
  std::string fail_on;
  bool all = false;
  NetFlags net;
};
CLI::App* AddAnalyzeCommand(CLI::App* app, AnalyzeFlags* flags);
int RunAnalyze(const AnalyzeFlags& flags);

struct DiffFlags {
  std::string base, next;
  std::string format = "text";
  std::string group = "exact";
  bool all = false;
  int top = -1;
  uint64_t fail_on_growth = 0;  // 0: never fail
  std::string color = "auto";
  NetFlags net;
};
CLI::App* AddDiffCommand(CLI::App* app, DiffFlags* flags);
int RunDiff(const DiffFlags& flags);

struct LintFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  unsigned jobs = 0;
};
CLI::App* AddLintCommand(CLI::App* app, LintFlags* flags);
int RunLint(const LintFlags& flags);

struct WatchFlags {
  std::vector<std::string> urls;
  std::vector<std::string> targets_from;  // prometheus://... or file_sd:PATH
  std::string config;
  bool no_config = false;
  std::string interval, duration, db, detail_gap, alert_at, webhook, command, form;
  size_t window = 0;
  std::string serve, token;
  bool insecure_listen = false;
  std::string format = "text";
  std::string fail_on;
  std::string timeout, connect_timeout;
  uint64_t max_size_mb = 64;
  std::string ca_file, user, bearer;
  bool quiet = false;
};
CLI::App* AddWatchCommand(CLI::App* app, WatchFlags* flags);
int RunWatch(const WatchFlags& flags);

struct ServeFlags {
  std::string db, addr, token, window, config;
  bool no_config = false;
  bool insecure_listen = false;
};
CLI::App* AddServeCommand(CLI::App* app, ServeFlags* flags);
int RunServe(const ServeFlags& flags);

// leakhound test: go test with a leak check after each test.
struct TestFlags {
  std::vector<std::string> packages;
  std::vector<std::string> go_flags;  // after "--", for go test
  std::string go = "go";
  std::string settle = "1s";
  std::string format = "text";
  bool quiet = false;
  bool keep_work = false;
  std::string config;
  bool no_config = false;
  std::vector<std::string> ignore_top, ignore_any;
  bool no_leak_profile = false;
  int runs = 1;
  bool until_leak = false;
  bool race = false;
  std::string fail_on = "leak";
  std::string baseline, write_baseline;
  bool force = false;
};
CLI::App* AddTestCommand(CLI::App* app, TestFlags* flags);
// Everything after "--" in `leakhound test ... -- FLAGS` is go test's:
// moved into flags->go_flags; returns the argc CLI11 should parse.
int SplitTestArgs(int argc, char** argv, TestFlags* flags);
int RunTest(const TestFlags& flags);

}  // namespace leakhound

#endif  // LEAKHOUND_CLI_COMMANDS_H_
