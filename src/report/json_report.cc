// JSON output; the schema is documented in docs/json-schema.md.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "model/func_name.h"
#include "report/report.h"

namespace leakhound {

const char kLeakhoundVersion[] = "0.1.0";

namespace {

using Json = nlohmann::ordered_json;

Json FrameJson(const Snapshot& s, const Frame& f) {
  std::string_view fn = s.str(f.function);
  FuncName name = ParseFuncName(fn);
  Json j;
  j["function"] = std::string(fn);
  j["package"] = name.package;
  j["receiver"] = name.receiver;
  j["file"] = std::string(s.str(f.file));
  j["line"] = f.line;
  j["offset"] = f.pc_offset;
  j["inlined"] = f.inlined;
  j["args_elided"] = f.args_elided;
  j["stdlib"] = name.stdlib;
  return j;
}

Json VersionJson(const GoVersionRange& v) {
  Json j;
  auto minor = [](int m) -> Json {
    if (m == 0) return nullptr;
    return "1." + std::to_string(m);
  };
  bool ok = v.known() && !v.empty();
  j["min"] = ok ? minor(v.min_minor) : Json(nullptr);
  j["max"] = ok ? minor(v.max_minor) : Json(nullptr);
  j["text"] = v.ToString();
  return j;
}

}  // namespace

void WriteJson(const AnalyzeView& view, std::ostream& out) {
  const Snapshot& s = *view.snapshot;
  Json root;
  root["schema"] = "leakhound/analyze/v1";
  root["leakhound_version"] = kLeakhoundVersion;

  Json input;
  input["source"] = view.input->source;
  input["form"] = view.input->form;
  input["bytes"] = view.input->bytes;
  input["lines"] = view.input->lines;
  input["dumps"] = view.input->snapshots.size();
  input["warnings"] = view.input->warnings;
  root["inputs"] = Json::array({input});

  Json snap;
  snap["source"] = s.source;
  snap["form"] = s.form;
  snap["kind"] = DumpKindName(s.kind);
  snap["preamble"] = s.preamble;
  snap["go_version"] = VersionJson(s.go_version);
  snap["truncated"] = s.truncated;
  snap["notes"] = s.notes;
  snap["total_goroutines"] = s.goroutines().size();
  // By state, count descending.
  std::vector<std::pair<Sym, uint64_t>> states;
  {
    std::vector<uint64_t> counts(s.strings().size(), 0);
    for (const Goroutine& g : s.goroutines()) ++counts[g.state];
    for (Sym i = 0; i < counts.size(); ++i)
      if (counts[i] > 0) states.emplace_back(i, counts[i]);
    std::sort(states.begin(), states.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return s.str(a.first) < s.str(b.first);
    });
  }
  Json by_state = Json::array();
  for (const auto& [state, count] : states)
    by_state.push_back(Json{{"state", std::string(s.str(state))}, {"count", count}});
  snap["by_state"] = by_state;
  root["snapshot"] = snap;

  root["grouping"] = view.grouping == Grouping::kExact ? "exact" : "loose";
  root["buckets_total"] = view.buckets_total;
  Json buckets = Json::array();
  for (const Bucket* b : view.buckets) {
    const Stack& stack = s.stacks()[b->stack];
    Json j;
    j["count"] = b->count;
    j["state"] = std::string(s.str(b->state));
    j["leaked"] = b->leaked;
    j["wait_minutes"] =
        b->min_wait >= 0 ? Json{{"min", b->min_wait}, {"max", b->max_wait}} : Json(nullptr);
    j["locked_to_thread"] = b->locked_to_thread;
    j["ids"] = b->ids;
    j["creator_ids"] = b->creator_ids;
    int top = TopUserFrame(s, stack);
    j["top_frame"] = top >= 0 ? FrameJson(s, stack.frames[static_cast<size_t>(top)]) : Json(nullptr);
    j["blocking_frame"] = stack.frames.empty() ? Json(nullptr) : FrameJson(s, stack.frames[0]);
    j["creator"] = stack.has_creator ? FrameJson(s, stack.creator) : Json(nullptr);
    Json frames = Json::array();
    for (const Frame& f : stack.frames) frames.push_back(FrameJson(s, f));
    j["frames"] = frames;
    j["elided_frames"] = stack.elided_unknown ? -1 : static_cast<int64_t>(stack.elided_frames);
    j["stack_unavailable"] = stack.unavailable;
    buckets.push_back(std::move(j));
  }
  root["buckets"] = buckets;
  // Dumps are untrusted: invalid UTF-8 is replaced rather than thrown on.
  out << root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace leakhound
