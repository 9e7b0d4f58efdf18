// leakhound must not hang on, or be flooded by, the service it diagnoses.
// A fake server on 127.0.0.1 misbehaves in each way a real one can; every
// case must end in bounded time with one clear line and its own exit code.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "run_util.h"

namespace {

enum class Mode { kSilent, kSlow, kHuge, kHtml, kCutBody, kError500, kRedirectLoop };

class FakeServer {
 public:
  explicit FakeServer(Mode mode) : mode_(mode) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) || listen(fd_, 16))
      throw std::runtime_error("bind");
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Send(int c, const std::string& s) { (void)!send(c, s.data(), s.size(), MSG_NOSIGNAL); }
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)!recv(c, buf, sizeof buf, 0);
      switch (mode_) {
        case Mode::kSilent:
          for (int i = 0; i < 100 && !stop_; ++i) usleep(100'000);
          break;
        case Mode::kSlow:
          Send(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n");
          for (int i = 0; i < 100 && !stop_; ++i) {
            Send(c, "g");
            usleep(100'000);
          }
          break;
        case Mode::kHuge: {
          Send(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2147483648\r\n\r\n");
          std::string chunk(1 << 16, 'x');
          for (int i = 0; i < 32768 && !stop_; ++i)
            if (send(c, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) break;
          break;
        }
        case Mode::kHtml:
          Send(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 38\r\n\r\n"
                  "<html><body>Log in first</body></html>");
          break;
        case Mode::kCutBody:
          Send(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
                  "goroutine 1 [running]:\nmain.main()\n");
          break;
        case Mode::kError500:
          Send(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 14\r\n\r\nsomething bad\n");
          break;
        case Mode::kRedirectLoop:
          Send(c, "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
          break;
      }
      close(c);
    }
  }
  Mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Outcome {
  int status;
  std::string err;
  double seconds;
};

Outcome Fetch(Mode mode, std::vector<std::string> extra = {}) {
  FakeServer server(mode);
  std::vector<std::string> args = {"analyze", "--no-config", "--timeout", "2s", "--connect-timeout", "1s"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(server.url());
  auto t0 = std::chrono::steady_clock::now();
  e2e::RunResult r = e2e::Leakhound(args);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {r.status, r.err, s};
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(NetFaults, NeverAnswersTimesOut) {
  Outcome o = Fetch(Mode::kSilent);
  EXPECT_EQ(o.status, 6) << o.err;
  EXPECT_LT(o.seconds, 6);
  EXPECT_EQ(Lines(o.err), 1);
  EXPECT_NE(o.err.find("timed out"), std::string::npos);
}

TEST(NetFaults, TrickleTimesOut) {
  Outcome o = Fetch(Mode::kSlow);
  EXPECT_EQ(o.status, 6) << o.err;
  EXPECT_LT(o.seconds, 6);
}

TEST(NetFaults, TwoGigabytesIsRefused) {
  Outcome o = Fetch(Mode::kHuge, {"--max-size", "1"});
  EXPECT_EQ(o.status, 8) << o.err;
  EXPECT_LT(o.seconds, 6);
  EXPECT_NE(o.err.find("larger than 1 MiB"), std::string::npos) << o.err;
}

TEST(NetFaults, HtmlIsNotAProfile) {
  Outcome o = Fetch(Mode::kHtml);
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_NE(o.err.find("HTML"), std::string::npos) << o.err;
  EXPECT_EQ(Lines(o.err), 1);
}

TEST(NetFaults, ConnectionClosedMidBody) {
  Outcome o = Fetch(Mode::kCutBody);
  EXPECT_EQ(o.status, 5) << o.err;
  EXPECT_EQ(Lines(o.err), 1);
}

TEST(NetFaults, ServerErrorStatus) {
  Outcome o = Fetch(Mode::kError500);
  EXPECT_EQ(o.status, 7) << o.err;
  EXPECT_NE(o.err.find("HTTP 500"), std::string::npos) << o.err;
}

TEST(NetFaults, RedirectLoopIsBounded) {
  Outcome o = Fetch(Mode::kRedirectLoop);
  EXPECT_EQ(o.status, 7) << o.err;
  EXPECT_NE(o.err.find("redirects"), std::string::npos) << o.err;
}

TEST(NetFaults, NothingListening) {
  int port;
  {
    FakeServer s(Mode::kError500);
    port = std::stoi(s.url().substr(s.url().rfind(':') + 1));
  }
  e2e::RunResult r = e2e::Leakhound({"analyze", "--connect-timeout", "1s", "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.status, 5) << r.err;
}

TEST(NetFaults, BadUrlAndDurationsAreUsageErrors) {
  EXPECT_EQ(e2e::Leakhound({"analyze", "--timeout", "soon", "http://127.0.0.1:1"}).status, 2);
  EXPECT_EQ(e2e::Leakhound({"analyze", "--form", "3", "http://127.0.0.1:1"}).status, 2);
}

}  // namespace
