// Who may read the dashboard's data: with a token set, every path but the
// page and /healthz answers 401 without "Authorization: Bearer TOKEN";
// listening beyond loopback without a token is refused (exit 10) unless
// --insecure-listen says so. Both `leakhound serve` and `watch --serve`,
// through the built binary and curl.
#include <gtest/gtest.h>

#include "run_util.h"

namespace e2e {
namespace {

// A store with one (dead) target, so the data paths have something to
// answer with.
std::string History(const std::string& name) {
  std::string db = WorkDir() + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  RunResult r = Leakhound({"watch", "http://127.0.0.1:9/", "--no-config", "--interval", "200ms",
                           "--duration", "600ms", "--timeout", "300ms", "--db", db, "--quiet"});
  EXPECT_EQ(r.status, 0) << r.err;
  return db;
}

// HTTP status of GET base+path, with an Authorization header when given.
int Status(const std::string& base, const std::string& path, const std::string& auth = "") {
  std::vector<std::string> argv = {"curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w",
                                   "%{http_code}"};
  if (!auth.empty()) argv.insert(argv.end(), {"-H", "Authorization: " + auth});
  argv.push_back(base + path);
  RunResult r = Run(argv);
  return r.status == 0 ? std::stoi(r.out) : -r.status;
}

// "http://HOST:PORT/" from a "dashboard at ..." line, for curl on loopback.
std::string Base(const std::string& ready) {
  std::string port = ready.substr(ready.rfind(':') + 1);
  while (!port.empty() && port.back() == '/') port.pop_back();
  return "http://127.0.0.1:" + port;
}

void ExpectGuarded(const std::string& base) {
  SCOPED_TRACE(base);
  for (const char* path : {"/api/dashboard", "/metrics", "/api/dashboard?window=15m", "/api/other",
                           "/debug", "/metrics/../api/dashboard"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Status(base, path), 401);
    EXPECT_EQ(Status(base, path, "Bearer wrong"), 401);
    EXPECT_EQ(Status(base, path, "Bearer s3cre"), 401);     // a prefix of the token
    EXPECT_EQ(Status(base, path, "Bearer s3cret2"), 401);   // the token and more
    EXPECT_EQ(Status(base, path, "Bearer "), 401);
    EXPECT_EQ(Status(base, path, "s3cret"), 401);           // no scheme
    EXPECT_EQ(Status(base, path, "Basic czNjcmV0"), 401);
  }
  EXPECT_EQ(Status(base, "/api/dashboard", "Bearer s3cret"), 200);
  EXPECT_EQ(Status(base, "/metrics", "Bearer s3cret"), 200);
  EXPECT_EQ(Status(base, "/api/other", "Bearer s3cret"), 404);  // past the guard, no such route
  // The page holds no data and loads without the token.
  EXPECT_EQ(Status(base, "/"), 200);
  EXPECT_EQ(Status(base, "/healthz"), 200);
}

TEST(ServeAccess, TokenGuardsEveryDataPathOfServe) {
  std::string db = History("access-serve.db");
  Service serve({LeakhoundBinary(), "serve", "--no-config", "--db", db, "--addr", "127.0.0.1:0",
                 "--token", "s3cret"},
                "dashboard at ", true);
  ExpectGuarded(Base(serve.ready_line()));
}

TEST(ServeAccess, TokenGuardsEveryDataPathOfWatchServe) {
  std::string db = WorkDir() + "/access-watch.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  Service watch({"env", "LEAKHOUND_TOKEN=", LeakhoundBinary(), "watch", "http://127.0.0.1:9/", "--no-config", "--interval", "1s",
                 "--timeout", "300ms", "--db", db, "--serve", "127.0.0.1:0", "--quiet"},
                "dashboard at ", true);
  // Token from the environment this time: no --token on the command line.
  Service guarded({"env", "LEAKHOUND_TOKEN=s3cret", LeakhoundBinary(), "watch", "http://127.0.0.1:9/",
                   "--no-config", "--interval", "1s", "--timeout", "300ms", "--db",
                   WorkDir() + "/access-watch2.db", "--serve", "127.0.0.1:0", "--quiet"},
                  "dashboard at ", true);
  ExpectGuarded(Base(guarded.ready_line()));
  // Without any token the same paths are open on loopback.
  EXPECT_EQ(Status(Base(watch.ready_line()), "/api/dashboard"), 200);
}

