// Fetching goroutine profiles from a live service's /debug/pprof/.
//
// Every request is bounded: a connect timeout, a total timeout, a cap on
// the response size (checked on the decoded bytes, so Content-Encoding
// cannot inflate past it), a small redirect limit, http/https only, and
// TLS verification on. leakhound must not hang on, or be flooded by, the
// service it is diagnosing.
#ifndef LEAKHOUND_COLLECT_HTTP_FETCH_H_
#define LEAKHOUND_COLLECT_HTTP_FETCH_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace leakhound {

struct FetchOptions {
  long connect_timeout_ms = 5'000;
  long total_timeout_ms = 60'000;
  uint64_t max_bytes = 256ull << 20;
  long max_redirects = 3;
  std::string ca_file;       // extra CA bundle for TLS
  std::string basic_auth;    // "user:password"
  std::string bearer_token;
};

enum class FetchError {
  kNone,
  kBadUrl,
  kUnreachable,  // DNS, refused, reset, TLS handshake
  kTimeout,
  kHttpStatus,   // a status other than 2xx
  kTooLarge,
};

struct FetchResult {
  FetchError error = FetchError::kNone;
  std::string message;  // one line, starts with the URL
  long status = 0;
  std::string content_type;
  std::string body;
};

FetchResult HttpGet(const std::string& url, const FetchOptions& options);
// POSTs `body` (alert webhooks). Same limits as HttpGet; the response
// body is capped and ignored by callers.
FetchResult HttpPost(const std::string& url, const std::string& body,
                     const std::string& content_type, const FetchOptions& options);

bool IsUrl(std::string_view s);

// The URL to fetch for `input`: a base ("http://host:6060" or ".../")
// gets /debug/pprof/PROFILE?debug=N appended; a URL that already names a
// path is used as given. `form`: "2", "1" or "proto" (debug=0).
std::string ProfileUrl(const std::string& input, const std::string& profile,
                       const std::string& form);

}  // namespace leakhound

#endif  // LEAKHOUND_COLLECT_HTTP_FETCH_H_
