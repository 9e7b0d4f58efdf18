#include "analyze/baseline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

namespace leakhound {

bool LoadBaseline(const std::string& path, std::set<std::string>* fingerprints,
                  std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot read the baseline file";
    return false;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    *error = path + ": not a JSON baseline: " + e.what();
    return false;
  }
  if (!j.is_object() || !j.contains("findings") || !j["findings"].is_array()) {
    *error = path + ": not a leakhound baseline (no \"findings\" list)";
    return false;
  }
  for (const auto& f : j["findings"]) {
    if (f.is_object() && f.contains("fingerprint") && f["fingerprint"].is_string())
      fingerprints->insert(f["fingerprint"].get<std::string>());
  }
  return true;
}

void ApplyBaseline(const std::set<std::string>& fingerprints, Verdict* verdict) {
  for (Finding& f : verdict->findings) f.baselined = fingerprints.count(f.fingerprint) > 0;
}

bool WriteBaseline(const std::string& path, const Verdict& verdict, bool overwrite,
                   std::string* error) {
  return WriteBaseline(path, std::vector<const Verdict*>{&verdict}, overwrite, error);
}

bool WriteBaseline(const std::string& path, const std::vector<const Verdict*>& verdicts,
                   bool overwrite, std::string* error) {
  struct stat st;
  if (!overwrite && stat(path.c_str(), &st) == 0) {
    *error = path + ": already exists; pass --force to replace it";
    return false;
  }
  nlohmann::ordered_json root;
  root["schema"] = "leakhound/baseline/v1";
  root["findings"] = nlohmann::ordered_json::array();
  std::set<std::string> seen;
  for (const Verdict* v : verdicts) {
    const Snapshot& s = *v->current;
    for (const Finding& f : v->findings) {
      if (f.severity == Severity::kInfo || !seen.insert(f.fingerprint).second) continue;
      const Stack& stack = s.stacks()[v->buckets[f.bucket].stack];
      std::string fn = f.blocking_frame >= 0
                           ? std::string(s.str(stack.frames[static_cast<size_t>(f.blocking_frame)].function))
                           : "";
      root["findings"].push_back(
          {{"fingerprint", f.fingerprint}, {"pattern", f.pattern->id}, {"function", fn}});
    }
  }
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      *error = path + ": cannot write the baseline file";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    *error = path + ": cannot write the baseline file";
    return false;
  }
  return true;
}

}  // namespace leakhound
