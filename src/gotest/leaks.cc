#include "gotest/leaks.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>
#include <sstream>

#include <fmt/format.h>

#include "analyze/buckets.h"
#include "analyze/source_view.h"
#include "dump/dump.h"
#include "gotest/check_source.h"
#include "patterns/pattern.h"

namespace leakhound {

namespace {

// The noisy-or of verdict.h, for the one reason added here.
double WithEvidence(double c, double e) { return 1 - (1 - c) * (1 - e); }

std::string HeaderValue(const std::string& text, const char* header) {
  size_t at = text.find(header);
  if (at == std::string::npos) return "";
  at += std::string_view(header).size();
  size_t nl = text.find('\n', at);
  return text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
}

uint32_t FirstColumn(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() ? static_cast<uint32_t>(i + 1) : 1;
}

// goleak's options, with goleak's meaning: the top frame's function, or
// any frame's, equals the name given.
bool IgnoredByFlags(const Snapshot& snap, const Stack& st, const LeakReadOptions& o) {
  auto in = [](const std::vector<std::string>& names, std::string_view fn) {
    return std::find(names.begin(), names.end(), fn) != names.end();
  };
  if (!st.frames.empty() && in(o.ignore_top_functions, snap.str(st.frames.front().function)))
    return true;
  for (const Frame& f : st.frames)
    if (in(o.ignore_any_functions, snap.str(f.function))) return true;
  return false;
}

}  // namespace

TestLeak LeakOfBucket(const Snapshot& snap, const Verdict& v, size_t bi, const Finding* f,
                      SourceView& view) {
  const Bucket& b = v.buckets[bi];
  const Stack& st = snap.stacks()[b.stack];
  TestLeak l;
  l.state = std::string(snap.str(b.state));
  l.count = b.count;
  l.ids = b.ids;
  int frame = f ? f->blocking_frame : TopUserFrame(snap, st);
  if (frame >= 0 && static_cast<size_t>(frame) < st.frames.size()) {
    const Frame& fr = st.frames[static_cast<size_t>(frame)];
    l.function = std::string(snap.str(fr.function));
    l.file = std::string(snap.str(fr.file));
    l.line = fr.line;
    l.column = FirstColumn(view.Line(l.file, l.line));
  }
  if (st.has_creator) {
    l.has_creator = true;
    l.creator_function = std::string(snap.str(st.creator.function));
    l.creator_file = std::string(snap.str(st.creator.file));
    l.creator_line = st.creator.line;
  }
  if (f && f->pattern) {
    l.pattern = f->pattern->id;
    l.title = f->pattern->title;
    l.fix = f->pattern->fix;
    l.reasons = f->reasons;
    l.confidence = f->confidence;
  } else {
    const Pattern* p = FindPattern(kOutlivedPattern);
    l.pattern = p->id;
    l.title = p->title;
    l.fix = p->fix;
    l.reasons.push_back({fmt::format("{} ({}): no known leak pattern", l.state,
                                     l.function.empty() ? "no user frame" : l.function),
                         0});
  }
  return l;
}

SurvivorVerdict AnalyzeSurvivors(const Snapshot& snap, SourceView& source,
                                 const LeakReadOptions& options) {
  AnalyzeOptions ao;
  ao.source = &source;
  ao.ignore = options.ignore;
  SurvivorVerdict out{AnalyzeSeries({&snap}, {}, ao), {}};
  out.by_bucket.assign(out.verdict.buckets.size(), nullptr);
  for (const Finding& f : out.verdict.findings) out.by_bucket[f.bucket] = &f;
  return out;
}

std::vector<TestLeak> LeaksOfRecord(const std::string& text, const std::string& source,
                                    const LeakReadOptions& options,
                                    std::vector<std::string>* warnings) {
  std::vector<TestLeak> leaks;
  std::string test = HeaderValue(text, kRecordTestHeader);
  std::string package = HeaderValue(text, kRecordPackageHeader);
  bool checked = HeaderValue(text, kRecordProofHeader) == "yes";
  size_t body = text.find("\ngoroutine ");
  if (test.empty() || body == std::string::npos) {
    warnings->push_back(source + ": not a leakhound test record");
    return leaks;
  }
  DumpSet set;
  ReadError err = ReadDumpBytes(std::string_view(text).substr(body + 1), source, &set);
  if (err || set.snapshots.empty()) {
    warnings->push_back(err ? err.message : source + ": no goroutines");
    return leaks;
  }
  for (const std::string& w : set.warnings) warnings->push_back(w);
  const Snapshot& snap = set.snapshots.front();

  SourceView view(options.source_roots, /*use_absolute=*/true);
  SurvivorVerdict sv = AnalyzeSurvivors(snap, view, options);
  const Verdict& v = sv.verdict;
  const std::vector<const Finding*>& by_bucket = sv.by_bucket;
  // Buckets an ignore rule dropped have no finding; neither do those no
  // pattern explains. Tell them apart by asking again without the rules.
  std::vector<bool> explained(v.buckets.size(), false);
  if (options.ignore && v.ignored > 0) {
    LeakReadOptions all = options;
    all.ignore = nullptr;
    SurvivorVerdict unfiltered = AnalyzeSurvivors(snap, view, all);
    for (const Finding& f : unfiltered.verdict.findings) explained[f.bucket] = true;
  }

  std::string outlived = fmt::format(
      "survived the {} settle time after {} ended: a goroutine a test leaves running is a "
      "leak by definition",
      options.settle, test == kAfterAllTests ? "the last test" : test);
  for (size_t bi = 0; bi < v.buckets.size(); ++bi) {
    const Bucket& b = v.buckets[bi];
    const Finding* f = by_bucket[bi];
    if (!f && explained[bi]) continue;  // ignored by the user's rules
    const Stack& st = snap.stacks()[b.stack];
    if (IgnoredByFlags(snap, st, options)) continue;
    TestLeak l = LeakOfBucket(snap, v, bi, f, view);
    l.test = test;
    l.package = package;
    l.leak_profile_checked = checked;
    l.runtime_proof = b.leaked;
    // The settle rule makes it a leak either way; the runtime's proof, or
    // its look that found none, says how sure the rest is.
    if (checked && !b.leaked)
      l.reasons.push_back({"the Go runtime's goroutineleak profile did not mark it: whatever it "
                           "waits on is still reachable, so something could still wake it",
                           -0.3});
    if (!checked)
      l.reasons.push_back({"no runtime proof sought: the goroutineleak profile was not available "
                           "(Go before 1.26, or Go 1.26 without GOEXPERIMENT=goroutineleakprofile "
                           "as with --no-leak-profile)",
                           0});
    l.reasons.push_back({outlived, 0.9});
    // Expected goroutines (a signal handler's loop, a runtime helper)
    // outlive tests too; the report still lists them, at info.
    if (f && f->benign) l.severity = Severity::kInfo;
    l.confidence = WithEvidence(l.confidence, 0.9);
    if (checked && !b.leaked) l.confidence *= 0.7;
    leaks.push_back(std::move(l));
  }
  return leaks;
}

std::vector<TestLeak> ReadLeakRecords(const std::string& dir, const LeakReadOptions& options,
                                      std::vector<std::string>* warnings) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".txt") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  // Records are named PID-TAG-SEQ.txt. The internal and the external test
  // package of one directory share a binary but not the check's memory of
  // what it reported, so the final check of one may report again what a
  // test of the other claimed: within one process, a test's claim wins.
  std::vector<TestLeak> all;
  std::vector<std::string> pids;
  for (const std::string& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string base = std::filesystem::path(p).filename().string();
    for (TestLeak& l : LeaksOfRecord(s.str(), p, options, warnings)) {
      all.push_back(std::move(l));
      pids.push_back(base.substr(0, base.find('-')));
    }
  }
  std::set<std::pair<std::string, uint64_t>> claimed;
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].test != kAfterAllTests)
      for (uint64_t id : all[i].ids) claimed.insert({pids[i], id});
  std::vector<TestLeak> kept;
  for (size_t i = 0; i < all.size(); ++i) {
    TestLeak& l = all[i];
    if (l.test == kAfterAllTests) {
      std::erase_if(l.ids, [&](uint64_t id) { return claimed.count({pids[i], id}) > 0; });
      if (l.ids.empty()) continue;
      l.count = l.ids.size();
    }
    kept.push_back(std::move(l));
  }
  // A test run several times (-count=N, or a subtest of a table) leaks at
  // the same place each time: one leak, its goroutines counted together.
  std::vector<TestLeak> merged;
  for (TestLeak& l : kept) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](const TestLeak& m) {
      return std::tie(m.package, m.test, m.pattern, m.file, m.line, m.creator_file,
                      m.creator_line) == std::tie(l.package, l.test, l.pattern, l.file, l.line,
                                                  l.creator_file, l.creator_line);
    });
    if (same == merged.end()) {
      merged.push_back(std::move(l));
      continue;
    }
    same->count += l.count;
    same->ids.insert(same->ids.end(), l.ids.begin(), l.ids.end());
    same->runtime_proof = same->runtime_proof && l.runtime_proof;
  }
  all.swap(merged);
  std::stable_sort(all.begin(), all.end(), [](const TestLeak& a, const TestLeak& b) {
    return std::tie(a.package, a.test, a.file, a.line) < std::tie(b.package, b.test, b.file, b.line);
  });
  return all;
}

}  // namespace leakhound
