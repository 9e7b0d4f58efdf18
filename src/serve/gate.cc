#include "serve/gate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

#include "base/clock.h"

namespace leakhound {

namespace {

// httplib's accept loop hands each socket to the task queue; running the
// task right there only registers the socket with the gate's poller.
class InlineQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

void CloseFd(int fd) {
  shutdown(fd, SHUT_RDWR);
  close(fd);
}

// Best effort: the client may be gone or not reading.
void SendAndClose(int fd, const char* response) {
  (void)send(fd, response, strlen(response), MSG_NOSIGNAL | MSG_DONTWAIT);
  CloseFd(fd);
}

// Where the request head ends (past its blank line), or npos.
size_t HeadEnd(const std::string& b) {
  size_t crlf = b.find("\r\n\r\n"), lf = b.find("\n\n");
  if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) return crlf + 4;
  return lf == std::string::npos ? lf : lf + 2;
}

const char kBadRequest[] =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const char kTooLarge[] =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const char kNoBody[] =
    "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const char kTimeout[] = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

std::string AddrText(const sockaddr_storage& ss, int* port) {
  char host[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    *port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    *port = ntohs(a->sin6_port);
  }
  return host;
}

bool TokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

// The head's header lines, checked before httplib sees them (it skips a
// line without a colon and reads a Content-Length it cannot parse as 0):
// the refusal to send, or nullptr. Nothing is uploaded to the dashboard,
// so any body is refused rather than read.
const char* CheckHead(std::string_view head) {
  if (head.find('\0') != std::string_view::npos) return kBadRequest;
  size_t at = head.find('\n');
  if (at == std::string_view::npos) return kBadRequest;
  ++at;
  while (at < head.size()) {
    size_t nl = head.find('\n', at);
    std::string_view line = head.substr(at, nl == std::string_view::npos ? nl : nl - at);
    at = nl == std::string_view::npos ? head.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the blank line that ends the head
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return kBadRequest;
    std::string_view name = line.substr(0, colon);
    for (char c : name)
      if (!TokenChar(c)) return kBadRequest;  // also a folded line or a space before the colon
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (SameName(name, "content-length")) {
      if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string_view::npos)
        return kBadRequest;
      if (value.find_first_not_of('0') != std::string_view::npos) return kNoBody;
    } else if (SameName(name, "transfer-encoding")) {
      return kNoBody;
    }
  }
  return nullptr;
}

// One request's view of a connection: the bytes the poller already read,
// then the socket, all within the request's deadline.
class GateStream : public httplib::Stream {
 public:
  GateStream(int fd, std::string buf, int64_t deadline_ms)
      : fd_(fd), buf_(std::move(buf)), deadline_ms_(deadline_ms) {}

  bool is_readable() const override { return pos_ < buf_.size() || Wait(POLLIN); }
  bool is_writable() const override { return Wait(POLLOUT); }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ >= buf_.size()) {
      buf_.clear();
      pos_ = 0;
      if (!Wait(POLLIN)) return -1;
      char tmp[16 * 1024];
      ssize_t n = recv(fd_, tmp, sizeof tmp, MSG_DONTWAIT);
      if (n <= 0) return n;
      buf_.assign(tmp, static_cast<size_t>(n));
    }
    size_t n = std::min(size, buf_.size() - pos_);
    memcpy(ptr, buf_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!Wait(POLLOUT)) return -1;
    return send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) ip = AddrText(ss, &port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) ip = AddrText(ss, &port);
  }
  socket_t socket() const override { return fd_; }

  // What the client sent past this request (a pipelined next one).
  std::string Leftover() { return buf_.substr(pos_); }

 private:
  bool Wait(short events) const {
    int64_t left = deadline_ms_ - SteadyMs();
    if (left <= 0) return false;
    pollfd p{fd_, events, 0};
    int r;
    do r = poll(&p, 1, static_cast<int>(left));
    while (r < 0 && errno == EINTR);
    return r > 0 && (p.revents & (events | POLLHUP | POLLERR));
  }

  int fd_;
  std::string buf_;
  size_t pos_ = 0;
  int64_t deadline_ms_;
};

}  // namespace

GatedServer::GatedServer(const GateLimits& limits) : limits_(limits) {
  new_task_queue = [] { return new InlineQueue; };
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  poller_ = std::thread([this] { PollLoop(); });
  for (int i = 0; i < limits_.workers; ++i) workers_.emplace_back([this] { WorkLoop(); });
}

GatedServer::~GatedServer() { StopGate(); }

void GatedServer::WidenBacklog(int n) {
  // httplib listens with a backlog of 5: a burst of connections (200 at
  // once) overflows it and each SYN past it waits a second for its
  // retransmit. listen() again on a listening socket sets the new size.
  socket_t fd = svr_sock_;
  if (fd != INVALID_SOCKET) ::listen(fd, n);
}

