#include "report/sarif_report.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "patterns/pattern.h"
#include "report/report.h"

namespace leakhound {

namespace {

// "chan-send-blocked" -> "ChanSendBlocked" (SARIF's reportingDescriptor.name).
std::string PascalName(std::string_view id) {
  std::string out;
  bool up = true;
  for (char c : id) {
    if (c == '-') {
      up = true;
      continue;
    }
    out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    up = false;
  }
  return out;
}

std::string RelativeUri(const std::string& file, const std::string& root) {
  std::string path = RelativeSourcePath(file, root);
  // RFC 3986: escape what may not appear in a URI path.
  std::string uri;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("-._~/!$&'()*+,;=:@").find(static_cast<char>(c)) !=
                               std::string_view::npos)
      uri.push_back(static_cast<char>(c));
    else
      uri += fmt::format("%{:02X}", c);
  }
  return uri;
}

uint64_t Fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

nlohmann::ordered_json Region(uint32_t line, uint32_t column) {
  nlohmann::ordered_json r;
  r["startLine"] = line;
  if (column > 0) r["startColumn"] = column;
  return r;
}

nlohmann::ordered_json Location(const std::string& uri, uint32_t line, uint32_t column) {
  nlohmann::ordered_json loc;
  loc["physicalLocation"]["artifactLocation"]["uri"] = uri;
  loc["physicalLocation"]["artifactLocation"]["uriBaseId"] = "%SRCROOT%";
  loc["physicalLocation"]["region"] = Region(line, column);
  return loc;
}

}  // namespace

std::string RelativeSourcePath(const std::string& file, const std::string& root) {
  std::string path = file;
  if (!root.empty() && path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
      (root.back() == '/' || path[root.size()] == '/'))
    path = path.substr(root.size() + (root.back() == '/' ? 0 : 1));
  while (path.starts_with("./")) path = path.substr(2);
  return path;
}

std::string LintFingerprint(const LintFinding& f, const std::string& uri) {
  // Runs of blanks count as one, so reindenting keeps the fingerprint.
  std::string norm;
  for (char c : f.snippet) {
    bool blank = c == ' ' || c == '\t';
    if (blank && (norm.empty() || norm.back() == ' ')) continue;
    norm.push_back(blank ? ' ' : c);
  }
  uint64_t h = Fnv1a(f.rule);
  for (std::string_view part : {std::string_view(uri), std::string_view(f.function), std::string_view(norm)}) {
    h = Fnv1a("\x1f", h);
    h = Fnv1a(part, h);
  }
  return fmt::format("{:016x}", h);
}

nlohmann::ordered_json SarifLog(const std::vector<LintFinding>& findings,
                                const std::string& src_root) {
  using J = nlohmann::ordered_json;
  // One rule per catalogue pattern used, in catalogue order.
  std::map<std::string, size_t> index;
  J rules = J::array();
  for (const Pattern* p : AllPatterns()) {
    bool used = false;
    for (const LintFinding& f : findings) used = used || f.pattern == p->id;
    if (!used) continue;
    index[p->id] = rules.size();
    J r;
    r["id"] = p->id;
    r["name"] = PascalName(p->id);
    r["shortDescription"]["text"] = p->title;
    r["fullDescription"]["text"] = p->explanation;
    r["help"]["text"] = fmt::format("{}\n\nFix: {}\n\n{}", p->explanation, p->fix, p->fix_snippet);
    r["help"]["markdown"] = fmt::format("{}\n\n**Fix:** {}\n\n```go\n{}\n```\n\nRun `leakhound explain {}` for more.",
                                        p->explanation, p->fix, p->fix_snippet, p->id);
    r["defaultConfiguration"]["level"] = "warning";
    r["properties"]["tags"] = J::array({"goroutine-leak", "concurrency"});
    rules.push_back(std::move(r));
  }
  J results = J::array();
  for (const LintFinding& f : findings) {
    auto it = index.find(f.pattern);
    if (it == index.end()) continue;  // not in the catalogue: cannot be described
    std::string uri = RelativeUri(f.file, src_root);
    J r;
    r["ruleId"] = f.pattern;
    r["ruleIndex"] = it->second;
    r["level"] = "warning";
    r["message"]["text"] = fmt::format("{} ({})", f.message, f.rule);
    r["locations"] = J::array({Location(uri, f.line, f.column)});
    if (!f.related.empty()) {
      J rel = J::array();
      int id = 1;
      for (const auto& [line, what] : f.related) {
        J loc = Location(uri, line, 0);
        loc["id"] = id++;
        loc["message"]["text"] = what;
        rel.push_back(std::move(loc));
      }
      r["relatedLocations"] = std::move(rel);
    }
    r["partialFingerprints"]["leakhoundFindingHash/v1"] = LintFingerprint(f, uri);
    r["properties"]["rule"] = f.rule;
    if (!f.function.empty()) r["properties"]["function"] = f.function;
    results.push_back(std::move(r));
  }
  J run;
  run["tool"]["driver"]["name"] = "leakhound";
  run["tool"]["driver"]["version"] = std::string(kLeakhoundVersion);
  run["tool"]["driver"]["semanticVersion"] = std::string(kLeakhoundVersion);
  run["tool"]["driver"]["rules"] = std::move(rules);
  if (!src_root.empty() && src_root.front() == '/')
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] =
        "file://" + RelativeUri(src_root, "") + (src_root.back() == '/' ? "" : "/");
  run["results"] = std::move(results);
  J log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = J::array({std::move(run)});
  return log;
}

void WriteSarif(const std::vector<LintFinding>& findings, const std::string& src_root,
                std::ostream& out) {
  out << SarifLog(findings, src_root).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n";
}

}  // namespace leakhound
