#include "discover/discover.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "base/duration.h"
#include "base/words.h"

namespace leakhound {

namespace {

// A fleet this large is a mistake in the selector, and each target costs
// a transfer every interval: refuse rather than flood.
constexpr size_t kMaxTargets = 100'000;
constexpr uint64_t kMaxFileBytes = 64ull << 20;

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F'   ? c - 'A' + 10
                                                                   : -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

bool ValidPort(const std::string& p) {
  if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), ::isdigit)) return false;
  int n = std::stoi(p);
  return n > 0 && n < 65536;
}

// HOST:PORT, [V6]:PORT, or a bare host: no scheme, path or blanks.
bool ValidInstance(std::string_view s) {
  if (s.empty() || s.size() > 1024) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' ||
        c == '@')
      return false;
  return true;
}

// The instance with its port replaced by `port`.
std::string WithPort(const std::string& instance, const std::string& port) {
  std::string host = instance;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close != std::string::npos) host = host.substr(0, close + 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));
  }
  return host + ":" + port;
}

std::string Label(const std::map<std::string, std::string>& labels, const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

// One discovered target as a TargetConfig: where its pprof lives (label,
// then the source's rule, then the instance itself) and its labels.
// False with `why` when a label gives an unusable address.
bool MakeTarget(const std::string& instance, const std::string& scheme,
                const std::map<std::string, std::string>& labels, const SourceConfig& source,
                TargetConfig* out, std::string* why) {
  std::string url = Label(labels, "leakhound_pprof_url");
  if (!url.empty()) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      *why = "leakhound_pprof_url \"" + Shown(url) + "\": expected http:// or https://";
      return false;
    }
  } else {
    std::string port = Label(labels, "leakhound_pprof_port");
    if (port.empty()) port = source.pprof_port;
    if (!port.empty() && !ValidPort(port)) {
      *why = "pprof port \"" + Shown(port) + "\": expected a number from 1 to 65535";
      return false;
    }
    std::string s = !source.pprof_scheme.empty() ? source.pprof_scheme
                    : !scheme.empty()            ? scheme
                                                 : "http";
    if (s != "http" && s != "https") {
      *why = "scheme \"" + Shown(s) + "\": expected http or https";
      return false;
    }
    url = s + "://" + (port.empty() ? instance : WithPort(instance, port));
  }
  out->name = instance;
  out->url = url;
  out->source = source.name;
  out->origin = source.name;
  for (const auto& [k, v] : labels)
    if (!k.starts_with("__")) out->labels[k] = v;
  out->labels["instance"] = instance;
  return true;
}

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

}  // namespace

bool ParseSourceSpec(const std::string& spec, SourceConfig* out, std::string* error) {
  SourceConfig s;
  std::string rest;
  if (spec.starts_with("prometheus://") || spec.starts_with("prometheus+https://")) {
    bool tls = spec.starts_with("prometheus+https://");
    rest = spec.substr(tls ? 19 : 13);
    s.kind = "prometheus";
    size_t q = rest.find('?');
    std::string hostpath = rest.substr(0, q);
    while (!hostpath.empty() && hostpath.back() == '/') hostpath.pop_back();
    if (hostpath.empty() || !ValidInstance(hostpath.substr(0, hostpath.find('/'))))
      return Fail(error, "--targets-from " + Shown(spec) + ": expected prometheus://HOST:PORT");
    s.where = (tls ? "https://" : "http://") + hostpath;
    rest = q == std::string::npos ? "" : rest.substr(q + 1);
  } else if (spec.starts_with("file_sd:")) {
    rest = spec.substr(8);
    s.kind = "file_sd";
    size_t q = rest.find('?');
    s.where = rest.substr(0, q);
    if (s.where.empty())
      return Fail(error, "--targets-from file_sd: expected a file path after file_sd:");
    rest = q == std::string::npos ? "" : rest.substr(q + 1);
    s.refresh_ms = 5'000;
  } else {
    return Fail(error, "--targets-from " + Shown(spec) +
                           ": expected prometheus://HOST:PORT[?job=NAME] or file_sd:PATH");
  }
  std::istringstream params(rest);
  for (std::string kv; std::getline(params, kv, '&');) {
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : PercentDecode(kv.substr(eq + 1));
    if (k == "job") {
      s.job = v;
    } else if (k == "pprof_port") {
      if (!ValidPort(v)) return Fail(error, "--targets-from: pprof_port: expected a port, got \"" + Shown(v) + "\"");
      s.pprof_port = v;
    } else if (k == "pprof_scheme") {
      if (v != "http" && v != "https") return Fail(error, "--targets-from: pprof_scheme: expected http or https");
      s.pprof_scheme = v;
    } else if (k == "refresh") {
      if (!ParseDuration(v, &s.refresh_ms) || s.refresh_ms <= 0)
        return Fail(error, "--targets-from: refresh: expected a duration like 30s");
    } else {
      return Fail(error, "--targets-from: unknown parameter \"" + Shown(k) +
                             "\" (known: job, pprof_port, pprof_scheme, refresh)");
    }
  }
  s.name = (s.kind == "prometheus" ? spec.substr(0, spec.find("://") + 3) + s.where.substr(s.where.find("://") + 3)
                                   : "file_sd:" + s.where) +
           (s.job.empty() ? "" : "?job=" + s.job);
  s.origin = "--targets-from";
  *out = std::move(s);
  return true;
}

