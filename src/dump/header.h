// The goroutine header line of a traceback, "goroutine 7 [chan receive]:",
// in every form the runtime has printed (goroutineheader in
// src/runtime/traceback.go):
//
//   goroutine ID[ gp=0x.. m=N mp=0x..| gp=0x.. m=nil] [STATUS FLAGS ITEMS]:
//   goroutine ID ... [STATUS FLAGS ITEMS labels:{"k": "v", ...}]:   Go 1.26 +GODEBUG=tracebacklabels=1
//   goroutine ID ... [STATUS FLAGS ITEMS] {k: v, "k 2": "v 2"}:      Go 1.27 (on by default)
//
// FLAGS, in print order: " (leaked)" (1.26), " (scan)", " (durable)"
// (1.25+, a wait that counts as idle in a synctest bubble; not printed
// again when the wait reason itself ends in "(durable)"). ITEMS, each
// after ", ": "N minutes", "locked to thread", "synctest group N" (1.24
// GOEXPERIMENT=synctest), "synctest bubble N" (1.25+).
//
// The state kept is the wait reason with every "(durable)" removed, so
// "chan receive (durable)" and a "chan receive" are one state and the
// durable mark is a flag, as it is for "(leaked)".
#ifndef LEAKHOUND_DUMP_HEADER_H_
#define LEAKHOUND_DUMP_HEADER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/go_version.h"

namespace leakhound {

enum class LabelForm {
  kNone,
  kInBrackets,     // Go 1.26: " labels:{"k": "v"}" before the ']', always quoted
  kAfterBrackets,  // Go 1.27: "] {k: v}", quoted only where needed
};

struct ParsedHeader {
  uint64_t id = 0;
  bool gp = false;              // " gp=... m=..." (1.22+, level >= 2 or a throw)
  std::string_view status;      // wait reason or status, flags removed
  uint16_t flags = 0;           // GoroutineFlag bits
  int32_t wait_minutes = -1;
  int64_t bubble = -1;          // synctest group/bubble id
  LabelForm label_form = LabelForm::kNone;
  std::vector<std::pair<std::string, std::string>> labels;  // in print order
  GoVersionRange version;       // what the header's features imply
};

// Parses one header line (the whole line, up to the final ':'). False if
// it is not a header this reader understands. `out->labels` is reused.
bool ParseGoroutineHeader(std::string_view line, ParsedHeader* out);

// Whether a line starting "goroutine N" ends like a header: "]:" or,
// from Go 1.27, "] {...}:".
bool HeaderLineEnds(std::string_view line);

// Reads a string the runtime quoted (printquoted in src/runtime/print.go,
// a subset of strconv.Quote) at s[*i]; false if malformed.
bool ReadGoQuoted(std::string_view s, size_t* i, std::string* out);

}  // namespace leakhound

#endif  // LEAKHOUND_DUMP_HEADER_H_
