// JSON output; the schema is documented in docs/json-schema.md.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/words.h"
#include "model/func_name.h"
#include "report/report.h"

namespace leakhound {

const char kLeakhoundVersion[] = "0.1.0";

namespace {

using Json = nlohmann::ordered_json;

}  // namespace

Json FrameToJson(const Snapshot& s, const Frame& f) {
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

namespace {

// At most kMaxJsonIds ids per bucket: a million-goroutine dump would
// otherwise write every id twice; "ids_omitted" says how many were left out (the text report shows 10).
constexpr size_t kMaxJsonIds = 100;
void IdsJson(const std::vector<uint64_t>& ids, Json* j) {
  size_t n = std::min(ids.size(), kMaxJsonIds);
  (*j)["ids"] = std::vector<uint64_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n));
  (*j)["ids_omitted"] = ids.size() - n;
}

// A bucket's distinct label sets: [{"labels": {"k": "v"}, "count": 3}].
Json LabelsJson(const Snapshot& s, const Bucket& b) {
  Json out = Json::array();
  for (const auto& [set, count] : b.labels) {
    Json kv = Json::object();
    for (const auto& [k, v] : s.label_sets()[set]) kv[std::string(s.str(k))] = std::string(s.str(v));
    out.push_back(Json{{"labels", std::move(kv)}, {"count", count}});
  }
  return out;
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
  j["text"] = std::string(OrUnknown(v.ToString()));
  return j;
}

Json AgreementJson(const AnalyzeView& view, const std::vector<AgreementEntry>& list) {
  const Snapshot& s = *view.snapshot;
  Json out = Json::array();
  for (const AgreementEntry& e : list) {
    const Bucket& b = view.verdict->buckets[e.bucket];
    const Stack& stack = s.stacks()[b.stack];
    Json j;
    j["count"] = b.count;
    j["state"] = std::string(OrUnknown(s.str(b.state)));
    j["leaked"] = b.leaked;
    int top = e.own && e.own->blocking_frame >= 0 ? e.own->blocking_frame : TopUserFrame(s, stack);
    j["blocking_frame"] = top >= 0 ? FrameToJson(s, stack.frames[static_cast<size_t>(top)]) : Json(nullptr);
    j["creator"] = stack.has_creator ? FrameToJson(s, stack.creator) : Json(nullptr);
    j["pattern"] = e.own ? Json(e.own->pattern->id) : Json(nullptr);
    j["severity"] = e.own ? Json(SeverityName(e.own->severity)) : Json(nullptr);
    j["confidence"] = e.own ? Json(std::round(e.own->confidence * 1000) / 1000) : Json(nullptr);
    j["benign"] = e.own && e.own->benign ? Json(e.own->benign->reason) : Json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

void WriteJson(const AnalyzeView& view, std::ostream& out) {
  const Snapshot& s = *view.snapshot;
  Json root;
  root["schema"] = "leakhound/analyze/v1";
  root["leakhound_version"] = kLeakhoundVersion;

  Json inputs = Json::array();
  std::vector<const DumpSet*> sets = view.inputs;
  if (sets.empty()) sets.push_back(view.input);
  for (const DumpSet* set : sets) {
    Json input;
    input["source"] = set->source;
    input["form"] = set->form;
    input["bytes"] = set->bytes;
    input["lines"] = set->lines;
    input["dumps"] = set->snapshots.size();
    input["warnings"] = set->warnings;
    inputs.push_back(std::move(input));
  }
  root["inputs"] = inputs;

  Json snap;
  snap["source"] = s.source;
  snap["form"] = s.form;
  snap["kind"] = DumpKindName(s.kind);
  snap["preamble"] = s.preamble;
  snap["go_version"] = VersionJson(s.go_version);
  snap["truncated"] = s.truncated;
  snap["notes"] = s.notes;
  snap["total_goroutines"] = s.total_goroutines();
  // By state, count descending.
  std::vector<std::pair<Sym, uint64_t>> states;
  {
    std::vector<uint64_t> counts(s.strings().size(), 0);
    for (const Goroutine& g : s.goroutines()) counts[g.state] += g.count;
    for (Sym i = 0; i < counts.size(); ++i)
      if (counts[i] > 0) states.emplace_back(i, counts[i]);
    std::sort(states.begin(), states.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return s.str(a.first) < s.str(b.first);
    });
  }
  Json by_state = Json::array();
  for (const auto& [state, count] : states)
    by_state.push_back(Json{{"state", std::string(OrUnknown(s.str(state)))}, {"count", count}});
  snap["by_state"] = by_state;
  root["snapshot"] = snap;

  root["grouping"] = view.grouping == Grouping::kExact ? "exact" : "loose";
  root["buckets_total"] = view.buckets_total;
  if (view.verdict) {
    Json series{{"snapshots", view.verdict->series_length},
                {"times_known", view.verdict->times_known}};
    if (const SeriesPlan* plan = view.series_plan) {
      // Which dumps of the input this process is (1-based, input order),
      // and how that was decided (analyze/series.h).
      std::vector<size_t> dumps;
      for (size_t i : plan->groups[view.process]) dumps.push_back(i + 1);
      series["mode"] = SeriesModeName(plan->asked);
      series["chosen"] = plan->separate() ? "separate" : "same";
      series["processes"] = plan->groups.size();
      series["process"] = view.process + 1;
      series["dumps"] = dumps;
      series["why"] = plan->Summary();
      series["reasons"] = plan->reasons;
    }
    root["series"] = series;
    root["ignored"] = view.verdict->ignored;
    const RuntimeAgreement* a = view.agreement;
    if (a && a->available) {
      root["runtime_agreement"] =
          Json{{"marked_goroutines", a->marked_goroutines},
               {"lists_unmarked", a->lists_unmarked},
               {"agree", AgreementJson(view, a->agree)},
               {"leakhound_only",
                a->lists_unmarked ? AgreementJson(view, a->leakhound_only) : Json(nullptr)},
               {"runtime_only", AgreementJson(view, a->runtime_only)}};
    } else {
      root["runtime_agreement"] = nullptr;
    }
  }
  if (view.series_plan) root["processes"] = view.processes ? *view.processes : Json(nullptr);
  // Dumps are untrusted: invalid UTF-8 is replaced rather than thrown on.
  std::string head = root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  head.resize(head.size() - 2);  // drop "\n}"
  out << head << ",\n  \"buckets\": [";
  // Buckets and findings are serialised and written one by one as they
  // are built: the whole document as one DOM costs ~10x its text (150+ MB
  // for a million-goroutine dump), and even its text is tens of MB.
  bool first = true;
  std::string indented;
  auto write = [&out, &first, &indented](const Json& j) {
    std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    indented.assign(first ? "\n    " : ",\n    ");
    first = false;
    size_t start = 0;  // indent every line by four more spaces
    while (true) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) {
        indented.append(text, start, std::string::npos);
        break;
      }
      indented.append(text, start, nl + 1 - start);
      indented.append("    ");
      start = nl + 1;
    }
    out.write(indented.data(), static_cast<std::streamsize>(indented.size()));
  };
  for (const Bucket* b : view.buckets) {
    const Stack& stack = s.stacks()[b->stack];
    Json j;
    j["count"] = b->count;
    j["state"] = std::string(OrUnknown(s.str(b->state)));
    j["leaked"] = b->leaked;
    j["wait_minutes"] =
        b->min_wait >= 0 ? Json{{"min", b->min_wait}, {"max", b->max_wait}} : Json(nullptr);
    j["locked_to_thread"] = b->locked_to_thread;
    IdsJson(b->ids, &j);
    j["creator_ids"] = b->creator_ids;
    j["in_bubble"] = b->in_bubble;
    j["durable"] = b->durable;
    j["bubbles"] = b->bubbles;
    j["labels"] = LabelsJson(s, *b);
    j["labels_other"] = b->labels_other;
    int top = TopUserFrame(s, stack);
    j["top_frame"] = top >= 0 ? FrameToJson(s, stack.frames[static_cast<size_t>(top)]) : Json(nullptr);
    j["blocking_frame"] = stack.frames.empty() ? Json(nullptr) : FrameToJson(s, stack.frames[0]);
    j["creator"] = stack.has_creator ? FrameToJson(s, stack.creator) : Json(nullptr);
    Json frames = Json::array();
    for (const Frame& f : stack.frames) frames.push_back(FrameToJson(s, f));
    j["frames"] = frames;
    j["elided_frames"] = stack.elided_unknown ? -1 : static_cast<int64_t>(stack.elided_frames);
    j["stack_unavailable"] = stack.unavailable;
    j["stack_cut"] = stack.cut;
    write(j);
  }
  out << (first ? "]" : "\n  ]");

