#include "analyze/series.h"

#include <fmt/format.h>

#include <unordered_map>
#include <vector>

#include "base/hash.h"
#include "base/words.h"

namespace leakhound {

bool ParseSeriesMode(std::string_view text, SeriesMode* out) {
  if (text == "auto") *out = SeriesMode::kAuto;
  else if (text == "same") *out = SeriesMode::kSame;
  else if (text == "separate") *out = SeriesMode::kSeparate;
  else return false;
  return true;
}

const char* SeriesModeName(SeriesMode mode) {
  switch (mode) {
    case SeriesMode::kAuto: return "auto";
    case SeriesMode::kSame: return "same";
    case SeriesMode::kSeparate: return "separate";
  }
  return "auto";
}

namespace {

// The runtime prints these and exits: nothing after them is the same
// process. (A runtime.Stack or debug=2 dump leaves the process running.)
bool EndsProcess(const Snapshot& s) {
  return s.kind == DumpKind::kPanic || s.kind == DumpKind::kFatalError ||
         s.kind == DumpKind::kSignal;
}

// Which program: the file main.main is in ("_testmain.go" for a test
// binary, "/app/cmd/server/main.go"); "" when no stack shows it.
std::string_view Program(const Snapshot& s) {
  for (const Stack& st : s.stacks())
    for (const Frame& f : st.frames)
      if (s.str(f.function) == "main.main") return s.str(f.file);
  return {};
}

// Where each stack's goroutines started (outermost function) and who
// started them (creator), one hash per stack: snapshots keep their own
// string tables, and a million goroutines share a few thousand stacks.
std::vector<uint64_t> Origins(const Snapshot& s) {
  std::vector<uint64_t> out;
  out.reserve(s.stacks().size());
  for (const Stack& st : s.stacks()) {
    std::string_view first = st.frames.empty() ? std::string_view() : s.str(st.frames.back().function);
    std::string_view creator = st.has_creator ? s.str(st.creator.function) : std::string_view();
    out.push_back(HashMix(HashBytes(first.data(), first.size()),
                          HashBytes(creator.data(), creator.size(), 1)));
  }
  return out;
}

// Goroutines of `b` that were in `a` under the same id with the same
// outermost function (where it started) and creator: the same goroutine seen
// twice. Goroutine 1 (main, in every process) does not count.
size_t SharedGoroutines(const Snapshot& a, const Snapshot& b) {
  if (!a.has_ids || !b.has_ids) return 0;
  std::vector<uint64_t> from_a = Origins(a), from_b = Origins(b);
  std::unordered_map<uint64_t, uint64_t> in_a;
  for (const Goroutine& g : a.goroutines())
    Snapshot::ForEachId(g, [&](uint64_t id) {
      if (id > 1) in_a.emplace(id, from_a[g.stack]);
    });
  size_t n = 0;
  for (const Goroutine& g : b.goroutines())
    Snapshot::ForEachId(g, [&](uint64_t id) {
      auto it = in_a.find(id);
      if (it != in_a.end() && it->second == from_b[g.stack]) ++n;
    });
  return n;
}

struct Link {
  bool same;
  std::string why;
};

// Dumps i and i+1 (1-based in the text): one process or two?
Link Decide(const SeriesDump& a, const SeriesDump& b, size_t i) {
  const Snapshot& x = *a.snapshot;
  const Snapshot& y = *b.snapshot;
  if (EndsProcess(x)) {
    std::string first = x.preamble.substr(0, x.preamble.find('\n')).substr(0, 80);
    return {false, fmt::format("dump {} ends its process (\"{}\"), so dump {} is another one", i,
                               first.empty() ? DumpKindName(x.kind) : first, i + 1)};
  }
  std::string_view pa = Program(x), pb = Program(y);
  if (!pa.empty() && !pb.empty() && pa != pb)
    return {false, fmt::format("dumps {} and {} are different programs (main.main in {} and {})", i,
                               i + 1, pa, pb)};
  if (a.time > 0 && b.time > 0) {
    if (b.time > a.time)
      return {true, fmt::format("dump {} was captured {:.0f}s after dump {}", i + 1, b.time - a.time, i)};
    return {false, fmt::format("dump {} was not captured after dump {}", i + 1, i)};
  }
  if (size_t shared = SharedGoroutines(x, y); shared > 0)
    return {true, fmt::format("{} of dump {} {} in dump {}", Plural(shared, "goroutine"), i,
                              shared == 1 ? "persists" : "persist", i + 1)};
  if (a.input != b.input)
    return {true, fmt::format("dumps {} and {} are separate inputs, taken as a series in the order given",
                              i, i + 1)};
  return {false, fmt::format("nothing shows dumps {} and {} are one process (no goroutine persists, "
                             "no capture times)",
                             i, i + 1)};
}

}  // namespace

SeriesPlan PlanSeries(const std::vector<SeriesDump>& dumps, SeriesMode mode) {
  SeriesPlan plan;
  plan.asked = mode;
  for (size_t i = 0; i < dumps.size(); ++i) {
    bool same = false;
    if (i > 0) {
      if (mode == SeriesMode::kAuto) {
        Link link = Decide(dumps[i - 1], dumps[i], i);
        same = link.same;
        plan.reasons.push_back(std::move(link.why));
      } else {
        same = mode == SeriesMode::kSame;
      }
    }
    if (!same) plan.groups.emplace_back();
    plan.groups.back().push_back(i);
  }
  return plan;
}

std::string SeriesPlan::Summary() const {
  size_t dumps = 0;
  for (const auto& g : groups) dumps += g.size();
  std::string out;
  if (separate())
    out = fmt::format("{} analysed separately as {}", Plural(dumps, "dump"),
                      Plural(groups.size(), "process", "processes"));
  else if (dumps > 1)
    out = fmt::format("{} analysed as a series of one process", Plural(dumps, "dump"));
  else
    return "one dump";
  if (asked != SeriesMode::kAuto) return out + fmt::format(" (--series {})", SeriesModeName(asked));
  out += ": ";
  for (size_t i = 0; i < reasons.size(); ++i) out += (i ? "; " : "") + reasons[i];
  return out;
}

}  // namespace leakhound
