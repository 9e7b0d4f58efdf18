// The dashboard page: web/index.html with its script and styles inlined,
// optionally with the data inside. See report/html_report.h.
#include "report/html_report.h"

#include <cctype>
#include <string_view>

#include "report/web_assets.h"

namespace leakhound {

namespace {

// Replaces the one `marker` in `page` (our own index.html has each once).
void ReplaceOnce(std::string* page, std::string_view marker, std::string_view with) {
  size_t at = page->find(marker);
  if (at != std::string::npos) page->replace(at, marker.size(), with);
}

// Text going inside <script> or <style>: "</script" / "</style" (any case)
// would end the element early. In JavaScript and CSS alike "<\/" means
// "</" wherever such text can legally appear (strings, regexes, comments).
std::string InlineSafe(std::string_view text, std::string_view tag) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 2 + tag.size() <= text.size() && text[i + 1] == '/') {
      bool match = true;
      for (size_t k = 0; k < tag.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(text[i + 2 + k])) != tag[k]) match = false;
      if (match) {
        out += "<\\/";
        ++i;  // the '/'
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string BuildPage(bool live, std::string_view data_json) {
  std::string page(WebAsset("index.html"));
  std::string css = "<style>\n" + InlineSafe(WebAsset("uPlot.css"), "style") + "\n</style>\n<style>\n" +
                    InlineSafe(WebAsset("style.css"), "style") + "\n</style>";
  std::string data;
  if (!data_json.empty()) {
    data = "<script type=\"application/json\" id=\"leakhound-data\">";
    data += data_json;
    data += "</script>";
  }
  std::string js = "<script>\n" + InlineSafe(WebAsset("uPlot.js"), "script") + "\n</script>\n<script>\n" +
                   InlineSafe(WebAsset("flame.js"), "script") + "\n</script>\n<script>\n" +
                   InlineSafe(WebAsset("app.js"), "script") + "\n</script>";
  ReplaceOnce(&page, "<!--leakhound:css-->", css);
  ReplaceOnce(&page, "<!--leakhound:data-->", data);
  ReplaceOnce(&page, "<!--leakhound:js-->", js);
  if (live) ReplaceOnce(&page, "<body>", "<body data-live=\"true\">");
  return page;
}

}  // namespace

std::string ScriptSafeJson(const nlohmann::json& value) {
  // Dumps are untrusted: invalid UTF-8 becomes U+FFFD instead of throwing.
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    // <, > and & only occur inside JSON strings, where \u escapes mean the
    // same; so do U+2028/U+2029 (E2 80 A8/A9), which old JavaScript
    // parsers took for line ends.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderDashboardPage(bool live) { return BuildPage(live, {}); }

void WriteHtml(const nlohmann::json& dashboard, std::ostream& out) {
  bool live = false;
  if (dashboard.is_object()) {
    auto it = dashboard.find("live");
    live = it != dashboard.end() && it->is_boolean() && it->get<bool>();
  }
  out << BuildPage(live, ScriptSafeJson(dashboard));
}

}  // namespace leakhound
