#include "gotest/go_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

namespace leakhound {

namespace {

void WriteAllFd(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Passes output on whole lines at a time, with the renames applied.
class LineSink {
 public:
  LineSink(int fd, const Renames& rename) : fd_(fd), rename_(rename) {}
  void Add(const char* p, size_t n) {
    if (fd_ < 0) return;
    if (rename_.empty()) return WriteAllFd(fd_, p, n);
    pending_.append(p, n);
    size_t nl = pending_.rfind('\n');
    if (nl == std::string::npos) return;
    Emit(pending_.substr(0, nl + 1));
    pending_.erase(0, nl + 1);
  }
  void Flush() {
    if (fd_ >= 0 && !pending_.empty()) Emit(pending_);
    pending_.clear();
  }

 private:
  void Emit(std::string text) {
    for (const auto& [from, to] : rename_)
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    WriteAllFd(fd_, text.data(), text.size());
  }
  int fd_;
  const Renames& rename_;
  std::string pending_;
};

}  // namespace

void PackageProgress::Line(std::string_view line) {
  std::string_view status;
  if (line.starts_with("ok  ")) status = "ok";
  else if (line.starts_with("FAIL\t")) status = "FAIL";
  else if (line.starts_with("?   ")) status = "no tests";
  else return;
  size_t b = line.find('\t');
  std::string_view rest = b == std::string_view::npos ? "" : line.substr(b + 1);
  std::string_view pkg = rest.substr(0, rest.find_first_of("\t "));
  ++done_;
  std::string text = "leakhound test: " + std::to_string(done_) + " package(s) done, last " +
                     std::string(pkg) + " " + std::string(status);
  if (text.size() > 100) text.resize(100);
  std::fprintf(stderr, "\r%-100s", text.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

PackageProgress::~PackageProgress() {
  if (drawn_) std::fprintf(stderr, "\r%100s\r", "");
}

GoRun RunGo(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            int out_fd, int err_fd, bool keep, const Renames& rename,
            const std::function<void(std::string_view)>& on_line) {
  GoRun r;
  int out[2], err[2];
  if (pipe(out) != 0) return r;
  if (pipe(err) != 0) {
    close(out[0]);
    close(out[1]);
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) return r;
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    // The parent ignores ^C while go runs (go and the test binary get it
    // and stop, then the report is still written); an ignored signal
    // would stay ignored across exec.
    signal(SIGINT, SIG_DFL);
    for (const std::string& e : env) {
      size_t eq = e.find('=');
      if (eq != std::string::npos) setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  void (*old_int)(int) = signal(SIGINT, SIG_IGN);
  bool out_open = true, err_open = true;
  LineSink out_sink(out_fd, rename), err_sink(err_fd, rename);
  std::string line_buf;
  while (out_open || err_open) {
    pollfd fds[2];
    int n = 0;
    if (out_open) fds[n++] = {out[0], POLLIN, 0};
    if (err_open) fds[n++] = {err[0], POLLIN, 0};
    if (poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      bool is_out = fds[i].fd == out[0];
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        (is_out ? out_open : err_open) = false;
        continue;
      }
      (is_out ? out_sink : err_sink).Add(buf, static_cast<size_t>(got));
      if (is_out && on_line) {
        line_buf.append(buf, static_cast<size_t>(got));
        size_t start = 0;
        for (size_t nl; (nl = line_buf.find('\n', start)) != std::string::npos; start = nl + 1)
          on_line(std::string_view(line_buf).substr(start, nl - start));
        line_buf.erase(0, start);
      }
      if (keep) (is_out ? r.out : r.err).append(buf, static_cast<size_t>(got));
    }
  }
  out_sink.Flush();
  err_sink.Flush();
  close(out[0]);
  close(err[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  signal(SIGINT, old_int);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

std::vector<std::string> BuildFlagsOf(const std::vector<std::string>& test_flags) {
  // Flags of go build that take a value and decide which files and
  // modules are used.
  static const char* kWithValue[] = {"-tags", "-mod", "-modfile", "-pgo"};
  std::vector<std::string> out;
  for (size_t i = 0; i < test_flags.size(); ++i) {
    std::string f = test_flags[i];
    if (f.starts_with("--")) f.erase(0, 1);
    for (const char* name : kWithValue) {
      std::string n = name;
      if (f == n && i + 1 < test_flags.size()) {
        out.push_back(f);
        out.push_back(test_flags[++i]);
      } else if (f.starts_with(n + "=")) {
        out.push_back(f);
      }
    }
  }
  return out;
}

bool ListPackages(const std::string& go, const std::vector<std::string>& patterns,
                  const std::vector<std::string>& build_flags, std::vector<TestPackage>* out,
                  std::string* error) {
  std::vector<std::string> argv = {go, "list", "-e", "-json"};
  argv.insert(argv.end(), build_flags.begin(), build_flags.end());
  argv.insert(argv.end(), patterns.begin(), patterns.end());
  GoRun r = RunGo(argv, {}, -1, -1, true);
  if (r.status != 0) {
    *error = r.status == 127 || r.status < 0 ? "cannot run " + go : r.err;
    return false;
  }
  // A stream of JSON objects, one per package.
  std::istringstream in(r.out);
  try {
    while (in >> std::ws, in.peek() != EOF) {
      nlohmann::json j;
      in >> j;
      TestPackage p;
      p.dir = j.value("Dir", "");
      p.import_path = j.value("ImportPath", "");
      p.name = j.value("Name", "");
      for (const auto& f : j.value("TestGoFiles", nlohmann::json::array()))
        p.test_go_files.push_back(f.get<std::string>());
      for (const auto& f : j.value("XTestGoFiles", nlohmann::json::array()))
        p.xtest_go_files.push_back(f.get<std::string>());
      if (!p.dir.empty() && !p.name.empty()) out->push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    *error = std::string("go list -json: ") + e.what();
    return false;
  }
  return true;
}

GoTestOutcome ReadGoTestOutput(const std::string& text, int status) {
  GoTestOutcome o;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("FAIL\t")) {
      std::string rest = line.substr(5);
      if (rest.find("[build failed]") != std::string::npos ||
          rest.find("[setup failed]") != std::string::npos)
        o.build_failed = true;
      else
        o.tests_failed = true;
      o.failed_packages.push_back(rest.substr(0, rest.find_first_of("\t ")));
    } else if (line.starts_with("--- FAIL") || line.find("--- FAIL:") != std::string::npos) {
      o.tests_failed = true;
    } else if (line.starts_with("{")) {
      // go test -json: the same lines inside "Output", and since Go 1.24
      // a "build-fail" action of its own.
      if (line.find("\"Action\":\"build-fail\"") != std::string::npos ||
          line.find("[build failed]") != std::string::npos ||
          line.find("[setup failed]") != std::string::npos)
        o.build_failed = true;
      else if (line.find("\"Action\":\"fail\"") != std::string::npos)
        o.tests_failed = true;
    }
  }
  // go test failed without saying which package: a test failure unless
  // nothing ran at all.
  if (status != 0 && !o.build_failed && !o.tests_failed) o.tests_failed = status == 1;
  return o;
}

}  // namespace leakhound
