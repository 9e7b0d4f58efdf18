#include "gotest/baseline.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace leakhound {

namespace {
constexpr const char* kSchema = "leakhound/test-baseline/v1";
}

std::string TestBaselineKey(const TestLeak& l) {
  return l.package + "\x1f" + l.test + "\x1f" + l.pattern + "\x1f" + l.function +
         (l.hung ? "\x1fhang" : "");
}

bool LoadTestBaseline(const std::string& path, std::set<std::string>* keys, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot read the baseline";
    return false;
  }
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("schema", "") != kSchema) {
      *error = path + ": not a leakhound test baseline (schema " + kSchema + ")";
      return false;
    }
    for (const auto& e : j.at("leaks")) {
      TestLeak l;
      l.package = e.at("package").get<std::string>();
      l.test = e.at("test").get<std::string>();
      l.pattern = e.at("pattern").get<std::string>();
      l.function = e.at("function").get<std::string>();
      l.hung = e.value("kind", "leak") == "hang";
      keys->insert(TestBaselineKey(l));
    }
  } catch (const nlohmann::json::exception& e) {
    *error = path + ": " + e.what();
    return false;
  }
  return true;
}

bool WriteTestBaseline(const std::string& path, const std::vector<TestLeak>& leaks, bool force,
                       std::string* error) {
  if (!force && std::filesystem::exists(path)) {
    *error = path + ": exists (use --force to replace it)";
    return false;
  }
  nlohmann::ordered_json root;
  root["schema"] = kSchema;
  root["leaks"] = nlohmann::ordered_json::array();
  std::set<std::string> seen;
  for (const TestLeak& l : leaks) {
    if (!seen.insert(TestBaselineKey(l)).second) continue;
    root["leaks"].push_back({{"package", l.package},
                             {"test", l.test},
                             {"pattern", l.pattern},
                             {"function", l.function},
                             {"kind", l.hung ? "hang" : "leak"},
                             {"where", l.file + ":" + std::to_string(l.line)}});
  }
  std::ofstream out(path, std::ios::trunc);
  out << root.dump(2) << "\n";
  if (!out) {
    *error = path + ": cannot write";
    return false;
  }
  return true;
}

}  // namespace leakhound
