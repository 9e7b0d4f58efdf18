#include "collect/poller.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>

#include "collect/curl_easy.h"

namespace leakhound {

namespace {

double Seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct Poller::Transfer {
  uint64_t tag = 0;
  CURL* easy = nullptr;
  EasyState state;
  double started = 0;
};

Poller::Poller() {
  CurlGlobalInit();
  multi_ = curl_multi_init();
  // Connections to the same target are reused between polls; cap the
  // cache so a large fleet does not hold a socket per target forever.
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAXCONNECTS, 256L);
}

Poller::~Poller() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  for (auto& t : transfers_) {
    curl_multi_remove_handle(multi, t->easy);
    curl_easy_cleanup(t->easy);
  }
  curl_multi_cleanup(multi);
}

void Poller::Start(uint64_t tag, const std::string& url, const FetchOptions& options) {
  auto t = std::make_unique<Transfer>();
  t->tag = tag;
  t->easy = curl_easy_init();
  t->started = Seconds();
  if (t->easy == nullptr) return;
  PrepareEasy(t->easy, url, options, &t->state);
  curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t.get());
  curl_multi_add_handle(static_cast<CURLM*>(multi_), t->easy);
  transfers_.push_back(std::move(t));
}

std::vector<PollDone> Poller::Run(int wait_ms) {
  CURLM* multi = static_cast<CURLM*>(multi_);
  std::vector<PollDone> done;
  int running = 0;
  curl_multi_perform(multi, &running);
  if (!transfers_.empty() || wait_ms > 0) {
    int numfds = 0;
    // curl_multi_poll sleeps even with no transfers and can be woken.
    curl_multi_poll(multi, nullptr, 0, std::max(0, wait_ms), &numfds);
    curl_multi_perform(multi, &running);
  }
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    CURLcode rc = msg->data.result;
    curl_multi_remove_handle(multi, msg->easy_handle);
    FinishEasy(t->easy, rc, &t->state);
    curl_easy_cleanup(t->easy);
    t->easy = nullptr;
    PollDone d;
    d.tag = t->tag;
    d.result = std::move(t->state.result);
    d.seconds = Seconds() - t->started;
    done.push_back(std::move(d));
    auto it = std::find_if(transfers_.begin(), transfers_.end(),
                           [t](const std::unique_ptr<Transfer>& p) { return p.get() == t; });
    if (it != transfers_.end()) transfers_.erase(it);
  }
  return done;
}

void Poller::Wakeup() { curl_multi_wakeup(static_cast<CURLM*>(multi_)); }

size_t Poller::in_flight() const { return transfers_.size(); }

}  // namespace leakhound
