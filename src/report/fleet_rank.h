// The fleet's view, after Uber's LeakProf: which services to look at
// first. Each service is ranked by its worst open finding, scored
//
//   confidence x goroutines x (1 + growth per hour / goroutines)
//
// i.e. how sure, how many are stuck now, and how fast that count rises
// relative to its size (a proven leak that does not grow still ranks by
// its count; a small bucket doubling every hour ranks like one twice its
// size). Suspects rank below leaks of the same size by their confidence.
#ifndef LEAKHOUND_REPORT_FLEET_RANK_H_
#define LEAKHOUND_REPORT_FLEET_RANK_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace leakhound {

double LeakScore(const FindingRecord& r);

struct FleetRow {
  std::string target;
  double score = 0;     // of the worst finding
  size_t leaks = 0, suspects = 0;
  uint64_t goroutines = 0;  // in its open leak and suspect findings
  FindingRecord worst;
};

// Services with at least one open leak or suspect, worst first (ties by
// name). `findings`: (target, finding) pairs; other severities are ignored.
std::vector<FleetRow> RankFleet(const std::vector<std::pair<std::string, const FindingRecord*>>& findings);

// The "fleet" array of watch's JSON summary and of /api/dashboard.
nlohmann::json FleetJson(const std::vector<FleetRow>& rows);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_FLEET_RANK_H_
