// pprof debug=0: gzip(profile.proto). Samples are aggregated by stack and
// labels; value[0] is the goroutine count. Locations list their lines
// innermost first (inlined frames before the function they were inlined
// into), and a sample's locations go leaf first, so flattening gives the
// traceback order.
#include <zlib.h>

#include <google/protobuf/arena.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "dump/aggregated.h"
#include "dump/infer_state.h"
#include "src/dump/profile.pb.h"

namespace leakhound {

namespace {

ReadError Error(ReadErrorKind kind, const std::string& msg) {
  ReadError e;
  e.kind = kind;
  e.message = msg;
  return e;
}

// Inflates gzip data, refusing to produce more than kMaxInflatedProfile
// bytes (a decompression bomb turns 1 MB into 1 GB).
ReadError Gunzip(std::string_view in, const std::string& source, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK)  // 32: accept gzip and zlib headers
    return Error(ReadErrorKind::kUnreadable, source + ": cannot start gzip decoder");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  size_t fed = zs.avail_in;
  char buf[1 << 16];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
    size_t got = sizeof buf - zs.avail_out;
    if (out->size() + got > kMaxInflatedProfile) {
      inflateEnd(&zs);
      return Error(ReadErrorKind::kNoDump,
                   source + ": gzip data inflates to more than " +
                       std::to_string(kMaxInflatedProfile >> 20) +
                       " MiB; refusing it (not a goroutine profile, or a decompression bomb)");
    }
    out->append(buf, got);
    if (rc == Z_STREAM_END) break;
    if (zs.avail_in == 0 && fed < in.size()) {
      size_t more = std::min<size_t>(in.size() - fed, UINT32_MAX);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
      zs.avail_in = static_cast<uInt>(more);
      fed += more;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return Error(ReadErrorKind::kNoDump,
                 source + ": gzip data is corrupt or cut short (" +
                     (zs.msg ? std::string(zs.msg) : std::string("unexpected end")) + ")");
  return {};
}

// id -> index of a function or location. Go numbers both 1..n, so a
// vector does; a hash map only for ids that are not (a hostile profile's
// 2^64-1): 10M locations cost 40 MB here instead of 320 MB.
class IdIndex {
 public:
  template <typename Repeated>
  explicit IdIndex(const Repeated& items) {
    dense_.assign(static_cast<size_t>(items.size()) + 1, -1);
    for (int i = 0; i < items.size(); ++i) {
      uint64_t id = items[i].id();
      if (id < dense_.size()) dense_[id] = i;
      else sparse_[id] = i;
    }
  }
  // -1 when no item has that id; the last one wins for duplicates.
  int Find(uint64_t id) const {
    if (id < dense_.size()) return dense_[id];
    auto it = sparse_.find(id);
    return it == sparse_.end() ? -1 : it->second;
  }

