// Targets from Prometheus's discovery: --targets-from, the targets API's
// answer (recorded from a real Prometheus 2.42), file_sd files, and the
// sources: part of .leakhound.yaml.
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "config/config.h"
#include "discover/discover.h"

namespace leakhound {
namespace {

std::string Recorded() {
  std::ifstream f(std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/prometheus/targets-2.42.json");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::map<std::string, std::string> ByName(const std::vector<TargetConfig>& targets) {
  std::map<std::string, std::string> out;
  for (const TargetConfig& t : targets) out[t.name] = t.url;
  return out;
}

SourceConfig Spec(const std::string& spec) {
  SourceConfig s;
  std::string error;
  EXPECT_TRUE(ParseSourceSpec(spec, &s, &error)) << spec << ": " << error;
  return s;
}

TEST(Discover, SourceSpecs) {
  SourceConfig s = Spec("prometheus://127.0.0.1:9090?job=api&pprof_port=6060&refresh=5s");
  EXPECT_EQ(s.kind, "prometheus");
  EXPECT_EQ(s.where, "http://127.0.0.1:9090");
  EXPECT_EQ(s.job, "api");
  EXPECT_EQ(s.pprof_port, "6060");
  EXPECT_EQ(s.refresh_ms, 5000);
  EXPECT_EQ(s.name, "prometheus://127.0.0.1:9090?job=api");
  EXPECT_EQ(TargetsApiUrl(s), "http://127.0.0.1:9090/api/v1/targets?state=active");
  EXPECT_EQ(Spec("prometheus+https://prom.internal/prometheus/").where, "https://prom.internal/prometheus");
  EXPECT_EQ(Spec("prometheus://p:9090?job=my%20job").job, "my job");
  SourceConfig f = Spec("file_sd:/etc/prometheus/sd/*.json?job=api");
  EXPECT_EQ(f.kind, "file_sd");
  EXPECT_EQ(f.where, "/etc/prometheus/sd/*.json");
  EXPECT_EQ(f.refresh_ms, 5000);

  SourceConfig bad;
  std::string error;
  for (const char* spec : {"consul://x", "prometheus://", "prometheus://a b:1", "file_sd:",
                           "prometheus://p:1?pprof_port=0", "prometheus://p:1?pprof_port=70000",
                           "prometheus://p:1?pprof_scheme=ftp", "prometheus://p:1?refresh=soon",
                           "prometheus://p:1?jobs=api"}) {
    EXPECT_FALSE(ParseSourceSpec(spec, &bad, &error)) << spec;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_FALSE(ParseSourceSpec("prometheus://p:1?jobs=api", &bad, &error));
  EXPECT_NE(error.find("unknown parameter \"jobs\""), std::string::npos) << error;
}

// The recorded answer: job api has a leakhound_pprof_port target label,
// job web is https, job both sets leakhound_pprof_url by relabelling and
// shares an instance with api.
TEST(Discover, PrometheusTargetsApiRecorded) {
  std::vector<TargetConfig> all;
  std::string error;
  ASSERT_TRUE(ParsePrometheusTargets(Recorded(), Spec("prometheus://p:9090"), &all, &error)) << error;
  EXPECT_EQ(ByName(all), (std::map<std::string, std::string>{
                             {"api/10.0.0.5:8080", "http://10.0.0.5:6060"},
                             {"both/10.0.0.5:8080", "http://10.0.0.5:6061"},
                             {"10.0.0.6:8080", "http://10.0.0.6:6060"},
                             {"web-1.internal:443", "https://web-1.internal:443"}}));
  for (const TargetConfig& t : all) {
    EXPECT_EQ(t.source, "prometheus://p:9090");
    EXPECT_EQ(t.labels.count("__address__"), 0u);
    EXPECT_FALSE(t.labels.at("job").empty());
    EXPECT_FALSE(t.labels.at("instance").empty());
  }

  std::vector<TargetConfig> api;
  ASSERT_TRUE(ParsePrometheusTargets(Recorded(), Spec("prometheus://p:9090?job=api"), &api, &error));
  EXPECT_EQ(ByName(api), (std::map<std::string, std::string>{{"10.0.0.5:8080", "http://10.0.0.5:6060"},
                                                            {"10.0.0.6:8080", "http://10.0.0.6:6060"}}));
  EXPECT_EQ(api[0].labels.at("team"), "payments");

  // The source's rule applies where no label says otherwise.
  std::vector<TargetConfig> web;
  ASSERT_TRUE(ParsePrometheusTargets(Recorded(), Spec("prometheus://p:9090?job=web&pprof_port=6060"), &web,
                                     &error));
  EXPECT_EQ(ByName(web), (std::map<std::string, std::string>{{"web-1.internal:443", "https://web-1.internal:6060"}}));
  ASSERT_TRUE(ParsePrometheusTargets(Recorded(), Spec("prometheus://p:9090?job=api&pprof_port=7070&pprof_scheme=https"),
                                     &api, &error));
  // The target's port label wins over the rule's port; the rule's scheme,
  // which no label contradicts, still applies.
  EXPECT_EQ(api[0].url, "https://10.0.0.5:6060");
  std::vector<TargetConfig> none;
  ASSERT_TRUE(ParsePrometheusTargets(Recorded(), Spec("prometheus://p:9090?job=nope"), &none, &error));
  EXPECT_TRUE(none.empty());
}

TEST(Discover, PrometheusAnswersThatAreNot) {
  std::vector<TargetConfig> out;
  std::string error;
  SourceConfig s = Spec("prometheus://p:9090");
  EXPECT_FALSE(ParsePrometheusTargets("<html>login</html>", s, &out, &error));
  EXPECT_NE(error.find("not JSON"), std::string::npos) << error;
  EXPECT_FALSE(ParsePrometheusTargets(R"({"status":"error","error":"bad state"})", s, &out, &error));
  EXPECT_NE(error.find("bad state"), std::string::npos) << error;
  EXPECT_FALSE(ParsePrometheusTargets(R"({"status":"success","data":{}})", s, &out, &error));
  EXPECT_NE(error.find("activeTargets"), std::string::npos) << error;
  // Odd entries are skipped, not fatal: an instance with a path, a
  // non-object, a label that is not a URL.
  ASSERT_TRUE(ParsePrometheusTargets(
      R"({"status":"success","data":{"activeTargets":[1, {"labels":{"instance":"a/b","job":"x"}},
         {"labels":{"instance":"h:1","job":"x","leakhound_pprof_url":"ftp://h"}},
         {"labels":{"instance":"[::1]:9100","job":"x","leakhound_pprof_port":"6060"}}]}})",
      s, &out, &error))
      << error;
  EXPECT_EQ(ByName(out), (std::map<std::string, std::string>{{"[::1]:9100", "http://[::1]:6060"}}));
}

