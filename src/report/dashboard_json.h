// The dashboard document (docs/dashboard-schema.md, leakhound/dashboard/v1)
// built from one `leakhound analyze` run, for `--format html`.
#ifndef LEAKHOUND_REPORT_DASHBOARD_JSON_H_
#define LEAKHOUND_REPORT_DASHBOARD_JSON_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/report.h"

namespace leakhound {

// One target named after the input (the newest input's source); its
// totals are the total of every snapshot of the analysed series, oldest
// first; buckets carry their counts across the series; findings are
// view.findings with the catalogue's texts. `times_sec`: capture time of
// each snapshot of the series (as given to AnalyzeSeries), or empty: then
// snapshots' own capture times are used when all are known, and otherwise
// series x values are snapshot indexes (0, 1, ...) and "time_axis" is
// "index".
// A stack as the dashboard shows it (and the watch history stores it):
// "func\n\tfile:line" per frame, elisions, "created by func\n\tfile:line"
// -- as Go prints it, without arguments and offsets.
std::string StackText(const Snapshot& s, const Stack& stack);

nlohmann::json DashboardFromAnalysis(const AnalyzeView& view,
                                     const std::vector<double>& times_sec = {});

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_DASHBOARD_JSON_H_