TEST(ServeAccess, NonLoopbackWithoutTokenIsRefused) {
  std::string db = History("access-bind.db");
  RunOptions no_env;
  no_env.env = {"LEAKHOUND_TOKEN="};
  for (const char* addr : {"0.0.0.0:0", "[::]:0", "192.0.2.1:0"}) {
    SCOPED_TRACE(addr);
    RunResult r = Leakhound({"serve", "--no-config", "--db", db, "--addr", addr}, no_env);
    EXPECT_EQ(r.status, 10) << r.err;
    EXPECT_NE(r.err.find("without a token"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--insecure-listen"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  RunResult w = Leakhound({"watch", "http://127.0.0.1:9/", "--no-config", "--duration", "1s", "--db",
                           WorkDir() + "/access-bind-watch.db", "--serve", "0.0.0.0:0"},
                          no_env);
  EXPECT_EQ(w.status, 10) << w.err;
  EXPECT_NE(w.err.find("--insecure-listen"), std::string::npos) << w.err;
  EXPECT_EQ(std::count(w.err.begin(), w.err.end(), '\n'), 1) << w.err;
}

TEST(ServeAccess, NonLoopbackWithInsecureListenOrTokenIsAccepted) {
  std::string db = History("access-open.db");
  {
    Service s({"env", "LEAKHOUND_TOKEN=", LeakhoundBinary(), "serve", "--no-config", "--db", db,
               "--addr", "0.0.0.0:0", "--insecure-listen"},
              "dashboard at ", true);
    EXPECT_EQ(Status(Base(s.ready_line()), "/api/dashboard"), 200);
  }
  {
    Service s({LeakhoundBinary(), "serve", "--no-config", "--db", db, "--addr", "0.0.0.0:0", "--token",
               "s3cret"},
              "dashboard at ", true);
    EXPECT_EQ(Status(Base(s.ready_line()), "/api/dashboard"), 401);
    EXPECT_EQ(Status(Base(s.ready_line()), "/api/dashboard", "Bearer s3cret"), 200);
  }
  {
    // The config file's serve section may allow it too.
    std::string cfg = WorkDir() + "/access-insecure.yaml";
    WriteFile(cfg, "serve:\n  addr: 0.0.0.0:0\n  insecure_listen: true\n");
    Service s({"env", "LEAKHOUND_TOKEN=", LeakhoundBinary(), "serve", "--config", cfg, "--db", db},
              "dashboard at ", true);
    EXPECT_EQ(Status(Base(s.ready_line()), "/metrics"), 200);
  }
  {
    Service w({"env", "LEAKHOUND_TOKEN=", LeakhoundBinary(), "watch", "http://127.0.0.1:9/", "--no-config",
               "--interval", "1s", "--timeout", "300ms", "--db", WorkDir() + "/access-open-watch.db",
               "--serve", "0.0.0.0:0", "--insecure-listen", "--quiet"},
              "dashboard at ", true);
    EXPECT_EQ(Status(Base(w.ready_line()), "/metrics"), 200);
  }
  // A bad value for the config key is a config error with file and line.
  std::string bad = WorkDir() + "/access-bad.yaml";
  WriteFile(bad, "serve:\n  insecure_listen: maybe\n");
  RunResult r = Leakhound({"serve", "--config", bad, "--db", db});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find("access-bad.yaml:2"), std::string::npos) << r.err;
  // localhost and the rest of 127/8 are loopback: no token needed.
  for (const char* addr : {"localhost:0", "127.0.0.2:0"}) {
    Service s({"env", "LEAKHOUND_TOKEN=", LeakhoundBinary(), "serve", "--no-config", "--db", db,
               "--addr", addr},
              "dashboard at ", true);
    EXPECT_FALSE(s.ready_line().empty()) << addr;
  }
}

}  // namespace
}  // namespace e2e
