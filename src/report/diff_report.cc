// `leakhound diff` output: text and JSON (schema leakhound/diff/v1, see
// docs/json-schema.md).
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "base/words.h"
#include "report/report.h"

namespace leakhound {

namespace {
using Json = nlohmann::ordered_json;

std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}
}  // namespace

void WriteDiffText(const DiffView& view, bool color, std::ostream& out) {
  const SnapshotDiff& d = *view.diff;
  auto on = [&](const char* code) { return color ? code : ""; };
  out << on("\x1b[1m") << Printable(view.base_source) << " -> " << Printable(view.new_source)
      << on("\x1b[0m") << ": " << view.base_total << " -> " << view.new_total
      << fmt::format(" goroutines ({:+d})\n", d.total_delta);
  if (!view.note.empty()) out << "note: " << view.note << "\n";
  out << "\n";
  if (view.deltas.empty()) out << "no bucket changed\n";
  for (const BucketDelta* x : view.deltas) {
    const Snapshot& s = *x->snapshot;
    const Stack& st = s.stacks()[x->bucket->stack];
    const char* c = x->delta > 0 ? "\x1b[31m" : x->delta < 0 ? "\x1b[32m" : "";
    out << on(c) << fmt::format("{:>+8d}  {:<8}", x->delta, ChangeName(x->change)) << on("\x1b[0m")
        << fmt::format(" {} -> {}  [{}]", x->base_count, x->new_count, Printable(OrUnknown(s.str(x->bucket->state))))
        << "\n";
    int top = TopUserFrame(s, st);
    if (top >= 0) {
      const Frame& f = st.frames[static_cast<size_t>(top)];
      out << "          at " << Printable(s.str(f.file)) << ":" << f.line << " "
          << Printable(s.str(f.function)) << "\n";
    }
    if (st.has_creator)
      out << "          created by " << Printable(s.str(st.creator.function)) << " at "
          << Printable(s.str(st.creator.file)) << ":" << st.creator.line << "\n";
  }
}

void WriteDiffJson(const DiffView& view, std::ostream& out) {
  const SnapshotDiff& d = *view.diff;
  Json root;
  root["schema"] = "leakhound/diff/v1";
  root["leakhound_version"] = std::string(kLeakhoundVersion);
  root["base"] = Json{{"source", view.base_source}, {"form", view.base_form}, {"total_goroutines", view.base_total}};
  root["new"] = Json{{"source", view.new_source}, {"form", view.new_form}, {"total_goroutines", view.new_total}};
  root["total_delta"] = d.total_delta;
  root["note"] = view.note;
  Json changes = Json::array();
  for (const BucketDelta* x : view.deltas) {
    const Snapshot& s = *x->snapshot;
    const Stack& st = s.stacks()[x->bucket->stack];
    Json j;
    j["change"] = ChangeName(x->change);
    j["base_count"] = x->base_count;
    j["new_count"] = x->new_count;
    j["delta"] = x->delta;
    j["state"] = std::string(OrUnknown(s.str(x->bucket->state)));
    int top = TopUserFrame(s, st);
    j["top_frame"] = top >= 0 ? FrameToJson(s, st.frames[static_cast<size_t>(top)]) : Json(nullptr);
    j["creator"] = st.has_creator ? FrameToJson(s, st.creator) : Json(nullptr);
    Json frames = Json::array();
    for (const Frame& f : st.frames) frames.push_back(FrameToJson(s, f));
    j["frames"] = frames;
    changes.push_back(std::move(j));
  }
  root["changes"] = changes;
  out << root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace leakhound