 private:
  std::vector<int> dense_;
  std::unordered_map<uint64_t, int> sparse_;
};

}  // namespace

ReadError ReadProfileProto(std::string_view data, const std::string& source, DumpSet* out) {
  out->source = source;
  out->bytes = data.size();
  std::string inflated;
  if (LooksLikeGzip(data)) {
    ReadError e = Gunzip(data, source, &inflated);
    if (e) return e;
    data = inflated;
  }
  // On an arena: a profile of millions of locations is millions of small
  // messages, and malloc/free of each one cost more than all the rest
  // (190 s for a 190 MB profile without, superlinear in its size).
  google::protobuf::Arena arena;
  auto& prof = *google::protobuf::Arena::CreateMessage<leakhound::pprof::Profile>(&arena);
  if (data.size() > INT32_MAX || !prof.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return Error(ReadErrorKind::kNoDump, source + ": not a pprof protobuf profile");
  const uint64_t data_size = data.size();
  // The parsed messages hold everything now; drop the inflated bytes.
  data = {};
  std::string().swap(inflated);
  const auto& strings = prof.string_table();
  auto str = [&](int64_t i) -> std::string_view {
    if (i < 0 || i >= strings.size()) return {};
    return strings[static_cast<int>(i)];
  };
  if (prof.sample_type_size() == 0)
    return Error(ReadErrorKind::kNoDump, source + ": protobuf profile without sample types");
  std::string_view type = str(prof.sample_type(0).type());
  bool leak_profile = type == "goroutineleak";
  if (type != "goroutine" && !leak_profile)
    return Error(ReadErrorKind::kNoDump,
                 source + ": a pprof \"" + std::string(type) +
                     "\" profile, not a goroutine profile");

  out->form = leak_profile ? "pprof-goroutineleak-proto" : "pprof-proto";
  out->snapshots.emplace_back();
  Snapshot& snap = out->snapshots.back();
  snap.source = source;
  snap.form = out->form;
  snap.kind = DumpKind::kStack;
  snap.capture_time_unix_ns = prof.time_nanos();
  snap.has_ids = snap.has_wait_reasons = snap.has_creators = false;
  if (leak_profile) snap.go_version.AtLeast(26);
  snap.notes.push_back(
      "pprof protobuf profile: no goroutine ids, wait reasons, wait times or creators; "
      "states are inferred from the runtime frames");

  const IdIndex functions(prof.function()), locations(prof.location());

  uint64_t total = 0;
  size_t bad_refs = 0;
  // A location may list many lines and a sample may name one location
  // many times, so a few KB can describe billions of frames. Each stack
  // keeps at most kMaxStackFrames, and all of them together at most what
  // an honest profile of this size could hold (a frame costs it at least
  // a byte of location_id), plus slack for inlining.
  const uint64_t frame_budget = 8 * data_size + (1u << 20);
  uint64_t frames_total = 0;
  size_t cut_samples = 0;
  for (const auto& sample : prof.sample()) {
    if (sample.value_size() == 0) continue;
    int64_t count = sample.value(0);
    if (count <= 0) continue;
    if (static_cast<uint64_t>(count) > kMaxAggregatedGoroutines - total)
      return Error(ReadErrorKind::kNoDump, source + ": goroutine counts add up to more than " +
                                               std::to_string(kMaxAggregatedGoroutines) +
                                               "; refusing the profile");
    Stack stack;
    bool cut = false;
    for (uint64_t loc_id : sample.location_id()) {
      if (stack.frames.size() >= kMaxStackFrames) {
        cut = true;
        break;
      }
      int loc_index = locations.Find(loc_id);
      if (loc_index < 0) {
        ++bad_refs;
        continue;
      }
      const auto& loc = prof.location(loc_index);
      for (int j = 0; j < loc.line_size() && stack.frames.size() < kMaxStackFrames; ++j) {
        const auto& line = loc.line(j);
        int fn_index = functions.Find(line.function_id());
        Frame f;
        if (fn_index < 0) {
          ++bad_refs;
          f.function = snap.strings().Intern("?");
          f.file = snap.strings().Intern("?");
        } else {
          const auto& fn = prof.function(fn_index);
          f.function = snap.strings().Intern(str(fn.name()));
          f.file = snap.strings().Intern(str(fn.filename()));
        }
        f.line = line.line() > 0 && line.line() < UINT32_MAX ? static_cast<uint32_t>(line.line()) : 0;
        f.inlined = j + 1 < loc.line_size();
        stack.frames.push_back(f);
      }
      if (loc.line_size() == 0) {
        Frame f;
        f.function = snap.strings().Intern("?");
        f.file = snap.strings().Intern("?");
        stack.frames.push_back(f);
      }
    }
    if (cut) ++cut_samples;
    frames_total += stack.frames.size();
    if (frames_total > frame_budget)
      return Error(ReadErrorKind::kNoDump,
                   source + ": samples expand to more than " + std::to_string(frame_budget) +
                       " frames, more than a profile of " + std::to_string(data_size) +
                       " bytes can honestly hold; refusing it (locations referenced over and over)");
    // The traceback never shows runtime.goexit; match it.
    while (!stack.frames.empty() && snap.str(stack.frames.back().function) == "runtime.goexit")
      stack.frames.pop_back();
    std::vector<std::string_view> fns;
    for (const Frame& f : stack.frames) fns.push_back(snap.str(f.function));
    Goroutine g;
    g.state = snap.strings().Intern(InferState(fns));
    if (leak_profile) g.flags |= kLeaked;
    g.stack = snap.AddStack(std::move(stack));
    LabelSet labels;
    for (const auto& l : sample.label())
      if (l.str() != 0)
        labels.emplace_back(snap.strings().Intern(str(l.key())), snap.strings().Intern(str(l.str())));
    std::sort(labels.begin(), labels.end());
    g.labels = labels.empty() ? 0 : snap.AddLabelSet(labels);
    for (uint64_t left = static_cast<uint64_t>(count); left > 0;) {
      g.count = static_cast<uint32_t>(std::min<uint64_t>(left, UINT32_MAX));
      snap.AddGoroutine(g);
      left -= g.count;
    }
    total += static_cast<uint64_t>(count);
  }
  if (cut_samples)
    out->warnings.push_back(source + ": " + std::to_string(cut_samples) + " sample" +
                            (cut_samples == 1 ? "" : "s") + " with more than " +
                            std::to_string(kMaxStackFrames) + " frames; only the first " +
                            std::to_string(kMaxStackFrames) + " kept");
  if (bad_refs)
    out->warnings.push_back(source + ": " + std::to_string(bad_refs) +
                            " sample references to missing locations or functions");
  return {};
}

}  // namespace leakhound
