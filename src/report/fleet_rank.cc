#include "report/fleet_rank.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace leakhound {

double LeakScore(const FindingRecord& r) {
  double n = static_cast<double>(r.count);
  double growth = r.growth_per_hour > 0 ? r.growth_per_hour : 0;
  return r.confidence * n * (1 + growth / std::max(n, 1.0));
}

std::vector<FleetRow> RankFleet(const std::vector<std::pair<std::string, const FindingRecord*>>& findings) {
  std::map<std::string, FleetRow> by_target;
  for (const auto& [target, f] : findings) {
    bool leak = f->severity == "leak";
    if (!leak && f->severity != "suspect") continue;
    FleetRow& row = by_target[target];
    row.target = target;
    (leak ? row.leaks : row.suspects) += 1;
    row.goroutines += f->count;
    double score = LeakScore(*f);
    // A leak outranks a suspect of the service whatever their scores: the
    // row names what is known, not what is guessed.
    bool worse = row.worst.pattern.empty() || (leak && row.worst.severity != "leak") ||
                 ((leak == (row.worst.severity == "leak")) && score > row.score);
    if (worse) {
      row.score = score;
      row.worst = *f;
    }
  }
  std::vector<FleetRow> rows;
  for (auto& [name, row] : by_target) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(), [](const FleetRow& a, const FleetRow& b) {
    if ((a.leaks > 0) != (b.leaks > 0)) return a.leaks > 0;
    return a.score > b.score;
  });
  return rows;
}

nlohmann::json FleetJson(const std::vector<FleetRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  size_t rank = 0;
  for (const FleetRow& r : rows) {
    const FindingRecord& w = r.worst;
    out.push_back({{"rank", ++rank},
                   {"target", r.target},
                   {"score", std::round(r.score * 100) / 100},
                   {"leaks", r.leaks},
                   {"suspects", r.suspects},
                   {"goroutines", r.goroutines},
                   {"worst",
                    {{"pattern", w.pattern},
                     {"severity", w.severity},
                     {"confidence", std::round(w.confidence * 1000) / 1000},
                     {"count", w.count},
                     {"growth_per_hour", std::round(w.growth_per_hour * 10) / 10},
                     {"function", w.function},
                     {"file", w.file},
                     {"line", w.line}}}});
  }
  return out;
}

}  // namespace leakhound
