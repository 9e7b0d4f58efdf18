// Pieces shared by the subcommands: exit codes, loading inputs (files,
// stdin, URLs, series of samples), regex filters, the progress bar.
#ifndef LEAKHOUND_CLI_COMMON_H_
#define LEAKHOUND_CLI_COMMON_H_

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <re2/re2.h>

#include "base/duration.h"
#include "collect/http_fetch.h"
#include "config/config.h"
#include "dump/dump.h"

namespace leakhound {

// docs/exit-codes.md
enum ExitCode {
  kExitOk = 0,
  kExitFindings = 1,     // --fail-on / --fail-on-growth
  kExitUsage = 2,
  kExitBadInput = 3,     // unreadable file, not a goroutine dump
  kExitConfig = 4,       // config or baseline
  kExitUnreachable = 5,  // cannot connect (DNS, refused, TLS)
  kExitTimeout = 6,
  kExitHttpStatus = 7,   // non-2xx, too many redirects
  kExitTooLarge = 8,     // response over --max-size
  // leakhound test: a package did not build (or go could not run) is 3,
  // kExitBadInput's number: the input, the code, is unusable.
  kExitBuildFailed = 3,
  kExitTestsFailed = 9,  // leakhound test: the tests themselves failed
  kExitInsecureListen = 10,  // serve/watch --serve: non-loopback address without a token
  kExitStore = 11,       // watch: the history file cannot be written (full, read-only, corrupt)
  kExitStoreLocked = 12, // watch: another watch writes the history file
};

// How to reach live services.
struct NetFlags {
  std::string form = "2";            // 2 | 1 | proto
  std::string profile = "goroutine"; // goroutine | goroutineleak
  int samples = 1;
  std::string interval = "10s";
  std::string timeout = "60s";
  std::string connect_timeout = "5s";
  uint64_t max_size_mb = 256;
  std::string ca_file;
  std::string user;    // user:password; default $LEAKHOUND_BASIC_AUTH
  std::string bearer;  // default $LEAKHOUND_BEARER_TOKEN
  bool no_progress = false;
};
void AddNetFlags(CLI::App* app, NetFlags* flags);


// The config for a command: --config FILE, else .leakhound.yaml found
// upward from the working directory, else defaults; nothing with
// --no-config. False after printing a one-line "FILE:LINE: message".
bool LoadConfigFor(const std::string& flag_path, bool no_config, Config* config);

// Everything read from the inputs, oldest first. A URL with --samples N
// gives N DumpSets with their fetch times.
struct LoadedInputs {
  std::vector<DumpSet> sets;
  std::vector<double> times;  // seconds, one per set; empty when unknown
  // A service was asked for its goroutineleak profile: the runtime's
  // leak detector ran, so a dump without "(leaked)" marks means it found
  // none (a file cannot say so).
  bool leak_checked = false;
};

// Reads files, "-" and URLs. On failure prints one line and returns the
// exit code; kExitOk on success.
int LoadInputs(const std::vector<std::string>& inputs, const NetFlags& net, LoadedInputs* out);

bool CompileAll(const std::vector<std::string>& patterns, const char* flag,
                std::vector<std::unique_ptr<RE2>>* out);

// A stack matches when any frame's function (creator included) does.
bool AnyFunctionMatches(const Snapshot& s, const Stack& stack, const RE2& re);

// Colour for text output: "always", "never", or "auto" (a TTY, no
// NO_COLOR, TERM not dumb).
bool WantColor(const std::string& mode);

}  // namespace leakhound

#endif  // LEAKHOUND_CLI_COMMON_H_
