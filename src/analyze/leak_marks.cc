#include "analyze/leak_marks.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace leakhound {

namespace {

using Key = std::vector<std::pair<std::string, uint32_t>>;

Key StackKey(const Snapshot& s, const Stack& st) {
  size_t i = 0;
  while (i < st.frames.size() && s.str(st.frames[i].function).starts_with("runtime.")) ++i;
  if (i == st.frames.size()) i = 0;  // all runtime: keep them
  Key k;
  for (; i < st.frames.size(); ++i)
    k.emplace_back(std::string(s.str(st.frames[i].function)), st.frames[i].line);
  while (!k.empty() && k.back().first == "runtime.goexit") k.pop_back();
  return k;
}

Sym Copy(const Snapshot& from, Sym sym, Snapshot* to) {
  return to->strings().Intern(from.str(sym));
}

Frame CopyFrame(const Snapshot& from, const Frame& f, Snapshot* to) {
  Frame c = f;
  c.function = Copy(from, f.function, to);
  c.file = Copy(from, f.file, to);
  return c;
}

}  // namespace

Snapshot WithLeakMarks(const Snapshot& full, const Snapshot& leak_subset, MarkTransfer* stats) {
  MarkTransfer local;
  MarkTransfer& st = stats ? *stats : local;
  st = {};
  std::map<Key, uint64_t> left;  // marked goroutines per stack, not yet given out
  for (const Goroutine& g : leak_subset.goroutines())
    left[StackKey(leak_subset, leak_subset.stack_of(g))] += g.count;

  Snapshot out;
  out.source = full.source;
  out.form = full.form;
  out.kind = full.kind;
  out.preamble = full.preamble;
  out.capture_time_unix_ns = full.capture_time_unix_ns;
  out.go_version = full.go_version;
  out.truncated = full.truncated;
  out.notes = full.notes;
  out.has_ids = full.has_ids;
  out.has_wait_reasons = full.has_wait_reasons;
  out.has_creators = full.has_creators;
  out.ReserveGoroutines(full.goroutines().size());

  std::vector<int64_t> stack_map(full.stacks().size(), -1);
  std::vector<Key> keys(full.stacks().size());
  std::vector<bool> keyed(full.stacks().size(), false);
  std::vector<int64_t> label_map(full.label_sets().size(), -1);
  for (const Goroutine& g : full.goroutines()) {
    Goroutine c = g;
    if (stack_map[g.stack] < 0) {
      const Stack& s = full.stacks()[g.stack];
      Stack copy = s;
      for (Frame& f : copy.frames) f = CopyFrame(full, f, &out);
      if (s.has_creator) copy.creator = CopyFrame(full, s.creator, &out);
      stack_map[g.stack] = out.AddStack(std::move(copy));
    }
    c.stack = static_cast<uint32_t>(stack_map[g.stack]);
    c.state = Copy(full, g.state, &out);
    if (g.labels != 0) {
      if (label_map[g.labels] < 0) {
        LabelSet ls;
        for (const auto& [k, v] : full.label_sets()[g.labels])
          ls.emplace_back(Copy(full, k, &out), Copy(full, v, &out));
        label_map[g.labels] = out.AddLabelSet(std::move(ls));
      }
      c.labels = static_cast<uint32_t>(label_map[g.labels]);
    }
    if (!keyed[g.stack]) {
      keys[g.stack] = StackKey(full, full.stacks()[g.stack]);
      keyed[g.stack] = true;
    }
    auto it = left.find(keys[g.stack]);
    if (g.has(kLeaked)) {
      // Marked already (a dump taken after a goroutineleak fetch): the
      // same mark, counted once.
      if (it != left.end()) it->second -= std::min<uint64_t>(it->second, g.count);
      st.marked += g.count;
    } else {
      if (it != left.end() && it->second > 0) {
        uint64_t n = std::min<uint64_t>(it->second, g.count);
        it->second -= n;
        st.marked += n;
        if (n < g.count) {  // part of an aggregated record: split it
          Goroutine rest = c;
          rest.count = g.count - static_cast<uint32_t>(n);
          // A folded run of ids (Snapshot::TryExtendLast): the first n
          // stay with c, the rest go on from there.
          if (full.has_ids) rest.id = g.id + n;
          out.AddGoroutine(rest);
          c.count = static_cast<uint32_t>(n);
        }
        c.flags |= kLeaked;
      }
    }
    out.AddGoroutine(c);
  }
  for (const auto& [key, n] : left) st.unmatched += n;
  out.notes.push_back(fmt::format(
      "marks from the goroutineleak profile {}: {} goroutine(s) marked (leaked){}", leak_subset.source,
      st.marked,
      st.unmatched ? fmt::format(", {} marked goroutine(s) not found here (not the same moment?)",
                                 st.unmatched)
                   : std::string()));
  return out;
}

}  // namespace leakhound
