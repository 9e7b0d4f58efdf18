#include "config/config.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "base/duration.h"
#include "base/words.h"
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
                                 std::is_same_v<T, std::string> ? "string"
                                 : std::is_same_v<T, bool>      ? "boolean"
                                                                : "number"));
  }
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

long Duration(const std::string& path, const YAML::Node& node, const std::string& what,
              bool allow_zero = false) {
  std::string text = Get<std::string>(path, node, what.c_str());
  long ms = 0;
  if (!ParseDuration(text, &ms) || (!allow_zero && ms <= 0))
    Fail(path, node, what + ": expected a duration like 500ms, 30s, 5m, 6h or 30d");
  return ms;
}

// An environment variable named in the file; secrets stay out of it.
std::string FromEnv(const std::string& path, const YAML::Node& node, const std::string& what) {
  std::string name = Get<std::string>(path, node, what.c_str());
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == 0) Fail(path, node, what + ": environment variable " + Shown(name) + " is not set");
  return v;
}

void ReadTargets(const std::string& path, const YAML::Node& val, Config* cfg) {
  if (!val.IsSequence()) Fail(path, val, "targets: expected a list of targets");
  for (const auto& item : val) {
    if (!item.IsMap()) Fail(path, item, "targets: each target is a mapping with at least url");
    TargetConfig t;
    t.origin = fmt::format("{}:{}", path, item.Mark().line + 1);
    for (const auto& f : item) {
      std::string k = Get<std::string>(path, f.first, "key");
      if (k == "name") t.name = Get<std::string>(path, f.second, "name");
      else if (k == "url") t.url = Get<std::string>(path, f.second, "url");
      else if (k == "interval") t.interval_ms = Duration(path, f.second, "interval");
      else if (k == "bearer") t.bearer = Get<std::string>(path, f.second, "bearer");
      else if (k == "bearer_env") t.bearer = FromEnv(path, f.second, "bearer_env");
      else if (k == "basic_auth") t.basic_auth = Get<std::string>(path, f.second, "basic_auth");
      else if (k == "basic_auth_env") t.basic_auth = FromEnv(path, f.second, "basic_auth_env");
      else if (k == "ca_file") t.ca_file = Get<std::string>(path, f.second, "ca_file");
      else if (k == "labels") {
        if (!f.second.IsMap()) Fail(path, f.second, "labels: expected a mapping");
        for (const auto& l : f.second)
          t.labels[Get<std::string>(path, l.first, "label")] =
              Get<std::string>(path, l.second, "label value");
      } else {
        Fail(path, f.first, "unknown target key \"" + Shown(k) +
                                "\" (known: name, url, interval, bearer, bearer_env, "
                                "basic_auth, basic_auth_env, ca_file, labels)");
      }
    }
    if (t.url.empty()) Fail(path, item, "target without url");
    if (!t.url.starts_with("http://") && !t.url.starts_with("https://"))
      Fail(path, item, "url: expected http:// or https://, got \"" + Shown(t.url) + "\"");
    if (t.name.empty()) t.name = t.url;
    for (const TargetConfig& o : cfg->targets)
      if (o.name == t.name) Fail(path, item, "two targets named \"" + Shown(t.name) + "\"");
    cfg->targets.push_back(std::move(t));
  }
}

// sources: where watch learns targets; src/discover reads them.
void ReadSources(const std::string& path, const YAML::Node& val, Config* cfg) {
  if (!val.IsSequence()) Fail(path, val, "sources: expected a list");
  for (const auto& item : val) {
    if (!item.IsMap()) Fail(path, item, "sources: each source is a mapping with prometheus: or file_sd:");
    SourceConfig s;
    s.origin = fmt::format("{}:{}", path, item.Mark().line + 1);
    bool refresh_set = false;
    for (const auto& f : item) {
      std::string k = Get<std::string>(path, f.first, "key");
      if (k == "prometheus" || k == "file_sd") {
        if (!s.kind.empty()) Fail(path, f.first, "a source is either prometheus: or file_sd:, not both");
        s.kind = k;
        s.where = Get<std::string>(path, f.second, k.c_str());
        if (k == "prometheus") {
          if (!s.where.starts_with("http://") && !s.where.starts_with("https://"))
            Fail(path, f.second, "prometheus: expected the server's http:// or https:// URL");
          while (s.where.back() == '/') s.where.pop_back();
        } else if (!s.where.empty() && s.where[0] != '/') {
          s.where = Dirname(path) + "/" + s.where;
        }
      } else if (k == "job") {
        s.job = Get<std::string>(path, f.second, "job");
      } else if (k == "refresh") {
        s.refresh_ms = Duration(path, f.second, "refresh");
        refresh_set = true;
      } else if (k == "pprof_port") {
        s.pprof_port = Get<std::string>(path, f.second, "pprof_port");
        if (s.pprof_port.empty() || s.pprof_port.size() > 5 ||
            s.pprof_port.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(s.pprof_port) < 1 || std::stoi(s.pprof_port) > 65535)
          Fail(path, f.second, "pprof_port: expected a port from 1 to 65535");
      } else if (k == "pprof_scheme") {
        s.pprof_scheme = Get<std::string>(path, f.second, "pprof_scheme");
        if (s.pprof_scheme != "http" && s.pprof_scheme != "https")
          Fail(path, f.second, "pprof_scheme: expected http or https");
      } else if (k == "bearer_env") {
        s.bearer = FromEnv(path, f.second, "bearer_env");
      } else if (k == "ca_file") {
        s.ca_file = Get<std::string>(path, f.second, "ca_file");
      } else {
        Fail(path, f.first, "unknown source key \"" + Shown(k) +
                                "\" (known: prometheus, file_sd, job, refresh, pprof_port, pprof_scheme, "
                                "bearer_env, ca_file)");
      }
    }
    if (s.kind.empty() || s.where.empty()) Fail(path, item, "source without prometheus: or file_sd:");
    if (s.kind == "file_sd" && !refresh_set) s.refresh_ms = 5'000;
    s.name = (s.kind == "file_sd" ? "file_sd:" + s.where : (s.where.starts_with("https") ? "prometheus+https://" : "prometheus://") +
                                        s.where.substr(s.where.find("://") + 3)) +
             (s.job.empty() ? "" : "?job=" + s.job);
    cfg->sources.push_back(std::move(s));
  }
}