std::string TargetsApiUrl(const SourceConfig& source) { return source.where + "/api/v1/targets?state=active"; }

bool ParsePrometheusTargets(std::string_view body, const SourceConfig& source,
                            std::vector<TargetConfig>* out, std::string* error) {
  std::string where = TargetsApiUrl(source);
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Fail(error, where + ": not JSON (is this a Prometheus server?)");
  if (doc.value("status", "") != "success")
    return Fail(error, where + ": status \"" + Shown(doc.value("status", "")) + "\": " +
                           Shown(doc.value("error", "not the targets API's answer")));
  const nlohmann::json* active = nullptr;
  if (auto d = doc.find("data"); d != doc.end() && d->is_object())
    if (auto a = d->find("activeTargets"); a != d->end() && a->is_array()) active = &*a;
  if (!active) return Fail(error, where + ": no data.activeTargets in the answer");
  std::vector<TargetConfig> targets;
  for (const nlohmann::json& t : *active) {
    if (!t.is_object()) continue;
    std::map<std::string, std::string> labels, discovered;
    auto strings = [](const nlohmann::json& obj, const char* key, std::map<std::string, std::string>* m) {
      if (auto it = obj.find(key); it != obj.end() && it->is_object())
        for (const auto& [k, v] : it->items())
          if (v.is_string()) (*m)[k] = v.get<std::string>();
    };
    strings(t, "labels", &labels);
    strings(t, "discoveredLabels", &discovered);
    std::string instance = Label(labels, "instance");
    if (instance.empty()) instance = Label(discovered, "__address__");
    if (!ValidInstance(instance)) continue;
    if (!source.job.empty() && Label(labels, "job") != source.job) continue;
    // A pprof label set at discovery (a relabel rule, a pod annotation)
    // may have been left out of the final labels.
    for (const char* k : {"leakhound_pprof_url", "leakhound_pprof_port"})
      if (labels.count(k) == 0 && discovered.count(k)) labels[k] = discovered[k];
    std::string scheme = Label(discovered, "__scheme__");
    if (scheme.empty()) {
      std::string scrape = t.value("scrapeUrl", "");
      scheme = scrape.starts_with("https://") ? "https" : "http";
    }
    TargetConfig tc;
    std::string why;
    if (!MakeTarget(instance, scheme, labels, source, &tc, &why)) continue;
    targets.push_back(std::move(tc));
    if (targets.size() > kMaxTargets)
      return Fail(error, fmt::format("{}: more than {} targets; narrow it with ?job=", where, kMaxTargets));
  }
  FinishTargets(&targets);
  *out = std::move(targets);
  return true;
}

