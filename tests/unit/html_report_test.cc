// The dashboard page (report/html_report.h) and its data
// (report/dashboard_json.h): hostile dump text stays inert, the page is
// self-contained, and an analysis becomes the documented document.
//
// DashboardSample.WritesBrowserTestPage also leaves a sample page in
// BUILD_DIR/artifacts/dashboard-sample.html for tests/browser/run.sh.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "analyze/verdict.h"
#include "dump/dump.h"
#include "report/dashboard_json.h"
#include "report/html_report.h"
#include "report/report.h"
#include "report/web_assets.h"

namespace leakhound {
namespace {

using nlohmann::json;

const std::string kEvil = "</script><img src=x onerror=alert(1)>";
const std::string kLineSep = "\xE2\x80\xA8";  // U+2028
const std::string kParaSep = "\xE2\x80\xA9";  // U+2029

std::string Html(const json& doc) {
  std::ostringstream out;
  WriteHtml(doc, out);
  return out.str();
}

// The text of <script type="application/json" id="leakhound-data">.
std::string EmbeddedData(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"leakhound-data\">";
  size_t at = page.find(open);
  if (at == std::string::npos) return "";
  at += open.size();
  size_t end = page.find("</script>", at);
  if (end == std::string::npos) return "";
  return page.substr(at, end - at);
}

// The start tags that load things (<script, <link, <img, ...), each cut
// at its '>' (or 400 bytes), found case-insensitively anywhere in `page`.
std::vector<std::string> Tags(const std::string& page) {
  std::string lower = page;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> out;
  for (const char* name : {"<script", "<link", "<img", "<iframe", "<source", "<embed", "<object", "<meta"}) {
    for (size_t at = lower.find(name); at != std::string::npos; at = lower.find(name, at + 1)) {
      size_t end = lower.find('>', at);
      size_t len = std::min<size_t>(end == std::string::npos ? lower.size() - at : end + 1 - at, 400);
      out.push_back(page.substr(at, len));
    }
  }
  return out;
}

// One goroutine block of a traceback.
std::string G(uint64_t id, const std::string& state, const std::string& fn, const std::string& at,
              const std::string& creator = "main.main", const std::string& creator_at = "/app/main.go:10") {
  std::string s = "goroutine " + std::to_string(id) + " [" + state + "]:\n";
  s += fn + "(...)\n\t" + at + " +0x1d\n";
  if (!creator.empty()) s += "created by " + creator + "\n\t" + creator_at + " +0x85\n";
  return s + "\n";
}

// Everything an analysis view points at, kept alive together.
struct Analysis {
  std::vector<DumpSet> sets;
  Verdict verdict;
  AnalyzeView view;
};

// As the CLI does it: every snapshot of every input is the series.
std::unique_ptr<Analysis> Analyze(std::vector<DumpSet> sets, const std::vector<double>& times) {
  auto a = std::make_unique<Analysis>();
  a->sets = std::move(sets);
  std::vector<const Snapshot*> series;
  for (const DumpSet& set : a->sets)
    for (const Snapshot& snap : set.snapshots) series.push_back(&snap);
  a->verdict = AnalyzeSeries(series, times, {});
  for (const DumpSet& set : a->sets) a->view.inputs.push_back(&set);
  a->view.input = &a->sets.back();
  a->view.snapshot = a->verdict.current;
  a->view.verdict = &a->verdict;
  a->view.buckets_total = a->verdict.buckets.size();
  for (const Bucket& b : a->verdict.buckets) a->view.buckets.push_back(&b);
  for (const Finding& f : a->verdict.findings) a->view.findings.push_back(&f);
  return a;
}

const json* FindingFor(const json& doc, const std::string& pattern) {
  for (const json& f : doc["findings"])
    if (f["pattern"] == pattern) return &f;
  return nullptr;
}

TEST(HtmlReport, HostileStringsNeverAppearRaw) {
  std::string bad = kEvil + kLineSep + " and " + kParaSep + " & <!-- -->";
  json doc = {{"schema", "leakhound/dashboard/v1"},
              {"live", false},
              {"targets", json::array({{{"name", bad}, {"last_error", bad}, {"totals", json::array()}}})},
              {"buckets", json::array()},
              {"findings", json::array({{{"pattern", "chan-send-blocked"},
                                         {"title", bad},
                                         {"function", bad},
                                         {"stack", bad + "\n\t" + bad + ":1"}}})}};
  std::string page = Html(doc);
  EXPECT_EQ(page.find(kEvil), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find(kLineSep), std::string::npos);
  EXPECT_EQ(page.find(kParaSep), std::string::npos);
  // The data element holds all of it, escaped, and reads back the same.
  std::string data = EmbeddedData(page);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data.find('<'), std::string::npos);
  EXPECT_EQ(data.find('>'), std::string::npos);
  EXPECT_EQ(data.find('&'), std::string::npos);
  json back = json::parse(data);
  EXPECT_EQ(back, doc);
  EXPECT_EQ(back["findings"][0]["title"], bad);
}

TEST(HtmlReport, InvalidUtf8IsReplacedNotThrown) {
  json doc = {{"schema", "leakhound/dashboard/v1"}, {"targets", json::array({{{"name", "a\xff\xfe" "b"}}})}};
  std::string page;
  ASSERT_NO_THROW(page = Html(doc));
  json back = json::parse(EmbeddedData(page));
  EXPECT_EQ(back["targets"][0]["name"], "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");  // U+FFFD twice
}

TEST(HtmlReport, ScriptSafeJsonEscapesOnlyWhatItMust) {
  EXPECT_EQ(ScriptSafeJson(json("a<b>&c")), R"("a\u003cb\u003e\u0026c")");
  EXPECT_EQ(ScriptSafeJson(json("x" + kLineSep + "y" + kParaSep)), R"("x\u2028y\u2029")");
  EXPECT_EQ(ScriptSafeJson(json("h\xC3\xA9")), "\"h\xC3\xA9\"");  // other UTF-8 kept as is
  EXPECT_EQ(ScriptSafeJson(json{{"k", 1}}), R"({"k":1})");
}

TEST(HtmlReport, PageIsSelfContained) {
  for (const char* name : {"index.html", "app.js", "style.css", "uPlot.js", "uPlot.css"})
    EXPECT_FALSE(WebAsset(name).empty()) << name;
  EXPECT_TRUE(WebAsset("nope.js").empty());

  for (bool live : {false, true}) {
    std::string page = RenderDashboardPage(live);
    // Every asset is inside; no marker is left.
    EXPECT_NE(page.find(std::string(WebAsset("app.js")).substr(0, 200)), std::string::npos);
    EXPECT_NE(page.find("uPlot"), std::string::npos);
    EXPECT_EQ(page.find("<!--leakhound:"), std::string::npos);
    // Nothing is fetched from elsewhere: no script, style, image or frame
    // with a remote source, no script source at all, no stylesheet link,
    // no @import.
    std::vector<std::string> tags = Tags(page);
    EXPECT_GE(tags.size(), 4u);  // meta..., link icon, script x3
    std::regex remote(R"(\b(src|href|data)\s*=\s*["']?\s*(https?:|//))", std::regex::icase);
    std::regex any_src(R"(^<script\b[^>]*\bsrc\s*=)", std::regex::icase);
    std::regex stylesheet(R"(^<link\b[^>]*rel\s*=\s*["']?stylesheet)", std::regex::icase);
    for (const std::string& tag : tags) {
      EXPECT_FALSE(std::regex_search(tag, remote)) << tag;
      EXPECT_FALSE(std::regex_search(tag, any_src)) << tag;
      EXPECT_FALSE(std::regex_search(tag, stylesheet)) << tag;
    }
    EXPECT_EQ(page.find("@import"), std::string::npos);
    EXPECT_EQ(page.find("id=\"leakhound-data\""), std::string::npos) << "no data in the server page";
    EXPECT_EQ(page.find("data-live=\"true\"") != std::string::npos, live);
    // The ids the browser test and the server rely on.
    for (const char* id : {"id=\"filter-target\"", "id=\"filter-pattern\"", "id=\"chart-totals\"", "id=\"findings\"",
                           "id=\"flame\"", "id=\"flame-search\"", "id=\"states\""})
      EXPECT_NE(page.find(id), std::string::npos) << id;
  }
  // WriteHtml: live only when the data says so.
  EXPECT_EQ(Html(json{{"live", false}}).find("data-live=\"true\""), std::string::npos);
  EXPECT_NE(Html(json{{"live", true}}).find("data-live=\"true\""), std::string::npos);
}

TEST(DashboardJson, FixtureSeriesGivesFindingsAndGrowth) {
  // Two SIGQUIT-style dumps in one glog log: 2 fetchers stuck sending,
  // then 4 (testdata/dumps/glog-first-line-go1.19.expect.json).
  std::string path = std::string(LEAKHOUND_SOURCE_DIR) + "/testdata/dumps/glog-first-line-go1.19.txt";
  std::vector<DumpSet> sets(1);
  ReadError err = ReadDumpFile(path, {}, &sets[0]);
  ASSERT_FALSE(err) << err.message;
  ASSERT_EQ(sets[0].snapshots.size(), 2u);
  auto a = Analyze(std::move(sets), {});
  json doc = DashboardFromAnalysis(a->view);

  EXPECT_EQ(doc["schema"], "leakhound/dashboard/v1");
  EXPECT_EQ(doc["live"], false);
  EXPECT_EQ(doc["time_axis"], "index");
  ASSERT_EQ(doc["targets"].size(), 1u);
  const json& t = doc["targets"][0];
  EXPECT_EQ(t["name"], path);
  EXPECT_EQ(t["url"], "");
  EXPECT_EQ(t["up"], true);
  EXPECT_EQ(t["total"], 5);
  EXPECT_EQ(t["by_state"]["chan send"], 4);
  EXPECT_EQ(t["totals"], json::parse("[[0,3],[1,5]]"));

  const json* f = FindingFor(doc, "chan-send-blocked");
  ASSERT_NE(f, nullptr) << doc["findings"].dump(2);
  EXPECT_EQ((*f)["target"], path);
  EXPECT_EQ((*f)["function"], "main.(*fetcher).run");
  EXPECT_EQ((*f)["count"], 4);
  EXPECT_EQ((*f)["state"], "chan send");
  EXPECT_EQ((*f)["wait_minutes"], json::parse(R"({"min":1,"max":6})"));
  EXPECT_EQ((*f)["title"], FindPattern("chan-send-blocked")->title);
  EXPECT_EQ((*f)["fix_snippet"], FindPattern("chan-send-blocked")->fix_snippet);
  EXPECT_FALSE((*f)["explanation"].get<std::string>().empty());
  EXPECT_FALSE((*f)["reasons"].empty());
  EXPECT_TRUE((*f)["severity"] == "leak" || (*f)["severity"] == "suspect");
  EXPECT_EQ((*f)["status"], "open");
  EXPECT_EQ((*f)["first_seen_ms"], 0);  // capture times unknown
  EXPECT_EQ((*f)["first_seen_snapshot"], 0);
  EXPECT_NE((*f)["stack"].get<std::string>().find("main.(*fetcher).run\n\t"), std::string::npos);
  EXPECT_EQ((*f)["signature"].get<std::string>().size(), 16u);

  // Its bucket, with counts over the series.
  const json* bucket = nullptr;
  for (const json& b : doc["buckets"])
    if (b["signature"] == (*f)["signature"]) bucket = &b;
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ((*bucket)["series"], json::parse("[[0,2],[1,4]]"));
  EXPECT_EQ((*bucket)["count"], 4);
  EXPECT_EQ((*bucket)["pattern"], "chan-send-blocked");
  EXPECT_EQ((*bucket)["growth_per_hour"], nullptr);  // no times

  // Every finding names a catalogue pattern.
  for (const json& x : doc["findings"]) EXPECT_NE(FindPattern(x["pattern"].get<std::string>()), nullptr);
  EXPECT_EQ(doc["findings_omitted"], 0);
  EXPECT_EQ(doc["findings_by_severity"][(*f)["severity"].get<std::string>()].get<int>() >= 1, true);

  // The stack view's input: every bucket once, root first, adding up to
  // the newest snapshot's goroutines.
  const json& flame = doc["flame"];
  ASSERT_EQ(flame["stacks"].size(), doc["buckets"].size());
  uint64_t sum = 0;
  for (const json& row : flame["stacks"]) sum += row[0].get<uint64_t>();
  EXPECT_EQ(sum, 5u);
  // The leak's row: its count, state, severity, then its stack text's
  // functions from `created by` to the innermost frame.
  std::vector<std::string> want;
  std::string creator;
  {
    std::string text = (*bucket)["stack"];
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? text.size() : end + 1;
      if (line.empty() || line[0] == '\t') continue;
      if (line.rfind("created by ", 0) == 0) creator = line.substr(11);
      else want.insert(want.begin(), line);
    }
  }
  ASSERT_FALSE(creator.empty());
  want.insert(want.begin(), creator);
  bool found = false;
  for (const json& row : flame["stacks"]) {
    std::vector<std::string> got;
    for (size_t i = 3; i < row.size(); ++i) got.push_back(flame["functions"][row[i].get<size_t>()]);
    if (got != want) continue;
    found = true;
    EXPECT_EQ(row[0], 4);
    EXPECT_EQ(flame["states"][row[1].get<size_t>()], "chan send");
    EXPECT_EQ(row[2], (*f)["severity"] == "leak" ? 2 : 1);
  }
  EXPECT_TRUE(found) << flame.dump();
  EXPECT_NE(std::find(want.begin(), want.end(), "main.(*fetcher).run"), want.end());
}

// A series of four snapshots of a service, ten minutes apart: a send leak
// that grows, a mutex pile-up, a forgotten select{}, an accept loop, a
// hub waiting for work, and a panic text carrying markup.
std::vector<DumpSet> SampleSeries() {
  std::vector<DumpSet> sets;
  const int sends[] = {40, 90, 160, 230};
  for (int k = 0; k < 4; ++k) {
    std::string text = k == 3 ? "panic: " + kEvil + " " + kLineSep + " upstream closed\n\n" : "";
    uint64_t id = 1;
    text += G(id++, "IO wait", "net/http.(*Server).Serve", "/usr/local/go/src/net/http/server.go:3056");
    text += G(id++, "select (no cases)", "main.waitForever", "/app/main.go:88");
    for (int i = 0; i < sends[k]; ++i)
      text += G(1000 + static_cast<uint64_t>(i), "chan send, " + std::to_string(2 + k * 10) + " minutes", "main.fetch",
                "/app/fetch.go:42", "main.(*Server).handle", "/app/handler.go:30");
    for (int i = 0; i < 12; ++i)
      text += G(5000 + static_cast<uint64_t>(i), "sync.Mutex.Lock, 25 minutes", "main.(*Cache).Get", "/app/cache.go:57",
                "main.(*Server).handle", "/app/handler.go:31");
    for (int i = 0; i < 6; ++i)
      text += G(9000 + static_cast<uint64_t>(i), "chan receive, 18 minutes", "main.(*Hub).run", "/app/hub.go:64",
                "main.NewHub", "/app/hub.go:30");
    DumpSet set;
    ReadError err = ReadDumpBytes(text, "api-1 snapshot " + std::to_string(k + 1), &set);
    EXPECT_FALSE(err) << err.message;
    sets.push_back(std::move(set));
  }
  return sets;
}

TEST(DashboardJson, TimedSeriesUsesMilliseconds) {
  const double t0 = 1763800000;  // 2025-11-22
  std::vector<double> times = {t0, t0 + 600, t0 + 1200, t0 + 1800};
  auto a = Analyze(SampleSeries(), times);
  json doc = DashboardFromAnalysis(a->view, times);
  EXPECT_EQ(doc["time_axis"], "ms");
  const json& totals = doc["targets"][0]["totals"];
  ASSERT_EQ(totals.size(), 4u);
  EXPECT_EQ(totals[0][0], 1763800000000LL);
  EXPECT_EQ(totals[3][0], 1763801800000LL);
  EXPECT_EQ(doc["targets"][0]["last_poll_ms"], 1763801800000LL);
  const json* f = FindingFor(doc, "chan-send-blocked");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ((*f)["growing"], true);
  EXPECT_GT((*f)["growth_per_hour"].get<double>(), 100);
  EXPECT_EQ((*f)["first_seen_ms"], 1763800000000LL);
  EXPECT_EQ((*f)["last_seen_ms"], 1763801800000LL);
  // The markup in the dump reached the document (so the page test below
  // is about something) ...
  EXPECT_NE(doc["targets"][0]["preamble"].get<std::string>().find(kEvil), std::string::npos);
  // ... and never the page.
  std::string page = Html(doc);
  EXPECT_EQ(page.find(kEvil), std::string::npos);
  EXPECT_EQ(page.find(kLineSep), std::string::npos);
  EXPECT_EQ(json::parse(EmbeddedData(page)), json::parse(doc.dump(-1, ' ', false, json::error_handler_t::replace)));
}

// The page tests/browser/run.sh opens.
TEST(DashboardSample, WritesBrowserTestPage) {
  const double t0 = 1763800000;
  std::vector<double> times = {t0, t0 + 600, t0 + 1200, t0 + 1800};
  auto a = Analyze(SampleSeries(), times);
  json doc = DashboardFromAnalysis(a->view, times);
  doc["targets"][0]["name"] = "api-1";
  for (json& b : doc["buckets"]) b["target"] = "api-1";
  for (json& f : doc["findings"]) f["target"] = "api-1";
  ASSERT_NE(FindingFor(doc, "chan-send-blocked"), nullptr);
  ASSERT_GE(doc["findings"].size(), 3u);

  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  std::filesystem::path dir = exe.parent_path() / "artifacts";
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / "dashboard-sample.html", std::ios::binary);
  WriteHtml(doc, out);
  out.close();
  EXPECT_TRUE(out.good());
  std::ofstream(dir / "dashboard-sample.json", std::ios::binary)
      << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  // The server's page, for trying live mode by hand.
  std::ofstream(dir / "dashboard-live.html", std::ios::binary) << RenderDashboardPage(true);
}

}  // namespace
}  // namespace leakhound
