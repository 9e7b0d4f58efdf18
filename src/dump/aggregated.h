// Readers for the aggregated goroutine profile forms of runtime/pprof:
// debug=1 text ("goroutine profile: total N", one record per distinct
// stack with a count) and debug=0, the gzipped profile.proto. Both carry
// counts and labels but no goroutine ids, wait reasons, wait times or
// creators; the Snapshot says so (has_ids etc.) and states are inferred
// from runtime frames where the form shows them.
#ifndef LEAKHOUND_DUMP_AGGREGATED_H_
#define LEAKHOUND_DUMP_AGGREGATED_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "dump/dump.h"

namespace leakhound {

// Caps that keep hostile input from exhausting memory.
constexpr uint64_t kMaxAggregatedGoroutines = 50'000'000;  // sum of counts
constexpr uint64_t kMaxInflatedProfile = 1ull << 30;        // gzip output

// True if `head` starts (after blank lines) like debug=1 text.
bool LooksLikeDebug1(std::string_view head);
// True for gzip magic.
bool LooksLikeGzip(std::string_view head);

ReadError ReadDebug1(std::string_view text, const std::string& source, DumpSet* out);
// `data`: gzip-compressed or raw profile.proto bytes.
ReadError ReadProfileProto(std::string_view data, const std::string& source, DumpSet* out);

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_AGGREGATED_H_