bool ParseFileSd(std::string_view text, const std::string& path, const SourceConfig& source,
                 std::vector<TargetConfig>* out, std::string* error) {
  auto at = [&](const YAML::Node& n, const std::string& msg) {
    return Fail(error, fmt::format("{}:{}: {}", path, n.Mark().line + 1, msg));
  };
  if (path.ends_with(".json")) {
    // Prometheus reads *.json as JSON; YAML would let through what it
    // refuses (trailing commas, comments), so check it as JSON first.
    try {
      nlohmann::json checked = nlohmann::json::parse(text);
      (void)checked;
    } catch (const nlohmann::json::parse_error& e) {
      size_t upto = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
      size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(upto), '\n'));
      std::string what = e.what();
      if (size_t colon = what.rfind(": "); colon != std::string::npos) what = what.substr(colon + 2);
      return Fail(error, fmt::format("{}:{}: not JSON: {}", path, line, Shown(what, 160)));
    } catch (const nlohmann::json::exception& e) {
      // A number too large for a double (found by fuzz_discover).
      return Fail(error, fmt::format("{}: not JSON: {}", path, Shown(e.what(), 160)));
    }
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(error, fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  std::vector<TargetConfig> targets;
  if (root.IsNull()) {  // an empty file: no targets, as for Prometheus
    *out = {};
    return true;
  }
  if (!root.IsSequence()) return at(root, "expected a list of {targets: [...], labels: {...}}");
  try {
    for (const YAML::Node& group : root) {
      if (!group.IsMap()) return at(group, "expected {targets: [...], labels: {...}}");
      std::map<std::string, std::string> labels;
      YAML::Node list;
      for (const auto& kv : group) {
        std::string k = kv.first.as<std::string>();
        if (k == "targets") {
          list = kv.second;
        } else if (k == "labels") {
          if (!kv.second.IsMap() && !kv.second.IsNull()) return at(kv.second, "labels: expected a mapping");
          for (const auto& l : kv.second) {
            if (!l.second.IsScalar()) return at(l.second, "label value: expected a string");
            labels[l.first.as<std::string>()] = l.second.as<std::string>();
          }
        } else {
          return at(kv.first, "unknown key \"" + Shown(k) + "\" (known: targets, labels)");
        }
      }
      if (!list.IsDefined() || list.IsNull()) continue;
      if (!list.IsSequence()) return at(list, "targets: expected a list of HOST:PORT");
      if (!source.job.empty() && Label(labels, "job") != source.job) continue;
      for (const YAML::Node& t : list) {
        if (!t.IsScalar()) return at(t, "target: expected HOST:PORT");
        std::string instance = t.as<std::string>();
        if (!ValidInstance(instance)) return at(t, "target \"" + Shown(instance) + "\": expected HOST:PORT");
        TargetConfig tc;
        std::string why;
        if (!MakeTarget(instance, "", labels, source, &tc, &why)) return at(t, why);
        targets.push_back(std::move(tc));
        if (targets.size() > kMaxTargets)
          return at(t, fmt::format("more than {} targets", kMaxTargets));
      }
    }
  } catch (const YAML::Exception& e) {
    return Fail(error, fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  *out = std::move(targets);
  return true;
}

std::vector<std::string> FileSdPaths(const SourceConfig& source) {
  std::vector<std::string> paths;
  if (source.where.find_first_of("*?[") == std::string::npos) return {source.where};
  glob_t g{};
  if (glob(source.where.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) paths.push_back(g.gl_pathv[i]);
  globfree(&g);
  return paths;
}

bool ReadFileSd(const SourceConfig& source, std::vector<TargetConfig>* out, std::string* error) {
  std::vector<TargetConfig> all;
  for (const std::string& path : FileSdPaths(source)) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return Fail(error, path + ": no such file");
    if (!S_ISREG(st.st_mode)) return Fail(error, path + ": not a regular file");
    if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes)
      return Fail(error, fmt::format("{}: larger than {} MiB; refusing", path, kMaxFileBytes >> 20));
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return Fail(error, path + ": cannot read");
    std::vector<TargetConfig> some;
    if (!ParseFileSd(text, path, source, &some, error)) return false;
    all.insert(all.end(), std::make_move_iterator(some.begin()), std::make_move_iterator(some.end()));
    if (all.size() > kMaxTargets)
      return Fail(error, fmt::format("{}: more than {} targets", source.where, kMaxTargets));
  }
  FinishTargets(&all);
  *out = std::move(all);
  return true;
}

void FinishTargets(std::vector<TargetConfig>* targets) {
  std::vector<TargetConfig> kept;
  std::set<std::string> urls;
  for (TargetConfig& t : *targets)
    if (urls.insert(t.url).second) kept.push_back(std::move(t));
  std::map<std::string, int> uses;
  for (const TargetConfig& t : kept) ++uses[t.name];
  for (TargetConfig& t : kept) {
    if (uses[t.name] < 2) continue;
    std::string job = Label(t.labels, "job");
    t.name = job.empty() ? t.url : job + "/" + t.name;
  }
  // Still equal (same instance and job, pprof on two URLs): the URL tells.
  uses.clear();
  for (const TargetConfig& t : kept) ++uses[t.name];
  for (TargetConfig& t : kept)
    if (uses[t.name] > 1) t.name = t.url;
  std::sort(kept.begin(), kept.end(),
            [](const TargetConfig& a, const TargetConfig& b) { return a.name < b.name; });
  *targets = std::move(kept);
}

}  // namespace leakhound
