// The dashboard server's bounds (serve/gate.h), apart so server.h need
// not include cpp-httplib.
#ifndef LEAKHOUND_SERVE_GATE_LIMITS_H_
#define LEAKHOUND_SERVE_GATE_LIMITS_H_

#include <cstddef>

namespace leakhound {

struct GateLimits {
  int workers = 8;             // threads running handlers (the store is one connection anyway)
  size_t max_connections = 512;  // open at once; more are closed at accept
  int idle_ms = 5000;          // keep-alive: wait this long for the next request
  int head_ms = 3000;          // from a request's first byte to its last header line
  int request_ms = 10000;      // from a full head to the response sent (body, handler, write)
  size_t max_head = 64 * 1024; // larger heads get 431
  int keep_alive_max = 1000;   // requests per connection
};

}  // namespace leakhound

#endif  // LEAKHOUND_SERVE_GATE_LIMITS_H_
