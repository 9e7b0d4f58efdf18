// Finding a report's finding by its blocking line, for the e2e tests that
// check several source files' markers.
#ifndef LEAKHOUND_TESTS_E2E_FINDING_AT_H_
#define LEAKHOUND_TESTS_E2E_FINDING_AT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "run_util.h"

namespace e2e {

// The finding whose blocking frame is FILE:LINE (FILE a base name), or null.
inline nlohmann::json FindingAt(const nlohmann::json& report, const std::string& file, int line) {
  for (const nlohmann::json& f : report["findings"])
    if (!f["blocking_frame"].is_null() && Basename(f["blocking_frame"]["file"]) == file &&
        f["blocking_frame"]["line"] == line)
      return f;
  return nullptr;
}

}  // namespace e2e

#endif  // LEAKHOUND_TESTS_E2E_FINDING_AT_H_
