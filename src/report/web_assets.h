// The dashboard's files, compiled in by cmake/WebAssets.cmake (web/* and
// uPlot from npm), so nothing is read from disk at run time.
#ifndef LEAKHOUND_REPORT_WEB_ASSETS_H_
#define LEAKHOUND_REPORT_WEB_ASSETS_H_

#include <string_view>

namespace leakhound {

// "index.html", "app.js", "style.css", "uPlot.js", "uPlot.css"; empty for
// any other name.
std::string_view WebAsset(std::string_view name);

}  // namespace leakhound

#endif  // LEAKHOUND_REPORT_WEB_ASSETS_H_
