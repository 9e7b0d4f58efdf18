// The dashboard page: for `leakhound serve` (live, data from
// /api/dashboard) and for `analyze --format html` (one self-contained
// file with the data inside). The data follows docs/dashboard-schema.md.
#ifndef LEAKHOUND_REPORT_HTML_REPORT_H_
#define LEAKHOUND_REPORT_HTML_REPORT_H_

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace leakhound {

// web/index.html with app.js, style.css and uPlot inlined: the page makes
// no request but /api/dashboard (live) and none at all otherwise. `live`
// marks the page (data-live) so it polls /api/dashboard every 5 s.
std::string RenderDashboardPage(bool live);

// The same page with `dashboard` embedded in
// <script type="application/json" id="leakhound-data">; live only if the
// document says "live": true. The JSON text is escaped (<, >, &, U+2028,
// U+2029 as \uXXXX) so no string from a dump can end the script element,
// and invalid UTF-8 is replaced, never thrown on.
void WriteHtml(const nlohmann::json& dashboard, std::ostream& out);

// The JSON text WriteHtml embeds, escaped as described there.
std::string ScriptSafeJson(const nlohmann::json& value);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_HTML_REPORT_H_
