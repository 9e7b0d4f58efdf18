// A one-thread HTTP server on 127.0.0.1 (a port the kernel picks) for the
// e2e tests that need a service answering in a set way: each accepted
// connection is handed to `handle`, then closed. Stopping waits for the
// connection being handled.
#ifndef LEAKHOUND_TESTS_E2E_LOOPBACK_SERVER_H_
#define LEAKHOUND_TESTS_E2E_LOOPBACK_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace e2e {

class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(int fd)> handle) : handle_(std::move(handle)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Reads from `fd` until `done(bytes so far)` says so, the peer closes,
  // or 2 s pass without data.
  static std::string ReadUntil(int fd, const std::function<bool(const std::string&)>& done) {
    std::string req;
    char buf[4096];
    while (!done(req)) {
      pollfd q{fd, POLLIN, 0};
      if (poll(&q, 1, 2000) <= 0) break;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    return req;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      handle_(c);
      close(c);
    }
  }
  std::function<void(int fd)> handle_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace e2e

#endif  // LEAKHOUND_TESTS_E2E_LOOPBACK_SERVER_H_
