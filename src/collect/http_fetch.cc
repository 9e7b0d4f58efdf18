#include "collect/http_fetch.h"

#include <curl/curl.h>

#include <mutex>

#include "collect/curl_easy.h"

namespace leakhound {

size_t OnData(char* data, size_t size, size_t n, void* user) {
  Sink* sink = static_cast<Sink*>(user);
  size_t bytes = size * n;
  if (sink->body->size() + bytes > sink->max) {
    sink->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  sink->body->append(data, bytes);
  return bytes;
}

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

std::string MiB(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

bool IsUrl(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

std::string ProfileUrl(const std::string& input, const std::string& profile,
                       const std::string& form) {
  size_t scheme = input.find("://");
  size_t path = input.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  bool bare = path == std::string::npos || input.substr(path) == "/";
  if (!bare) return input;
  std::string base = path == std::string::npos ? input : input.substr(0, path);
  std::string debug = form == "proto" ? "0" : form;
  return base + "/debug/pprof/" + profile + "?debug=" + debug;
}

bool PrepareEasy(void* handle, const std::string& url, const FetchOptions& options,
                 EasyState* state) {
  CURL* curl = static_cast<CURL*>(handle);
  state->url = url;
  state->sink = Sink{&state->result.body, options.max_bytes};
  state->errbuf[0] = 0;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, options.max_redirects);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options.total_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state->sink);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "leakhound/0.1");
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.basic_auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, options.basic_auth.c_str());
  }
  if (!options.bearer_token.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, options.bearer_token.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, state->errbuf);
  state->max_bytes = options.max_bytes;
  state->max_redirects = options.max_redirects;
  return true;
}

void FinishEasy(void* handle, int code, EasyState* state) {
  CURL* curl = static_cast<CURL*>(handle);
  CURLcode rc = static_cast<CURLcode>(code);
  FetchResult& res = state->result;
  const std::string& url = state->url;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res.status);
  char* ctype = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype)
    res.content_type = ctype;

  std::string detail = state->errbuf[0] ? state->errbuf : curl_easy_strerror(rc);
  if (state->sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    res.error = FetchError::kTooLarge;
    res.message = url + ": response larger than " + MiB(state->max_bytes) +
                  " (raise --max-size, or ask for a smaller form with --form 1)";
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    res.error = FetchError::kTimeout;
    res.message = url + ": timed out (" + detail + ")";
  } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    res.error = FetchError::kBadUrl;
    res.message = url + ": bad URL (" + detail + ")";
  } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
    res.error = FetchError::kHttpStatus;
    res.message = url + ": more than " + std::to_string(state->max_redirects) + " redirects";
  } else if (rc != CURLE_OK) {
    res.error = FetchError::kUnreachable;
    res.message = url + ": " + detail;
  } else if (res.status < 200 || res.status > 299) {
    res.error = FetchError::kHttpStatus;
    std::string first = res.body.substr(0, res.body.find('\n')).substr(0, 120);
    for (char& c : first)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    res.message = url + ": HTTP " + std::to_string(res.status) + (first.empty() ? "" : ": " + first);
  }
  if (res.error != FetchError::kNone) res.body.clear();
}

namespace {

// One blocking request: `extra` adds options after the common ones.
template <typename Extra>
FetchResult Perform(const std::string& url, const FetchOptions& options, Extra extra) {
  CurlGlobalInit();
  CURL* curl = curl_easy_init();
  if (!curl) {
    FetchResult res;
    res.error = FetchError::kUnreachable;
    res.message = url + ": cannot start an HTTP client";
    return res;
  }
  EasyState state;
  PrepareEasy(curl, url, options, &state);
  extra(curl);
  CURLcode rc = curl_easy_perform(curl);
  FinishEasy(curl, rc, &state);
  curl_easy_cleanup(curl);
  return std::move(state.result);
}

}  // namespace

FetchResult HttpGet(const std::string& url, const FetchOptions& options) {
  return Perform(url, options, [](CURL*) {});
}

FetchResult HttpPost(const std::string& url, const std::string& body,
                     const std::string& content_type, const FetchOptions& options) {
  std::string header = "Content-Type: " + content_type;
  curl_slist* headers = curl_slist_append(nullptr, header.c_str());
  FetchResult r = Perform(url, options, [&](CURL* curl) {
    // A POST must not be replayed to wherever a redirect points.
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  });
  curl_slist_free_all(headers);
  return r;
}

}  // namespace leakhound