void GatedServer::StopGate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !poller_.joinable()) return;
    stopping_ = true;
  }
  Wake();
  work_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  for (std::thread& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  for (Conn& c : incoming_) CloseFd(c.fd);
  for (Conn& c : ready_) CloseFd(c.fd);
  incoming_.clear();
  ready_.clear();
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

void GatedServer::Wake() {
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

bool GatedServer::process_and_close_socket(socket_t sock) {
  // httplib writes a response's head and body in separate sends: with
  // Nagle on, the body waits for the client's delayed ACK (40 ms), which
  // capped a keep-alive connection at ~23 requests/s.
  int one = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && open_ < limits_.max_connections) {
      ++open_;
      Conn c;
      c.fd = sock;
      c.deadline_ms = SteadyMs() + limits_.idle_ms;
      incoming_.push_back(std::move(c));
      Wake();
      return true;
    }
  }
  SendAndClose(sock, "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  return false;
}

void GatedServer::ToPoller(Conn c) {
  std::lock_guard<std::mutex> lock(mu_);
  incoming_.push_back(std::move(c));
  Wake();
}

void GatedServer::PollLoop() {
  std::vector<Conn> waiting;
  std::vector<pollfd> fds;
  auto close_conn = [this](Conn& c) {
    CloseFd(c.fd);
    c.fd = -1;
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
  };
  // An error answer, then a lingering close: closing with unread input
  // would send a reset that can destroy the answer before the client
  // reads it.
  auto refuse = [](Conn& c, const char* response, int64_t now) {
    (void)send(c.fd, response, strlen(response), MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(c.fd, SHUT_WR);
    c.draining = true;
    c.buf.clear();
    c.deadline_ms = now + 1000;
  };
  // A whole head goes to a worker, unless CheckHead refuses it.
  auto try_dispatch = [this, &refuse](Conn& c, int64_t now) {
    size_t end = HeadEnd(c.buf);
    if (end == std::string::npos) return false;
    if (const char* refusal = CheckHead(std::string_view(c.buf).substr(0, end))) {
      refuse(c, refusal, now);
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(c));
    }
    work_cv_.notify_one();
    c.fd = -1;
    return true;
  };
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      for (Conn& c : incoming_) waiting.push_back(std::move(c));
      incoming_.clear();
    }
    int64_t now = SteadyMs();
    // A pipelined request may already be whole in the leftover bytes.
    for (Conn& c : waiting)
      if (c.fd >= 0 && c.started && !c.draining) try_dispatch(c, now);
    std::erase_if(waiting, [](const Conn& c) { return c.fd < 0; });

    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    int64_t next = now + 1000;
    for (const Conn& c : waiting) {
      fds.push_back(pollfd{c.fd, POLLIN, 0});
      next = std::min(next, c.deadline_ms);
    }
    int r = poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, next - now)));
    if (r < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      uint64_t n;
      (void)!::read(wake_fd_, &n, sizeof n);
    }
    now = SteadyMs();
    for (size_t i = 0; i < waiting.size(); ++i) {
      Conn& c = waiting[i];
      if (fds[i + 1].revents) {
        char tmp[16 * 1024];
        ssize_t n = recv(c.fd, tmp, sizeof tmp, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          close_conn(c);
          continue;
        }
        if (n > 0 && !c.draining) {
          if (!c.started) c.deadline_ms = now + limits_.head_ms;
          c.started = true;
          c.buf.append(tmp, static_cast<size_t>(n));
          if (try_dispatch(c, now)) continue;
          if (!c.draining && c.buf.size() > limits_.max_head) refuse(c, kTooLarge, now);
        }
      }
      if (now >= c.deadline_ms) {
        if (c.started && !c.draining) refuse(c, kTimeout, now);
        else close_conn(c);
      }
    }
    std::erase_if(waiting, [](const Conn& c) { return c.fd < 0; });
  }
  for (Conn& c : waiting) CloseFd(c.fd);
}

void GatedServer::WorkLoop() {
  while (true) {
    Conn c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (stopping_) return;
      c = std::move(ready_.front());
      ready_.pop_front();
    }
    Serve(std::move(c));
  }
}

void GatedServer::Serve(Conn c) {
  GateStream stream(c.fd, std::move(c.buf), SteadyMs() + limits_.request_ms);
  bool last = ++c.served >= limits_.keep_alive_max;
  bool closed = false;
  bool ok = process_request(stream, last, closed, nullptr);
  if (!ok || closed || last) {
    CloseFd(c.fd);
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    return;
  }
  c.buf = stream.Leftover();
  c.started = !c.buf.empty();
  c.deadline_ms = SteadyMs() + (c.started ? limits_.head_ms : limits_.idle_ms);
  ToPoller(std::move(c));
}

}  // namespace leakhound
