#include "gotest/report.h"

#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/words.h"
#include "report/junit_report.h"
#include "report/report.h"
#include "report/sarif_report.h"
#include "patterns/pattern.h"

namespace leakhound {

namespace {

std::string Rel(const std::string& path, const std::string& cwd) {
  if (!cwd.empty() && path.size() > cwd.size() + 1 && path.starts_with(cwd) &&
      path[cwd.size()] == '/')
    return path.substr(cwd.size() + 1);
  return path;
}

std::string Where(const TestLeak& l, const std::string& cwd) {
  if (l.file.empty()) return "?";
  return fmt::format("{}:{}:{}", Rel(l.file, cwd), l.line, l.column);
}

std::string GoLine(const TestLeak& l, const std::string& cwd) {
  if (!l.has_creator) return "";
  return fmt::format("{}:{}", Rel(l.creator_file, cwd), l.creator_line);
}

// The one-line message, as go vet would put it.
std::string Message(const TestLeak& l, const std::string& cwd) {
  std::string m = fmt::format("{} {} {}: {} [{}]", l.test, l.hung ? "hung with" : "leaked",
                              Plural(l.count, "goroutine"), l.title, l.state);
  if (l.hung) m.insert(m.find(':'), " blocked");
  if (l.has_creator) m += ", started by the go statement at " + GoLine(l, cwd);
  return m;
}

std::string Details(const TestLeak& l, const TestRunSummary& run) {
  const std::string& cwd = run.cwd;
  std::string d = fmt::format("\ttest: {} in {}\n", l.test, l.package);
  if (run.runs > 1) d += fmt::format("\truns: seen in {} of {}\n", l.seen_in_runs, run.runs);
  if (l.baselined) d += "\tbaselined: a known leak (--baseline); it does not fail the run\n";
  if (!l.function.empty()) d += fmt::format("\tblocked in: {}\n", l.function);
  if (l.has_creator)
    d += fmt::format("\tgo statement: {} in {}\n", GoLine(l, cwd), l.creator_function);
  if (l.severity != Severity::kLeak)
    d += fmt::format("\tseverity: {} (an expected goroutine); fails the run only with --fail-on {}\n",
                     SeverityName(l.severity), SeverityName(l.severity));
  d += fmt::format("\tconfidence: {:.2f} ({})\n", l.confidence, l.pattern);
  if (l.leak_profile_checked)
    d += l.runtime_proof ? "\tproof: marked (leaked) by the Go runtime's goroutineleak profile\n"
                         : "\tproof: none; the goroutineleak profile did not mark it\n";
  for (const Reason& r : l.reasons)
    d += fmt::format("\t  {} {}\n", r.weight < 0 ? "-" : r.weight > 0 ? "+" : "=", r.text);
  d += fmt::format("\tfix: {}\n", l.fix);
  return d;
}

}  // namespace

void WriteTestLeaksText(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                        std::ostream& out) {
  for (const TestLeak& l : leaks)
    out << Where(l, run.cwd) << ": " << Message(l, run.cwd) << " (" << l.pattern << ")\n"
        << Details(l, run);
}

void WriteTestLeaksJson(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                        std::ostream& out) {
  nlohmann::ordered_json root;
  root["schema"] = "leakhound/test/v1";
  root["leakhound_version"] = std::string(kLeakhoundVersion);
  root["settle"] = run.settle;
  root["runs"] = run.runs;
  root["go_test"] = {{"exit_code", run.go_test_status},
                     {"build_failed", run.outcome.build_failed},
                     {"tests_failed", run.outcome.tests_failed},
                     {"failed_packages", run.outcome.failed_packages}};
  root["checked"] = run.checked;
  root["leaks"] = nlohmann::ordered_json::array();
  for (const TestLeak& l : leaks) {
    nlohmann::ordered_json j;
    j["test"] = l.test;
    j["package"] = l.package;
    j["pattern"] = l.pattern;
    j["title"] = l.title;
    j["kind"] = l.hung ? "hang" : "leak";
    j["severity"] = SeverityName(l.severity);
    j["confidence"] = l.confidence;
    j["seen_in_runs"] = l.seen_in_runs;
    j["baselined"] = l.baselined;
    j["leak_profile_checked"] = l.leak_profile_checked;
    j["runtime_proof"] = l.runtime_proof;
    j["state"] = l.state;
    j["count"] = l.count;
    j["ids"] = l.ids;
    j["function"] = l.function;
    j["file"] = l.file;
    j["line"] = l.line;
    j["column"] = l.column;
    if (l.has_creator)
      j["creator"] = {{"function", l.creator_function}, {"file", l.creator_file},
                      {"line", l.creator_line}};
    else
      j["creator"] = nullptr;
    j["message"] = Message(l, run.cwd);
    j["reasons"] = nlohmann::ordered_json::array();
    for (const Reason& r : l.reasons) j["reasons"].push_back({{"text", r.text}, {"weight", r.weight}});
    j["fix"] = l.fix;
    root["leaks"].push_back(std::move(j));
  }
  out << root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void WriteTestLeaksSarif(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                         std::ostream& out) {
  // The lint writer's findings: pattern as ruleId, the blocking line as
  // the location, the go statement as a related location when it is in
  // the same file (SARIF's related locations share the result's file
  // here). The snippet feeds the fingerprint: test and function keep it
  // stable across line moves and apart between tests.
  std::vector<LintFinding> findings;
  std::vector<const TestLeak*> of;
  for (const TestLeak& l : leaks) {
    if (!FindPattern(l.pattern) || l.file.empty()) continue;
    LintFinding f;
    f.pattern = l.pattern;
    f.rule = l.hung ? "test-hung" : "test-leak";
    f.file = l.file;
    f.line = l.line;
    f.column = l.column;
    f.message = Message(l, run.cwd);
    f.function = l.function;
    f.snippet = l.package + "." + l.test;
    if (l.has_creator && l.creator_file == l.file)
      f.related.push_back({l.creator_line, "the go statement that started it"});
    findings.push_back(std::move(f));
    of.push_back(&l);
  }
  nlohmann::ordered_json log = SarifLog(findings, run.cwd);
  auto& results = log["runs"][0]["results"];
  for (size_t i = 0; i < results.size() && i < of.size(); ++i) {
    const TestLeak& l = *of[i];
    auto& r = results[i];
    r["level"] = l.severity == Severity::kLeak      ? "error"
                 : l.severity == Severity::kSuspect ? "warning"
                                                    : "note";
    if (l.baselined) r["baselineState"] = "unchanged";
    r["properties"]["test"] = l.test;
    r["properties"]["package"] = l.package;
    r["properties"]["severity"] = SeverityName(l.severity);
    r["properties"]["count"] = l.count;
    r["properties"]["confidence"] = l.confidence;
    r["properties"]["runtimeProof"] = l.runtime_proof;
    if (run.runs > 1) r["properties"]["seenInRuns"] = l.seen_in_runs;
  }
  out << log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void WriteTestLeaksJUnit(const std::vector<TestLeak>& leaks, const TestRunSummary& run,
                         std::ostream& out) {
  // Testcases in a stable order: (package, test).
  std::map<std::pair<std::string, std::string>, JUnitCase> cases;
  for (const std::string& c : run.checked) {
    size_t dot = c.rfind('.');
    std::string test = c.substr(dot + 1);
    if (test.starts_with("func@")) continue;  // subtest literals are named at run time
    JUnitCase& jc = cases[{c.substr(0, dot), test}];
    jc.classname = c.substr(0, dot);
    jc.name = test;
  }
  for (const TestLeak& l : leaks) {
    JUnitCase& jc = cases[{l.package, l.test}];
    jc.classname = l.package;
    jc.name = l.test;
    jc.failures.push_back({Where(l, run.cwd) + ": " + Message(l, run.cwd), l.pattern,
                           Details(l, run)});
  }
  std::vector<JUnitCase> list;
  for (auto& [key, c] : cases) list.push_back(std::move(c));
  WriteJUnit("leakhound test", list, out);
}

}  // namespace leakhound
