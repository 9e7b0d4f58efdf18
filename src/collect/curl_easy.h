// What HttpGet and the Poller share: one easy handle's setup (every limit
// of FetchOptions) and the mapping of its outcome to a FetchResult, so a
// request behaves the same whether it runs alone or among 200 others.
// Internal to src/collect.
#ifndef LEAKHOUND_COLLECT_CURL_EASY_H_
#define LEAKHOUND_COLLECT_CURL_EASY_H_

#include <cstdint>
#include <string>

#include "collect/http_fetch.h"

namespace leakhound {

struct Sink {
  std::string* body = nullptr;
  uint64_t max = 0;
  bool too_large = false;
};

// Per-transfer state; must stay at one address while the transfer runs
// (curl keeps pointers to sink and errbuf).
struct EasyState {
  std::string url;
  FetchResult result;
  Sink sink;
  char errbuf[256] = {0};  // CURL_ERROR_SIZE
  uint64_t max_bytes = 0;
  long max_redirects = 0;
};

void CurlGlobalInit();
size_t OnData(char* data, size_t size, size_t n, void* user);
// handle: a CURL*. Sets every option from `options`.
bool PrepareEasy(void* handle, const std::string& url, const FetchOptions& options,
                 EasyState* state);
// code: the transfer's CURLcode.
void FinishEasy(void* handle, int code, EasyState* state);

}  // namespace leakhound

#endif  // LEAKHOUND_COLLECT_CURL_EASY_H_
