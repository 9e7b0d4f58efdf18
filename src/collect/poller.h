// Many HTTP fetches at once on one thread (libcurl's multi interface).
//
// `leakhound watch` polls dozens or hundreds of services; a thread per
// target would cost more than the polling, and one slow or dead target
// must never hold up the others. Every transfer keeps all the limits of
// FetchOptions (timeouts, size cap), so a stuck target ends as a timeout.
#ifndef LEAKHOUND_COLLECT_POLLER_H_
#define LEAKHOUND_COLLECT_POLLER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collect/http_fetch.h"

namespace leakhound {

struct PollDone {
  uint64_t tag = 0;        // what the caller passed to Start()
  FetchResult result;
  double seconds = 0;      // wall time the transfer took
};

class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Queues a GET; it runs during Run().
  void Start(uint64_t tag, const std::string& url, const FetchOptions& options);
  // Drives transfers for up to `wait_ms` (returns early when one finishes
  // or Wakeup() is called) and returns the ones that ended.
  std::vector<PollDone> Run(int wait_ms);
  // Makes a Run() blocked in another thread return now (signal-safe: it
  // only writes to a pipe-like wakeup).
  void Wakeup();
  size_t in_flight() const;

 private:
  struct Transfer;
  void* multi_;  // CURLM*
  std::vector<std::unique_ptr<Transfer>> transfers_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_COLLECT_POLLER_H_