  if (view.verdict) {
    const Verdict& v = *view.verdict;
    out << ",\n  \"findings\": [";
    first = true;
    for (const Finding* f : view.findings) {
      const Bucket& b = v.buckets[f->bucket];
      const Stack& stack = s.stacks()[b.stack];
      Json j;
      j["pattern"] = f->pattern->id;
      j["title"] = f->pattern->title;
      j["severity"] = SeverityName(f->severity);
      j["confidence"] = std::round(f->confidence * 1000) / 1000;
      Json reasons = Json::array();
      for (const Reason& r : f->reasons)
        reasons.push_back(Json{{"text", r.text}, {"weight", std::round(r.weight * 1000) / 1000}});
      j["reasons"] = reasons;
      Json lint = Json::array();
      for (const LintLink& l : f->lint)
        lint.push_back(Json{{"rule", l.lint->finding.rule},
                            {"pattern", l.lint->finding.pattern},
                            {"file", l.lint->finding.file},
                            {"line", l.lint->finding.line},
                            {"message", l.lint->finding.message},
                            {"match", l.match}});
      j["lint"] = lint;
      j["benign"] = f->benign ? Json(f->benign->reason) : Json(nullptr);
      if (const std::optional<Proof>& p = f->proof) {
        j["proof"] = Json{{"by", p->by}, {"marker", p->marker}};
        if (p->bubble >= 0) j["proof"]["bubble"] = p->bubble;
        j["proof"]["text"] = p->text;
        if (!p->cycle.empty()) {
          // One step per goroutine: what it waits for and who keeps it.
          auto use = [](const LockUse& u) {
            return Json{{"lock", u.expr}, {"object", u.lock.base ? Json(fmt::format("{:#x}", u.lock.base))
                                                               : Json(nullptr)},
                        {"read", u.read}, {"file", u.file}, {"line", u.line}};
          };
          Json steps = Json::array();
          for (const WaitEdge& e : p->cycle)
            steps.push_back(Json{{"goroutine", e.waiter},
                                 {"wants", use(e.wanted)},
                                 {"holder", e.holder},
                                 {"held", e.held ? use(*e.held) : Json(nullptr)},
                                 {"queued_writer", !e.held}});
          j["proof"]["cycle"] = std::move(steps);
        }
        if (!p->component.empty()) {
          // nobody-left: every goroutine that runs the code able to wake them.
          Json members = Json::array();
          for (const StuckWait& m : p->component)
            members.push_back(Json{{"goroutine", m.goroutine}, {"count", m.count},
                                   {"state", m.state}, {"file", m.file}, {"line", m.line},
                                   {"op", m.op}, {"objects", m.objects}});
          j["proof"]["component"] = std::move(members);
        }
      } else {
        j["proof"] = nullptr;
      }
      j["fingerprint"] = f->fingerprint;
      j["baselined"] = f->baselined;
      j["count"] = b.count;
      j["state"] = std::string(OrUnknown(s.str(b.state)));
      j["wait_minutes"] =
          b.min_wait >= 0 ? Json{{"min", b.min_wait}, {"max", b.max_wait}} : Json(nullptr);
      j["blocking_frame"] = f->blocking_frame >= 0
                                ? FrameToJson(s, stack.frames[static_cast<size_t>(f->blocking_frame)])
                                : Json(nullptr);
      j["creator"] = stack.has_creator ? FrameToJson(s, stack.creator) : Json(nullptr);
      Json waits_for = Json::array();
      for (size_t wb : f->waits_for) {
        const Bucket& w = v.buckets[wb];
        const Stack& ws = s.stacks()[w.stack];
        int top = TopUserFrame(s, ws);
        waits_for.push_back(Json{{"count", w.count},
                                 {"state", std::string(OrUnknown(s.str(w.state)))},
                                 {"blocking_frame", top >= 0 ? FrameToJson(s, ws.frames[static_cast<size_t>(top)])
                                                             : Json(nullptr)}});
      }
      j["waits_for"] = waits_for;
      // The goroutine a dump-only lock shape pairs this one with, and
      // where it is blocked (found by id among the buckets).
      Json shape_with = Json::array();
      for (const ShapePeer& peer : f->shape_with) {
        uint64_t id = peer.goroutine;
        Json where = nullptr;
        for (const Bucket& w : v.buckets) {
          if (!std::binary_search(w.ids.begin(), w.ids.end(), id)) continue;
          const Stack& ws = s.stacks()[w.stack];
          int top = TopUserFrame(s, ws);
          if (top >= 0) where = FrameToJson(s, ws.frames[static_cast<size_t>(top)]);
          break;
        }
        shape_with.push_back(Json{{"goroutine", id}, {"kind", peer.kind}, {"blocking_frame", where}});
      }
      j["shape_with"] = shape_with;
      if (f->growth) {
        const Growth& g = *f->growth;
        j["growth"] = Json{{"counts", g.counts},
                           {"slope", g.slope},
                           {"per_hour", g.per_hour >= 0 ? Json(g.per_hour) : Json(nullptr)},
                           {"r2", g.r2},
                           {"surviving_ids", g.surviving_ids},
                           {"growing", g.growing},
                           {"flat", g.flat}};
      } else {
        j["growth"] = nullptr;
      }
      IdsJson(b.ids, &j);
      Json frames = Json::array();
      for (const Frame& fr : stack.frames) frames.push_back(FrameToJson(s, fr));
      j["frames"] = frames;
      j["explanation"] = f->pattern->explanation;
      j["fix"] = f->pattern->fix;
      j["fix_snippet"] = f->pattern->fix_snippet;
      write(j);
    }
    out << (first ? "]" : "\n  ]");
  }
  out << "\n}\n";
}

}  // namespace leakhound
