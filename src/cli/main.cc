// leakhound: the command line. Thin on purpose: it parses flags, calls the
// library (dump -> analyze -> report) and maps failures to exit codes
// (docs/exit-codes.md).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <re2/re2.h>

#include "analyze/buckets.h"
#include "dump/dump.h"
#include "report/report.h"

namespace leakhound {
namespace {

enum ExitCode {
  kExitOk = 0,
  kExitUsage = 2,
  kExitBadInput = 3,
};

struct AnalyzeFlags {
  std::vector<std::string> inputs;
  std::string format = "text";
  int top = -1;  // -1: default for the format
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::string group = "exact";
  int dump = 0;  // 1-based; 0 = last
  bool no_progress = false;
  std::string color = "auto";
};

// Draws "[#####.....] 42% 512/1200 MB" on stderr, redrawing in place.
class ProgressBar {
 public:
  void Update(uint64_t done, uint64_t total) {
    if (total == 0) return;
    int pct = static_cast<int>(done * 100 / total);
    if (pct == last_pct_) return;
    last_pct_ = pct;
    int filled = pct * 30 / 100;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(30 - filled), '.');
    std::fprintf(stderr, "\rreading [%s] %3d%% %llu/%llu MB", bar.c_str(), pct,
                 static_cast<unsigned long long>(done >> 20),
                 static_cast<unsigned long long>(total >> 20));
    std::fflush(stderr);
    drawn_ = true;
  }
  ~ProgressBar() {
    if (drawn_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  int last_pct_ = -1;
  bool drawn_ = false;
};

bool CompileAll(const std::vector<std::string>& patterns, const char* flag,
                std::vector<std::unique_ptr<RE2>>* out) {
  for (const std::string& p : patterns) {
    auto re = std::make_unique<RE2>(p, RE2::Quiet);
    if (!re->ok()) {
      std::cerr << "leakhound: " << flag << " \"" << p << "\": " << re->error() << "\n";
      return false;
    }
    out->push_back(std::move(re));
  }
  return true;
}

// A bucket matches a regex when any of its frames' functions (creator
// included) does.
bool AnyFunctionMatches(const Snapshot& s, const Stack& stack, const RE2& re) {
  for (const Frame& f : stack.frames)
    if (RE2::PartialMatch(s.str(f.function), re)) return true;
  return stack.has_creator && RE2::PartialMatch(s.str(stack.creator.function), re);
}

int RunAnalyze(const AnalyzeFlags& flags) {
  if (flags.inputs.size() != 1) {
    std::cerr << "leakhound: analyze takes one input for now (a file or -)\n";
    return kExitUsage;
  }
  std::vector<std::unique_ptr<RE2>> filters, excludes;
  if (!CompileAll(flags.filters, "--filter", &filters) ||
      !CompileAll(flags.excludes, "--exclude", &excludes))
    return kExitUsage;

  const std::string& path = flags.inputs[0];
  ReadOptions options;
  ProgressBar bar;
  // Only worth drawing for big inputs; Update ignores small totals below.
  if (!flags.no_progress && isatty(STDERR_FILENO)) {
    options.progress = [&bar](uint64_t done, uint64_t total) {
      if (total >= (100u << 20)) bar.Update(done, total);
    };
  }
  DumpSet set;
  ReadError err = ReadDumpFile(path, options, &set);
  options.progress = nullptr;
  if (err) {
    std::cerr << "leakhound: " << err.message << "\n";
    return kExitBadInput;
  }
  for (const std::string& w : set.warnings) std::cerr << "leakhound: warning: " << w << "\n";

  size_t which = set.snapshots.size() - 1;
  if (flags.dump != 0) {
    if (flags.dump < 0 || static_cast<size_t>(flags.dump) > set.snapshots.size()) {
      std::cerr << fmt::format("leakhound: --dump {}: {} holds {} dump(s)\n", flags.dump,
                               path, set.snapshots.size());
      return kExitUsage;
    }
    which = static_cast<size_t>(flags.dump) - 1;
  }
  const Snapshot& snap = set.snapshots[which];

  Grouping grouping = flags.group == "loose" ? Grouping::kLoose : Grouping::kExact;
  std::vector<Bucket> buckets = MakeBuckets(snap, grouping);

  AnalyzeView view;
  view.input = &set;
  view.snapshot = &snap;
  view.grouping = grouping;
  view.buckets_total = buckets.size();
  size_t top = flags.top >= 0 ? static_cast<size_t>(flags.top)
                              : (flags.format == "text" ? 20 : SIZE_MAX);
  for (const Bucket& b : buckets) {
    if (view.buckets.size() >= top) break;
    const Stack& stack = snap.stacks()[b.stack];
    bool keep = filters.empty();
    for (const auto& re : filters) keep = keep || AnyFunctionMatches(snap, stack, *re);
    for (const auto& re : excludes) keep = keep && !AnyFunctionMatches(snap, stack, *re);
    if (keep) view.buckets.push_back(&b);
  }

  if (flags.format == "json") {
    WriteJson(view, std::cout);
  } else {
    TextOptions text;
    if (flags.color == "always") {
      text.color = true;
    } else if (flags.color == "auto") {
      const char* term = std::getenv("TERM");
      text.color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
                   !(term && std::string(term) == "dumb");
    }
    WriteText(view, text, std::cout);
  }
  std::cout.flush();
  return kExitOk;
}

}  // namespace
}  // namespace leakhound

int main(int argc, char** argv) {
  using namespace leakhound;
  CLI::App app{"leakhound: find goroutine leaks in Go programs' dumps"};
  app.set_version_flag("--version", std::string("leakhound ") + kLeakhoundVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 2 usage error, 3 unreadable or invalid input "
      "(see docs/exit-codes.md).");

  AnalyzeFlags flags;
  CLI::App* analyze = app.add_subcommand(
      "analyze",
      "Group a goroutine dump (panic, SIGQUIT, runtime.Stack, pprof debug=2) by "
      "state and stack and show where goroutines are stuck.");
  analyze->add_option("input", flags.inputs, "Dump file, or - for standard input")
      ->required();
  analyze->add_option("--format", flags.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  analyze->add_option("--top", flags.top,
                      "Show at most N buckets (default: 20 for text, all for json)")
      ->check(CLI::NonNegativeNumber);
  analyze->add_option("--filter", flags.filters,
                      "Keep buckets with a function matching this RE2 regex (repeatable)");
  analyze->add_option("--exclude", flags.excludes,
                      "Drop buckets with a function matching this RE2 regex (repeatable)");
  analyze->add_option("--group", flags.group,
                      "exact: same lines in every frame; loose: ignore lines below the top frame")
      ->check(CLI::IsMember({"exact", "loose"}))
      ->capture_default_str();
  analyze->add_option("--dump", flags.dump,
                      "When the input holds several dumps, analyze the K-th (default: the last)");
  analyze->add_flag("--no-progress", flags.no_progress, "Never draw a progress bar");
  analyze->add_option("--color", flags.color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, not the whole help text.
    std::cerr << "leakhound: " << e.what() << " (see leakhound --help)\n";
    return kExitUsage;
  }
  if (analyze->parsed()) return RunAnalyze(flags);
  return kExitUsage;
}
