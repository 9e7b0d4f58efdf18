// Running programs from end-to-end tests: the built leakhound binary and
// the Go fixture programs. fork+exec with explicit argv (no shell), stdout
// and stderr captured, optional stdin, a hard timeout.
#ifndef LEAKHOUND_TESTS_E2E_RUN_UTIL_H_
#define LEAKHOUND_TESTS_E2E_RUN_UTIL_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace e2e {

struct RunResult {
  int status = -1;  // exit code, or 128+signal
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct RunOptions {
  std::string stdin_data;
  std::vector<std::string> env;  // extra NAME=VALUE
  int timeout_ms = 120'000;
  // Interactive use: once stdout contains `wait_for`, send `then_signal`
  // to the child (e.g. SIGQUIT after the program says "ready").
  std::string wait_for;
  int then_signal = 0;
  std::string cwd;
};

inline RunResult Run(const std::vector<std::string>& argv, const RunOptions& o = {}) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    for (const std::string& e : o.env) putenv(const_cast<char*>(e.c_str()));
    if (!o.cwd.empty() && chdir(o.cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  signal(SIGPIPE, SIG_IGN);
  RunResult r;
  size_t written = 0;
  int in_fd = in[1];
  if (o.stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  bool signalled = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.timeout_ms);
  int open_fds = 2;
  bool out_open = true, err_open = true;
  while (open_fds > 0) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left, 200)));
    for (const pollfd& p : fds) {
      if (p.fd == in_fd && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = write(in_fd, o.stdin_data.data() + written, o.stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == o.stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
      } else if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[65536];
        ssize_t n = read(p.fd, buf, sizeof buf);
        if (n <= 0) {
          if (p.fd == out[0]) out_open = false;
          else err_open = false;
          --open_fds;
        } else {
          (p.fd == out[0] ? r.out : r.err).append(buf, static_cast<size_t>(n));
        }
      }
    }
    if (!signalled && o.then_signal && !o.wait_for.empty() &&
        (r.out.find(o.wait_for) != std::string::npos ||
         r.err.find(o.wait_for) != std::string::npos)) {
      kill(pid, o.then_signal);
      signalled = true;
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out[0]);
  close(err[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

// A long-running child (a Go service): started, its stdout read until a
// line containing `ready_prefix`, then left running until Stop().
class Service {
 public:
  // stderr_too: also look for the ready line on stderr (leakhound prints
  // "dashboard at URL" there, keeping stdout for its report).
  Service(const std::vector<std::string>& argv, const std::string& ready_prefix,
          bool stderr_too = false) {
    int out[2];
    if (pipe(out)) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(stderr_too ? out[1] : devnull, 2);
      close(out[0]);
      close(out[1]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      seen_ = got;
      size_t at = got.find(ready_prefix);
      size_t nl = at == std::string::npos ? at : got.find('\n', at);
      if (nl != std::string::npos) {
        line_ = got.substr(at + ready_prefix.size(), nl - at - ready_prefix.size());
        return;
      }
    }
    Stop();
    throw std::runtime_error("service did not get ready: " + got);
  }
  ~Service() { Stop(); }
  // The rest of the ready line, e.g. the URL after "listening ".
  const std::string& ready_line() const { return line_; }
  // Everything it printed up to and including the ready line.
  const std::string& seen() const { return seen_; }
  pid_t pid() const { return pid_; }
  // Sends `sig`, waits up to `timeout_ms` for the exit, and returns the
  // exit status (128+signal), reading what it still prints into *output.
  int SignalAndWait(int sig, int timeout_ms, std::string* output = nullptr) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int st = 0;
    while (true) {
      char buf[4096];
      pollfd p{fd_, POLLIN, 0};
      if (fd_ >= 0 && poll(&p, 1, 50) > 0) {
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n > 0 && output) output->append(buf, static_cast<size_t>(n));
      }
      pid_t r = waitpid(pid_, &st, WNOHANG);
      if (r == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &st, 0);
        pid_ = -1;
        return -2;
      }
    }
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string line_;
  std::string seen_;
};

// A loopback port free a moment ago, for a server that must be told its
// port before it starts (Prometheus, a config that names it).
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// curl with a 10 s cap, so a hung server fails the test instead of hanging it.
inline RunResult Curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "-sS", "--max-time", "10"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

