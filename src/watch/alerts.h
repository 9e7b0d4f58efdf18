// Alerts: what `leakhound watch` does when a finding crosses the line.
//
// Every alert is logged at once (one line on stderr). Webhooks and the
// command hook run on their own thread: a slow receiver must not delay
// polling. Each delivery is bounded (webhook: timeout per try, 3 tries
// with backoff; command: killed after 30 s).
#ifndef LEAKHOUND_WATCH_ALERTS_H_
#define LEAKHOUND_WATCH_ALERTS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "collect/http_fetch.h"
#include "store/store.h"

namespace leakhound {

struct Alert {
  std::string target, url;
  std::string title;  // the pattern's title
  std::string fix;
  StoredFinding finding;
  int64_t time_ms = 0;
};

// The JSON body a webhook receives and a command reads on stdin.
std::string AlertJson(const Alert& alert);
// The one log line.
std::string AlertLine(const Alert& alert);

class AlertSink {
 public:
  AlertSink(std::string webhook, std::string command, FetchOptions fetch);
  // Waits up to 10 s for queued deliveries, then drops the rest.
  ~AlertSink();

  void Raise(Alert alert);
  uint64_t delivered() const { return delivered_; }
  uint64_t failed() const { return failed_; }

 private:
  void Loop();
  bool Deliver(const Alert& alert);

  std::string webhook_, command_;
  FetchOptions fetch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Alert> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> delivered_{0}, failed_{0};
  std::thread thread_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_WATCH_ALERTS_H_
