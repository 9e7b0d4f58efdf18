#include "config/config.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "patterns/pattern.h"

namespace leakhound {

namespace {

struct ConfigError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& path, const YAML::Node& node, const std::string& msg) {
  int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  throw ConfigError{line > 0 ? fmt::format("{}:{}: {}", path, line, msg)
                             : fmt::format("{}: {}", path, msg)};
}

template <typename T>
T Get(const std::string& path, const YAML::Node& node, const char* what) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    Fail(path, node, fmt::format("{}: expected a {}", what,
                                 std::is_same_v<T, std::string> ? "string" : "number"));
  }
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string FindConfigFile(const std::string& start) {
  std::string dir = start;
  for (int depth = 0; depth < 64; ++depth) {
    std::string candidate = (dir == "/" ? "" : dir) + "/.leakhound.yaml";
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return candidate;
    if (dir == "/" || dir.empty()) break;
    dir = Dirname(dir);
  }
  return "";
}

bool LoadConfig(const std::string& path, Config* out, std::string* error) {
  Config cfg;
  cfg.path = path;
  try {
    YAML::Node root;
    try {
      root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
      throw ConfigError{path + ": cannot read the config file"};
    } catch (const YAML::ParserException& e) {
      throw ConfigError{fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg)};
    }
    if (root.IsNull()) {
      *out = std::move(cfg);
      return true;
    }
    if (!root.IsMap()) Fail(path, root, "expected a mapping at the top level");
    for (const auto& kv : root) {
      std::string key = Get<std::string>(path, kv.first, "key");
      const YAML::Node& val = kv.second;
      if (key == "thresholds") {
        if (!val.IsMap()) Fail(path, val, "thresholds: expected a mapping");
        for (const auto& t : val) {
          std::string k = Get<std::string>(path, t.first, "key");
          Thresholds& th = cfg.thresholds;
          auto unit = [&](double* d) {
            *d = Get<double>(path, t.second, k.c_str());
            if (*d < 0 || *d > 1) Fail(path, t.second, k + ": must be between 0 and 1");
          };
          auto count = [&](uint64_t* u) {
            double d = Get<double>(path, t.second, k.c_str());
            if (d < 0) Fail(path, t.second, k + ": must not be negative");
            *u = static_cast<uint64_t>(d);
          };
          if (k == "leak") unit(&th.leak);
          else if (k == "suspect") unit(&th.suspect);
          else if (k == "growth_r2") unit(&th.growth_r2);
          else if (k == "count") count(&th.count_high);
          else if (k == "small_pool") count(&th.small_pool);
          else if (k == "min_growth") count(&th.min_growth);
          else if (k == "wait_minutes") {
            uint64_t u;
            count(&u);
            th.wait_minutes = static_cast<int>(std::min<uint64_t>(u, 1u << 30));
          } else {
            Fail(path, t.first, "unknown threshold \"" + k +
                                    "\" (known: leak, suspect, count, wait_minutes, "
                                    "small_pool, growth_r2, min_growth)");
          }
        }
        if (cfg.thresholds.suspect > cfg.thresholds.leak)
          Fail(path, val, "thresholds: suspect must not exceed leak");
      } else if (key == "ignore") {
        if (!val.IsSequence()) Fail(path, val, "ignore: expected a list of rules");
        for (const auto& item : val) {
          if (!item.IsMap()) Fail(path, item, "ignore: each rule is a mapping");
          IgnoreRule rule;
          rule.origin = fmt::format("{}:{}", path, item.Mark().line + 1);
          for (const auto& f : item) {
            std::string k = Get<std::string>(path, f.first, "key");
            std::string s = Get<std::string>(path, f.second, k.c_str());
            if (k == "top_function") rule.top_function = s;
            else if (k == "any_function") rule.any_function = s;
            else if (k == "creator") rule.creator = s;
            else if (k == "reason") rule.reason = s;
            else if (k == "pattern") {
              if (!FindPattern(s)) Fail(path, f.second, "unknown pattern id \"" + s + "\"");
              rule.pattern = s;
            } else if (k == "regex") {
              auto re = std::make_shared<RE2>(s, RE2::Quiet);
              if (!re->ok()) Fail(path, f.second, "regex: " + re->error());
              rule.regex = std::move(re);
            } else {
              Fail(path, f.first, "unknown ignore key \"" + k +
                                      "\" (known: top_function, any_function, creator, "
                                      "regex, pattern, reason)");
            }
          }
          if (rule.top_function.empty() && rule.any_function.empty() && rule.creator.empty() &&
              !rule.regex && rule.pattern.empty())
            Fail(path, item, "ignore rule matches everything; give at least one condition");
          cfg.ignore.push_back(std::move(rule));
        }
      } else if (key == "source") {
        if (val.IsScalar()) {
          cfg.source_roots.push_back(Get<std::string>(path, val, "source"));
        } else if (val.IsSequence()) {
          for (const auto& s : val) cfg.source_roots.push_back(Get<std::string>(path, s, "source"));
        } else {
          Fail(path, val, "source: expected a directory or a list of them");
        }
        for (std::string& r : cfg.source_roots)
          if (!r.empty() && r[0] != '/') r = Dirname(path) + "/" + r;
      } else {
        Fail(path, kv.first,
             "unknown key \"" + key + "\" (known: thresholds, ignore, source)");
      }
    }
  } catch (const ConfigError& e) {
    *error = e.message;
    return false;
  } catch (const YAML::Exception& e) {
    *error = fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg);
    return false;
  }
  *out = std::move(cfg);
  return true;
}

}  // namespace leakhound