// CTest runs tests in parallel processes, so each process writes below a
// folder of its own; only Go's build cache (safe to share) is common.
inline std::string WorkDir() {
  static const std::string dir = [] {
    std::string d = std::string(LEAKHOUND_WORK_DIR) + "/p" + std::to_string(getpid());
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("mkdir " + d);
    return d;
  }();
  return dir;
}

// WorkDir()/name with nothing there (a file with its SQLite -wal and
// -shm, or a folder): each test starts from a clean slate.
inline std::string Fresh(const std::string& name) {
  std::string p = WorkDir() + "/" + name;
  std::string cmd = "rm -rf '" + p + "' '" + p + "-wal' '" + p + "-shm'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error(cmd);
  return p;
}

// The Go toolchains the tests build with, found in one place
// (cmake/GoToolchains.cmake): never whichever `go` is first on PATH.
struct Toolchain {
  std::string version;      // "1.19", "1.26", "1.27"
  std::string go;           // the go binary
  std::string gotoolchain;  // GOTOOLCHAIN for it ("local" or "go1.27.3")
};

// Every toolchain the tests run the Go fixture programs under.
inline const std::vector<std::string>& GoVersions() {
  static const std::vector<std::string> v = {"1.19", "1.26", "1.27"};
  return v;
}

// For INSTANTIATE_TEST_SUITE_P: "1.26" -> "go1_26".
inline std::string GoParamName(const std::string& version) {
  std::string n = "go";
  n.append(version);
  for (char& c : n)
    if (c == '.') c = '_';
  return n;
}

// The name generator for INSTANTIATE_TEST_SUITE_P(Go, Suite,
// testing::ValuesIn(e2e::GoVersions()), e2e::GoParamNamer()).
struct GoParamNamer {
  template <class Info>
  std::string operator()(const Info& i) const {
    return GoParamName(i.param);
  }
};

// Go needs writable caches even in CI containers without HOME. Modules
// and toolchain downloads are shared per machine (LEAKHOUND_GOMODCACHE).
inline std::vector<std::string> GoEnv(const Toolchain& tc) {
  std::string w = LEAKHOUND_WORK_DIR;
  std::vector<std::string> env;
  if (!std::getenv("GOCACHE")) env.push_back("GOCACHE=" + w + "/go-cache");
  if (!std::getenv("GOPATH")) env.push_back("GOPATH=" + w + "/go-path");
  if (!std::getenv("GOMODCACHE")) env.push_back(std::string("GOMODCACHE=") + LEAKHOUND_GOMODCACHE);
  if (!std::getenv("HOME")) env.push_back("HOME=" + w);
  env.push_back("GOFLAGS=-mod=mod -buildvcs=false");
  env.push_back("GO111MODULE=on");
  env.push_back("GOTOOLCHAIN=" + tc.gotoolchain);
  return env;
}

// The toolchain for `version`, checked once: `go version` must report it.
// A missing or wrong toolchain throws, naming it and how to get it, so a
// test fails loudly instead of silently running another Go.
inline const Toolchain& GoToolchain(const std::string& version) {
  static std::mutex mu;
  static std::map<std::string, Toolchain> checked;
  std::lock_guard<std::mutex> lock(mu);
  auto it = checked.find(version);
  if (it != checked.end()) return it->second;
  std::string all = LEAKHOUND_GO_TOOLCHAINS;
  std::stringstream in(all);
  std::string entry;
  while (std::getline(in, entry, ',')) {
    size_t a = entry.find('='), b = entry.rfind('=');
    if (a == std::string::npos || a == b || entry.substr(0, a) != version) continue;
    Toolchain tc{version, entry.substr(a + 1, b - a - 1), entry.substr(b + 1)};
    RunOptions o;
    o.env = GoEnv(tc);
    o.timeout_ms = 600'000;  // the first 1.27 use downloads the toolchain
    RunResult r = Run({tc.go, "version"}, o);
    std::string want = "go version go";
    want.append(version).append(".");
    if (r.status != 0 || r.out.find(want) == std::string::npos)
      throw std::runtime_error("Go " + version + " toolchain unusable: `" + tc.go +
                               " version` with GOTOOLCHAIN=" + tc.gotoolchain + " said: " + r.out +
                               r.err +
                               " (scripts/install-deps.sh installs golang-1.19-go; 1.26 must be on "
                               "PATH; 1.27 needs the Go module proxy; override with "
                               "-DLEAKHOUND_GO_1_NN=PATH)");
    return checked[version] = tc;
  }
  throw std::runtime_error("no Go " + version + " in LEAKHOUND_GO_TOOLCHAINS=" + all);
}

