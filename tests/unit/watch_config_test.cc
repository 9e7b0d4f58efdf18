// The watch/serve parts of .leakhound.yaml and durations.
#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

#include "base/duration.h"
#include "config/config.h"

namespace leakhound {
namespace {

// ctest runs each test in its own process, several at once: one file per
// process, as store_test does, or one test reads another's config.
std::string Write(const std::string& text) {
  std::string path =
      ::testing::TempDir() + "/lh_watch_config_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream f(path, std::ios::trunc);
  f << text;
  return path;
}

TEST(Duration, Units) {
  long ms = 0;
  EXPECT_TRUE(ParseDuration("500ms", &ms));
  EXPECT_EQ(ms, 500);
  EXPECT_TRUE(ParseDuration("1.5s", &ms));
  EXPECT_EQ(ms, 1500);
  EXPECT_TRUE(ParseDuration("30d", &ms));
  EXPECT_EQ(ms, 30L * 86'400'000);
  EXPECT_FALSE(ParseDuration("5 minutes", &ms));
  EXPECT_FALSE(ParseDuration("-1s", &ms));
  EXPECT_FALSE(ParseDuration("400d", &ms));
}

TEST(WatchConfig, TargetsWatchAndServe) {
  setenv("LH_TEST_TOKEN", "s3cret", 1);
  std::string path = Write(
      "targets:\n"
      "  - name: api-1\n"
      "    url: http://10.0.0.5:6060\n"
      "    interval: 15s\n"
      "    bearer_env: LH_TEST_TOKEN\n"
      "    labels: {team: payments}\n"
      "  - url: https://b.example:6060\n"
      "watch:\n"
      "  interval: 1m\n"
      "  window: 30\n"
      "  alert_at: suspect\n"
      "  retention: {full: 2h, step: 1m, max: 7d}\n"
      "serve: {addr: ':9000', token_env: LH_TEST_TOKEN}\n");
  Config c;
  std::string err;
  ASSERT_TRUE(LoadConfig(path, &c, &err)) << err;
  ASSERT_EQ(c.targets.size(), 2u);
  EXPECT_EQ(c.targets[0].name, "api-1");
  EXPECT_EQ(c.targets[0].interval_ms, 15'000);
  EXPECT_EQ(c.targets[0].bearer, "s3cret");
  EXPECT_EQ(c.targets[0].labels.at("team"), "payments");
  EXPECT_EQ(c.targets[1].name, "https://b.example:6060");  // defaults to the URL
  EXPECT_EQ(c.watch.interval_ms, 60'000);
  EXPECT_EQ(c.watch.window, 30u);
  EXPECT_EQ(c.watch.alert_at, "suspect");
  EXPECT_EQ(c.watch.retention_full_ms, 2 * 3'600'000L);
  EXPECT_EQ(c.watch.retention_max_ms, 7 * 86'400'000L);
  EXPECT_EQ(c.serve.addr, ":9000");
  EXPECT_EQ(c.serve.token, "s3cret");
}

TEST(WatchConfig, ErrorsNameTheLine) {
  struct Case {
    const char* yaml;
    const char* line;
    const char* words;
  } cases[] = {
      {"targets:\n  - name: a\n    url: ftp://x\n", ":2:", "http://"},
      {"targets:\n  - name: a\n    url: http://x\n  - name: a\n    url: http://y\n", ":4:", "two targets"},
      {"targets:\n  - url: http://x\n    intervl: 5s\n", ":3:", "unknown target key"},
      {"watch:\n  interval: soon\n", ":2:", "duration"},
      {"watch:\n  retention: {full: 2d, max: 1d}\n", ":2:", "max must not be shorter"},
      {"targets:\n  - url: http://x\n    bearer_env: LH_TEST_SURELY_UNSET\n", ":3:", "not set"},
      {"serve: {adr: 1}\n", ":1:", "unknown serve key"},
  };
  for (const Case& c : cases) {
    std::string path = Write(c.yaml);
    Config cfg;
    std::string err;
    EXPECT_FALSE(LoadConfig(path, &cfg, &err)) << c.yaml;
    EXPECT_NE(err.find(path + c.line), std::string::npos) << c.yaml << " -> " << err;
    EXPECT_NE(err.find(c.words), std::string::npos) << c.yaml << " -> " << err;
  }
}

}  // namespace
}  // namespace leakhound
