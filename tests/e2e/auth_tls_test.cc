// Live endpoints behind TLS and auth, as production pprof usually is: the
// service's certificate must verify (or be trusted with --ca-file), and
// bearer or basic credentials come from flags or the environment.
#include <gtest/gtest.h>

#include "run_util.h"

namespace {

std::string TlsDir() {
  std::string d = e2e::WorkDir() + "/tls";
  std::string cmd = "mkdir -p '" + d + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return d;
}

class AuthTls : public testing::TestWithParam<std::string> {};

TEST_P(AuthTls, CertificateMustVerify) {
  std::string dir = TlsDir();
  e2e::Service svc({e2e::BuildGo("leaky", GetParam()), "-mode", "serve-tls", "-out", dir}, "listening ");
  std::string url = svc.ready_line();
  ASSERT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;
  e2e::RunResult untrusted = e2e::Leakhound({"analyze", "--no-config", url});
  EXPECT_EQ(untrusted.status, 5) << untrusted.err;
  EXPECT_NE(untrusted.err.find("certificate"), std::string::npos) << untrusted.err;
  e2e::RunResult trusted = e2e::Leakhound({"analyze", "--no-config", "--ca-file", dir + "/ca.pem", url});
  EXPECT_EQ(trusted.status, 0) << trusted.err;
  EXPECT_NE(trusted.out.find("nil-chan"), std::string::npos);
}

TEST_P(AuthTls, BearerFromFlagOrEnvironment) {
  e2e::Service svc({e2e::BuildGo("leaky", GetParam()), "-mode", "serve", "-token", "s3cret"}, "listening ");
  std::string url = svc.ready_line();
  e2e::RunResult none = e2e::Leakhound({"analyze", "--no-config", url});
  EXPECT_EQ(none.status, 7) << none.err;
  EXPECT_NE(none.err.find("HTTP 401"), std::string::npos) << none.err;
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", "--bearer", "s3cret", url}).status, 0);
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", "--bearer", "wrong", url}).status, 7);
  e2e::RunOptions env;
  env.env = {"LEAKHOUND_BEARER_TOKEN=s3cret"};
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", url}, env).status, 0);
}

TEST_P(AuthTls, BasicAuth) {
  e2e::Service svc({e2e::BuildGo("leaky", GetParam()), "-mode", "serve", "-basic", "ops:pa55"}, "listening ");
  std::string url = svc.ready_line();
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", url}).status, 7);
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", "--user", "ops:pa55", url}).status, 0);
  e2e::RunOptions env;
  env.env = {"LEAKHOUND_BASIC_AUTH=ops:pa55"};
  EXPECT_EQ(e2e::Leakhound({"analyze", "--no-config", url}, env).status, 0);
}

INSTANTIATE_TEST_SUITE_P(Go, AuthTls, testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer());

}  // namespace