TEST(Discover, FileSdJsonAndYaml) {
  SourceConfig s = Spec("file_sd:/x");
  std::vector<TargetConfig> out;
  std::string error;
  ASSERT_TRUE(ParseFileSd(R"([
  {"targets": ["10.0.0.1:8080", "10.0.0.2:8080"], "labels": {"job": "api", "leakhound_pprof_port": "6060"}},
  {"targets": ["10.0.0.3:9000"]}
])",
                          "sd.json", s, &out, &error))
      << error;
  EXPECT_EQ(ByName(out), (std::map<std::string, std::string>{{"10.0.0.1:8080", "http://10.0.0.1:6060"},
                                                            {"10.0.0.2:8080", "http://10.0.0.2:6060"},
                                                            {"10.0.0.3:9000", "http://10.0.0.3:9000"}}));
  ASSERT_TRUE(ParseFileSd("- targets: ['h:1']\n  labels:\n    job: api\n    zone: a\n", "sd.yml", s, &out, &error));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].labels.at("zone"), "a");
  ASSERT_TRUE(ParseFileSd("", "sd.yml", s, &out, &error));
  EXPECT_TRUE(out.empty());

  struct Bad {
    const char* text;
    const char* path;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {"[\n  {\"targets\": [\"h:1\",]}\n]", "sd.json", "sd.json:2: not JSON"},
           {"[{\"targets\": [\"h:1\"]}] // note", "sd.json", "sd.json:1: not JSON"},
           {"88888e8888.4444444444444444444I44448..", "sd.json", "sd.json: not JSON"},  // fuzz_discover
           {"targets: [h:1]\n", "sd.yml", "sd.yml:1: expected a list"},
           {"- targets: [h:1]\n  lables: {job: x}\n", "sd.yml", "sd.yml:2: unknown key \"lables\""},
           {"- targets: ['http://h:1/metrics']\n", "sd.yml", "sd.yml:1: target \"http://h:1/metrics\""},
           {"- targets: [h:1]\n  labels: {leakhound_pprof_port: x}\n", "sd.yml", "pprof port \"x\""},
           {"- targets: [h:1\n", "sd.yml", "sd.yml:"}}) {
    EXPECT_FALSE(ParseFileSd(b.text, b.path, s, &out, &error)) << b.text;
    EXPECT_NE(error.find(b.error), std::string::npos) << b.text << " -> " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

TEST(Discover, ReadFileSdGlobAndMissingFile) {
  std::string dir = ::testing::TempDir() + "/lh_sd_" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  std::ofstream(dir + "/a.json") << R"([{"targets": ["h:1"], "labels": {"job": "api"}}])";
  std::ofstream(dir + "/b.yml") << "- targets: [h:2]\n  labels: {job: web}\n";
  std::ofstream(dir + "/c.json") << R"([{"targets": ["h:1"], "labels": {"job": "web"}}])";
  std::vector<TargetConfig> out;
  std::string error;
  SourceConfig s = Spec("file_sd:" + dir + "/*.json");
  ASSERT_TRUE(ReadFileSd(s, &out, &error)) << error;
  // h:1 twice (two jobs, one pprof URL): one target.
  EXPECT_EQ(ByName(out), (std::map<std::string, std::string>{{"h:1", "http://h:1"}}));
  ASSERT_TRUE(ReadFileSd(Spec("file_sd:" + dir + "/*"), &out, &error)) << error;
  EXPECT_EQ(out.size(), 2u);
  ASSERT_TRUE(ReadFileSd(Spec("file_sd:" + dir + "/*.yaml"), &out, &error));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(ReadFileSd(Spec("file_sd:" + dir + "/none.json"), &out, &error));
  EXPECT_EQ(error, dir + "/none.json: no such file");
  EXPECT_FALSE(ReadFileSd(Spec("file_sd:" + dir), &out, &error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos);
}

TEST(Discover, SourcesInTheConfigFile) {
  std::string path = ::testing::TempDir() + "/lh_sources_" + std::to_string(::getpid()) + ".yaml";
  auto load = [&](const std::string& text, Config* c, std::string* error) {
    std::ofstream(path, std::ios::trunc) << text;
    return LoadConfig(path, c, error);
  };
  Config c;
  std::string error;
  setenv("LH_TEST_PROM_TOKEN", "p-t0ken", 1);
  ASSERT_TRUE(load("sources:\n"
                   "  - prometheus: https://prom.internal:9090/\n"
                   "    bearer_env: LH_TEST_PROM_TOKEN\n"
                   "    job: api\n"
                   "    pprof_port: '6060'\n"
                   "    refresh: 1m\n"
                   "  - file_sd: sd/*.json\n",
                   &c, &error))
      << error;
  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[0].where, "https://prom.internal:9090");
  EXPECT_EQ(c.sources[0].name, "prometheus+https://prom.internal:9090?job=api");
  EXPECT_EQ(c.sources[0].refresh_ms, 60'000);
  EXPECT_EQ(c.sources[0].pprof_port, "6060");
  EXPECT_EQ(c.sources[0].bearer, "p-t0ken");
  EXPECT_EQ(c.sources[1].where, ::testing::TempDir() + "/sd/*.json") << "relative to the config's folder";
  EXPECT_EQ(c.sources[1].refresh_ms, 5'000);

  for (auto [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"sources:\n  - prometheus: prom:9090\n", ":2: prometheus: expected"},
           {"sources:\n  - job: api\n", ":2: source without"},
           {"sources:\n  - file_sd: a.json\n    prometheus: http://p\n", ":3: a source is either"},
           {"sources:\n  - file_sd: a.json\n    pprof_port: 0\n", ":3: pprof_port"},
           {"sources:\n  - file_sd: a.json\n    jobs: x\n", ":3: unknown source key \"jobs\""}}) {
    EXPECT_FALSE(load(text, &c, &error)) << text;
    EXPECT_NE(error.find(want), std::string::npos) << text << " -> " << error;
  }
}

}  // namespace
}  // namespace leakhound