// Builds testdata/go/NAME once per test process with Go `version`
// (and `extra_env`, e.g. GOEXPERIMENT=...); returns the binary path.
// test: `go test -c` (the package's tests, for testing/synctest) instead
// of `go build`.
inline std::string BuildGoWith(const std::string& name, const std::string& version,
                               const std::vector<std::string>& extra_env, bool test) {
  static std::mutex mu;
  static std::map<std::string, std::string> built;
  const Toolchain& tc = GoToolchain(version);
  std::lock_guard<std::mutex> lock(mu);
  std::string key = name + "@" + version + (test ? " test" : "");
  std::string suffix;
  for (const std::string& e : extra_env) {
    key.append(" ").append(e);
    suffix.append("-").append(std::to_string(std::hash<std::string>{}(e) % 100000));
  }
  auto it = built.find(key);
  if (it != built.end()) return it->second;
  std::string bin = WorkDir() + "/bin/go" + version + suffix + "/" + name + (test ? ".test" : "");
  RunOptions o;
  o.env = GoEnv(tc);
  o.env.insert(o.env.end(), extra_env.begin(), extra_env.end());
  o.cwd = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/go/" + name;
  o.timeout_ms = 600'000;
  std::vector<std::string> argv = {tc.go, "build", "-o", bin, "."};
  if (test) argv = {tc.go, "test", "-c", "-o", bin, "."};
  RunResult r = Run(argv, o);
  if (r.status != 0)
    throw std::runtime_error("go" + version + (test ? " test -c " : " build ") + name + ": " +
                             r.err + r.out);
  built[key] = bin;
  return bin;
}

inline std::string BuildGo(const std::string& name, const std::string& version,
                           const std::vector<std::string>& extra_env = {}) {
  return BuildGoWith(name, version, extra_env, /*test=*/false);
}

// `go test -c` of testdata/go/NAME: the test binary, run with -test.run.
inline std::string BuildGoTest(const std::string& name, const std::string& version,
                               const std::vector<std::string>& extra_env = {}) {
  return BuildGoWith(name, version, extra_env, /*test=*/true);
}

// "LEAK:tag" / "BENIGN:tag" markers in a Go source file: tag -> line.
inline std::map<std::string, int> Markers(const std::string& path, const std::string& kind) {
  std::map<std::string, int> m;
  std::ifstream f(path);
  std::string line;
  int n = 0;
  std::regex re("// " + kind + ":([a-z0-9-]+)");
  while (std::getline(f, line)) {
    ++n;
    std::smatch sm;
    if (std::regex_search(line, sm, re)) m[sm[1]] = n;
  }
  return m;
}

// The binary under test: the one this build made, or LEAKHOUND_E2E_BIN
// (`make tsan` runs these tests against its ThreadSanitizer binary
// without building a second copy of the tests).
inline std::string LeakhoundBinary() {
  const char* other = std::getenv("LEAKHOUND_E2E_BIN");
  return other && *other ? other : LEAKHOUND_BIN;
}

inline RunResult Leakhound(const std::vector<std::string>& args, const RunOptions& o = {}) {
  std::vector<std::string> argv = {LeakhoundBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, o);
}

inline nlohmann::json AnalyzeJson(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"analyze", "--format", "json", "--no-config"};
  a.insert(a.end(), args.begin(), args.end());
  RunResult r = Leakhound(a);
  if (r.status != 0) throw std::runtime_error("leakhound exit " + std::to_string(r.status) + ": " + r.err);
  return nlohmann::json::parse(r.out);
}

inline std::string Basename(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

}  // namespace e2e

#endif  // LEAKHOUND_TESTS_E2E_RUN_UTIL_H_
