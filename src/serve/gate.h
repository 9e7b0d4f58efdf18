// The dashboard server's connection handling, in front of cpp-httplib's
// request parser and router.
//
// cpp-httplib 0.11 (Debian 12) gives each connection a pool thread for its
// whole life, and its read timeout is per recv(): a client sending one
// header byte a second holds a thread forever, and eight such clients
// (the pool's size on a small machine) stop the dashboard. Here one
// thread waits on every idle or half-sent connection with poll(); a
// connection reaches a worker only once its whole request head has
// arrived, and each request has a total deadline. Slow clients cost a
// file descriptor and a buffer, not a thread.
#ifndef LEAKHOUND_SERVE_GATE_H_
#define LEAKHOUND_SERVE_GATE_H_

#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serve/gate_limits.h"

namespace leakhound {


class GatedServer : public httplib::Server {
 public:
  explicit GatedServer(const GateLimits& limits);
  ~GatedServer() override;
  // After stop() and the listening thread's end: closes every connection
  // and joins the gate's threads.
  void StopGate();
  // After bind: a listen queue of n connections instead of httplib's 5.
  void WidenBacklog(int n);

 private:
  struct Conn {
    int fd = -1;
    std::string buf;       // bytes read past the last request
    int64_t deadline_ms = 0;
    bool started = false;  // a byte of the next request has arrived
    bool draining = false; // answered with an error: read and drop until EOF
    int served = 0;
  };

  // Called by httplib's accept loop (through the inline task queue).
  bool process_and_close_socket(socket_t sock) override;
  void PollLoop();
  void WorkLoop();
  void Serve(Conn c);
  void ToPoller(Conn c);
  void Wake();

  GateLimits limits_;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::vector<Conn> incoming_;  // to the poller
  std::deque<Conn> ready_;      // full heads, to the workers
  size_t open_ = 0;             // connections anywhere in the gate
  bool stopping_ = false;
  std::thread poller_;
  std::vector<std::thread> workers_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_SERVE_GATE_H_
