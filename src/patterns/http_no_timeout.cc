// http-no-timeout: goroutines parked in an HTTP client round trip or body
// read with no deadline to end it.
#include "patterns/pattern.h"

namespace leakhound {
namespace {

bool Detect(const BucketFacts& b, RuntimeMatch* m) {
  // Idle keep-alive loops (persistConn.readLoop/writeLoop) also live in
  // net/http but are expected; the benign table catches them first.
  const char* where = nullptr;
  if (b.HasFunction("net/http.(*persistConn).roundTrip") ||
      b.HasFunction("net/http.(*Transport).roundTrip"))
    where = "waiting for an HTTP response in Transport.roundTrip";
  else if (b.HasFunction("net/http.(*bodyEOFSignal).Read") ||
           b.HasFunction("net/http.(*persistConn).Read"))
    where = "reading an HTTP response body";
  else if (b.HasFunction("net/http.(*Transport).dialConn") ||
           b.HasFunction("net/http.(*Transport).queueForIdleConn"))
    where = "waiting for an HTTP connection";
  if (where == nullptr) return false;
  // A body read with Client.Timeout set runs under cancelTimerBody; a
  // round trip with it set shows the deadline in net/http.send's
  // arguments (debug=2 and tracebacks only; aggregated forms print none).
  if (b.HasFunction("net/http.(*cancelTimerBody).Read")) return false;
  if (b.count > 0 && b.http_deadline >= b.count) return false;
  m->base = 0.4;
  m->why = std::string(where) + " with no client timeout on the stack";
  return true;
}

}  // namespace

extern const Pattern kHttpNoTimeout = {
    .id = "http-no-timeout",
    .title = "HTTP client call without a timeout",
    .explanation =
        "http.Get, http.Post and http.DefaultClient have no timeout. When a server accepts "
        "the connection but never answers, or stalls mid-body, the calling goroutine waits "
        "forever, together with the Transport goroutines serving it. Under load every stuck "
        "request adds goroutines and connections.",
    .fix = "Use an http.Client with Timeout set, or pass a context with a deadline to "
           "http.NewRequestWithContext; always close response bodies.",
    .fix_snippet = "var client = &http.Client{Timeout: 10 * time.Second}\n"
                   "resp, err := client.Get(url)\nif err != nil {\n\treturn err\n}\n"
                   "defer resp.Body.Close()",
    .detection = "A stack inside net/http's client round trip or response body read, called "
                 "from user code, whose net/http.send was given no deadline (tracebacks and "
                 "debug=2 print it; a call with Client.Timeout set is discounted as ending by "
                 "itself); in source, http.Get/Post/Head, http.DefaultClient or an "
                 "http.Client{} literal without Timeout.",
    .runtime = Detect,
};

}  // namespace leakhound