void ReadWatch(const std::string& path, const YAML::Node& val, WatchConfig* w) {
  if (!val.IsMap()) Fail(path, val, "watch: expected a mapping");
  for (const auto& f : val) {
    std::string k = Get<std::string>(path, f.first, "key");
    auto count = [&](size_t lo, size_t hi) {
      double d = Get<double>(path, f.second, k.c_str());
      if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
        Fail(path, f.second, fmt::format("{}: must be between {} and {}", k, lo, hi));
      return static_cast<size_t>(d);
    };
    if (k == "interval") w->interval_ms = Duration(path, f.second, k);
    else if (k == "detail_gap") w->detail_gap_ms = Duration(path, f.second, k, true);
    else if (k == "timeout") w->timeout_ms = Duration(path, f.second, k);
    else if (k == "window") w->window = count(2, 1000);
    else if (k == "store_buckets") w->store_buckets = count(1, 10000);
    else if (k == "db") w->db = Get<std::string>(path, f.second, "db");
    else if (k == "webhook") w->webhook = Get<std::string>(path, f.second, "webhook");
    else if (k == "command") w->command = Get<std::string>(path, f.second, "command");
    else if (k == "form") {
      w->form = Get<std::string>(path, f.second, "form");
      if (w->form != "proto" && w->form != "1") Fail(path, f.second, "form: expected proto or 1");
    } else if (k == "alert_at") {
      w->alert_at = Get<std::string>(path, f.second, "alert_at");
      if (w->alert_at != "leak" && w->alert_at != "suspect")
        Fail(path, f.second, "alert_at: expected leak or suspect");
    } else if (k == "retention") {
      if (!f.second.IsMap()) Fail(path, f.second, "retention: expected a mapping");
      for (const auto& r : f.second) {
        std::string rk = Get<std::string>(path, r.first, "key");
        if (rk == "full") w->retention_full_ms = Duration(path, r.second, rk);
        else if (rk == "step") w->retention_step_ms = Duration(path, r.second, rk);
        else if (rk == "max") w->retention_max_ms = Duration(path, r.second, rk);
        else Fail(path, r.first, "unknown retention key \"" + Shown(rk) + "\" (known: full, step, max)");
      }
      if (w->retention_max_ms < w->retention_full_ms)
        Fail(path, f.second, "retention: max must not be shorter than full");
    } else {
      Fail(path, f.first, "unknown watch key \"" + Shown(k) +
                              "\" (known: interval, window, detail_gap, timeout, form, db, "
                              "alert_at, webhook, command, retention, store_buckets)");
    }
  }
}

void ReadServe(const std::string& path, const YAML::Node& val, ServeConfig* s) {
  if (!val.IsMap()) Fail(path, val, "serve: expected a mapping");
  for (const auto& f : val) {
    std::string k = Get<std::string>(path, f.first, "key");
    if (k == "addr") s->addr = Get<std::string>(path, f.second, "addr");
    else if (k == "token") s->token = Get<std::string>(path, f.second, "token");
    else if (k == "token_env") s->token = FromEnv(path, f.second, "token_env");
    else if (k == "insecure_listen") s->insecure_listen = Get<bool>(path, f.second, "insecure_listen");
    else Fail(path, f.first, "unknown serve key \"" + Shown(k) + "\" (known: addr, token, token_env, insecure_listen)");
  }
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
    // yaml-cpp reads about 2 MB/s: refuse what cannot be a config before
    // it spends seconds on it.
    constexpr off_t kMaxConfig = 4 << 20;
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > kMaxConfig)
      throw ConfigError{fmt::format("{}: {} bytes, larger than 4 MiB; not a config file", path,
                                    st.st_size)};
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
            Fail(path, t.first, "unknown threshold \"" + Shown(k) +
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
            std::string s = Get<std::string>(path, f.second, Shown(k).c_str());
            if (k == "top_function") rule.top_function = s;
            else if (k == "any_function") rule.any_function = s;
            else if (k == "creator") rule.creator = s;
            else if (k == "reason") rule.reason = s;
            else if (k == "pattern") {
              if (!FindPattern(s)) Fail(path, f.second, "unknown pattern id \"" + Shown(s) + "\"");
              rule.pattern = s;
            } else if (k == "regex") {
              auto re = std::make_shared<RE2>(s, RE2::Quiet);
              if (!re->ok()) Fail(path, f.second, "regex: " + Shown(re->error()));
              rule.regex = std::move(re);
            } else {
              Fail(path, f.first, "unknown ignore key \"" + Shown(k) +
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
      } else if (key == "targets") {
        ReadTargets(path, val, &cfg);
      } else if (key == "sources") {
        ReadSources(path, val, &cfg);
      } else if (key == "watch") {
        ReadWatch(path, val, &cfg.watch);
      } else if (key == "serve") {
        ReadServe(path, val, &cfg.serve);
      } else {
        Fail(path, kv.first, "unknown key \"" + Shown(key) +
                                 "\" (known: thresholds, ignore, source, targets, sources, watch, serve)");
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
