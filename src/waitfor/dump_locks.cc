#include "waitfor/dump_locks.h"

#include <fmt/format.h>

#include "base/strings.h"

#include <algorithm>

#include "analyze/buckets.h"
#include "model/func_name.h"

namespace leakhound {

namespace {

// A mutex field sits within the first bytes of the struct it guards, in
// the common layout; farther than this, a pointer is taken for another
// object's.
constexpr uint64_t kStructSpan = 512;

bool Covers(uint64_t word, uint64_t mutex) {
  return word != 0 && word != kArgUnknown && word <= mutex && mutex - word < kStructSpan;
}

bool IsLockFrame(std::string_view fn) {
  return fn == "sync.(*Mutex).lockSlow" || fn == "internal/sync.(*Mutex).lockSlow" ||
         fn == "sync.(*Mutex).Lock" || fn == "internal/sync.(*Mutex).Lock";
}

}  // namespace

DumpLockIndex::DumpLockIndex(const Snapshot& s) : s_(s) {
  if (!s.has_ids) return;
  const std::vector<Goroutine>& gs = s.goroutines();
  // Per stack and per function name, not per goroutine: a million
  // goroutines share a few thousand stacks.
  std::vector<int> top_of(s.stacks().size(), -2);  // -2: not looked up yet
  auto top_user = [&](const Goroutine& g) {
    if (top_of[g.stack] == -2) top_of[g.stack] = TopUserFrame(s, s.stack_of(g));
    return top_of[g.stack];
  };
  std::vector<int8_t> stdlib(s.strings().size(), -1);
  auto is_stdlib = [&](Sym fn) {
    if (stdlib[fn] < 0) stdlib[fn] = ParseFuncName(s.str(fn)).stdlib ? 1 : 0;
    return stdlib[fn] == 1;
  };
  for (size_t i = 0; i < gs.size(); ++i) {
    std::string_view state = s.str(gs[i].state);
    if (state == "sync.RWMutex.RLock" || state == "sync.RWMutex.Lock" || state == "semacquire") {
      const Stack& st = s.stack_of(gs[i]);
      int top = top_user(gs[i]);
      for (int k = 0; top > 0 && k < top && k < 8; ++k) {
        std::string_view fn = s.str(st.frames[static_cast<size_t>(k)].function);
        bool read = fn == "sync.(*RWMutex).RLock";
        if (!read && fn != "sync.(*RWMutex).Lock") continue;
        // Receiver unknown ("0x...?", a register spill): 0, and the
        // caller of the same receiver type names the object instead.
        std::span<const uint64_t> w = s.ArgsOf(i, static_cast<size_t>(top));
        uint64_t recv = !w.empty() && w[0] != kArgUnknown ? w[0] : 0;
        if (recv != 0 || read) {
          rw_by_id_.emplace(gs[i].id, rw_waiters_.size());
          rw_waiters_.push_back({i, read, recv, top});
        }
        break;
      }
    }
    if (state != "sync.Mutex.Lock" && state != "semacquire") continue;
    const Stack& st = s.stack_of(gs[i]);
    for (size_t k = 0; k < st.frames.size() && k < 8; ++k) {
      if (!IsLockFrame(s.str(st.frames[k].function))) continue;
      std::span<const uint64_t> w = s.ArgsOf(i, k);
      if (w.empty() || w[0] == 0 || w[0] == kArgUnknown) continue;
      waiters_.push_back({gs[i].id, i, w[0]});
      break;
    }
  }
  if (waiters_.empty() && rw_waiters_.empty()) return;
  by_id_.reserve(waiters_.size());
  for (size_t w = 0; w < waiters_.size(); ++w) by_id_.emplace(waiters_[w].id, w);
  for (const FrameArgs& fa : s.frame_args()) {
    const Stack& st = s.stack_of(gs[fa.goroutine]);
    if (fa.frame >= st.frames.size() || is_stdlib(st.frames[fa.frame].function)) continue;
    for (uint64_t w : s.arg_words(fa))
      if (w != 0 && w != kArgUnknown) words_.emplace_back(w, fa.goroutine);
  }
  std::sort(words_.begin(), words_.end());
}

std::vector<size_t> DumpLockIndex::WorkingOn(uint64_t mutex, size_t limit) const {
  std::vector<size_t> out;
  uint64_t base = Nearest(mutex);
  if (base == 0) return out;
  for (auto it = std::lower_bound(words_.begin(), words_.end(), std::make_pair(base, size_t{0}));
       it != words_.end() && it->first == base && out.size() < limit; ++it)
    if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
  return out;
}

uint64_t DumpLockIndex::Nearest(uint64_t mutex) const {
  auto it = std::upper_bound(words_.begin(), words_.end(), std::make_pair(mutex, SIZE_MAX));
  if (it == words_.begin()) return 0;
  --it;
  return Covers(it->first, mutex) ? it->first : 0;
}

int DumpLockIndex::FrameOn(size_t index, uint64_t mutex, size_t from) const {
  // The struct's start is the nearest pointer below the mutex that any
  // frame shows: small objects sit side by side, and a pointer to the one
  // before is not a pointer to this one.
  uint64_t base = Nearest(mutex);
  if (base == 0) return -1;
  const Stack& st = s_.stack_of(s_.goroutines()[index]);
  for (size_t k = from; k < st.frames.size(); ++k) {
    if (ParseFuncName(s_.str(st.frames[k].function)).stdlib) continue;
    for (uint64_t w : s_.ArgsOf(index, k))
      if (w == base) return static_cast<int>(k);
  }
  return -1;
}

std::string DumpLockIndex::FrameName(size_t index, int k) const {
  const Frame& f = s_.stack_of(s_.goroutines()[index]).frames[static_cast<size_t>(k)];
  return fmt::format("{} ({}:{})", s_.str(f.function), BaseName(s_.str(f.file)), f.line);
}

std::string DumpLockIndex::RwRecursion(size_t index, uint64_t* writer) const {
  auto it = rw_by_id_.find(s_.goroutines()[index].id);
  if (it == rw_by_id_.end()) return {};
  const RwWaiter& r = rw_waiters_[it->second];
  if (!r.read) return {};
  const Stack& st = s_.stack_of(s_.goroutines()[index]);
  int caller = -1;
  uint64_t receiver = r.receiver;
  std::string type = ParseFuncName(s_.str(st.frames[static_cast<size_t>(r.top)].function)).receiver;
  for (size_t k = static_cast<size_t>(r.top) + 1; k < st.frames.size() && caller < 0; ++k) {
    FuncName fn = ParseFuncName(s_.str(st.frames[k].function));
    if (fn.stdlib) continue;
    std::span<const uint64_t> words = s_.ArgsOf(index, k);
    if (receiver == 0) {
      // The waiting method's receiver was not printed reliably: a caller
      // that is a method of the same pointer type names it.
      if (!type.empty() && type[0] == '*' && fn.receiver == type && !words.empty() &&
          words[0] != 0 && words[0] != kArgUnknown) {
        receiver = words[0];
        caller = static_cast<int>(k);
      }
      continue;
    }
    for (uint64_t w : words)
      if (w == receiver) caller = static_cast<int>(k);
  }
  if (caller < 0) return {};
  // A writer queued on a method of the same receiver. Bounded: a dump of
  // many RWMutex waiters asks at most a few hundred of them.
  size_t asked = 0;
  for (const RwWaiter& o : rw_waiters_) {
    if (++asked > 256) break;
    if (o.read || o.receiver != receiver) continue;
    *writer = s_.goroutines()[o.index].id;
    return fmt::format("RWMutex recursion shape, from the dump's addresses: goroutine {} waits "
                       "for a read lock in {} while its caller {} works on the same receiver "
                       "{:#x}, and goroutine {} waits to write-lock in {}: a read lock taken "
                       "again while a writer queues deadlocks both (--source proves it)",
                       s_.goroutines()[index].id, FrameName(index, r.top), FrameName(index, caller),
                       receiver, s_.goroutines()[o.index].id, FrameName(o.index, o.top));
  }
  return {};
}

std::vector<std::pair<std::string, double>> DumpLockIndex::For(const std::vector<uint64_t>& ids,
                                                               std::vector<ShapePeer>* with) const {
  std::vector<std::pair<std::string, double>> out;
  for (size_t k = 0; k < ids.size() && k < 8; ++k) {
    auto it = rw_by_id_.find(ids[k]);
    if (it == rw_by_id_.end()) continue;
    uint64_t writer = 0;
    std::string shape = RwRecursion(rw_waiters_[it->second].index, &writer);
    if (shape.empty()) continue;
    out.emplace_back(std::move(shape), 0.35);
    if (with) with->push_back({writer, "queued-writer"});
    return out;
  }
  // A bucket's goroutines share one stack: a few of them speak for all,
  // and a bucket of 100k lock waiters costs no more than one of 8. Only
  // the first kLook are looked up: a bucket of a million goroutines that
  // wait for no mutex costs no more than one of kLook.
  constexpr size_t kLook = 256;
  if (by_id_.empty()) return out;
  size_t asked = 0;
  for (size_t k = 0; k < ids.size() && k < kLook; ++k) {
    uint64_t id = ids[k];
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    if (++asked > 8) break;
    const Waiter& w = waiters_[it->second];
    const Stack& st = s_.stack_of(s_.goroutines()[w.index]);
    // AB-BA: another waiter wants a mutex of a struct this one works on,
    // and this one wants a mutex of a struct that one works on.
    for (size_t gi : WorkingOn(w.mutex, 64)) {
      auto oi = by_id_.find(s_.goroutines()[gi].id);
      if (oi == by_id_.end()) continue;
      const Waiter& o = waiters_[oi->second];
      if (o.id == w.id || o.mutex == w.mutex) continue;
      int mine = FrameOn(w.index, o.mutex, 0), theirs = FrameOn(o.index, w.mutex, 0);
      if (mine < 0 || theirs < 0) continue;
      out.emplace_back(
          fmt::format("AB-BA shape, from the dump's addresses: goroutine {} waits for mutex {:#x}, "
                      "in the struct goroutine {} works on in {}, while goroutine {} waits for "
                      "mutex {:#x}, in the struct this one works on in {}: each may hold what "
                      "the other wants (--source proves it)",
                      w.id, w.mutex, o.id, FrameName(o.index, theirs), o.id, o.mutex,
                      FrameName(w.index, mine)),
          0.5);
      if (with) with->push_back({o.id, "ab-ba"});
      return out;
    }
    // Double lock: a caller below the frame that locks works on the
    // mutex's struct, and no other goroutine does.
    int top = TopUserFrame(s_, st);
    if (top < 0) continue;
    int caller = FrameOn(w.index, w.mutex, static_cast<size_t>(top) + 1);
    if (caller < 0) continue;
    // Others on the struct count as possible holders unless they only
    // wait to lock that same mutex from their top frame, with no caller
    // of theirs on the struct: those have not got it.
    std::vector<size_t> on = WorkingOn(w.mutex, 64);
    bool mine_only = std::find(on.begin(), on.end(), w.index) != on.end() && on.size() < 64;
    size_t queued = 0;
    for (size_t gi : on) {
      if (!mine_only) break;
      if (gi == w.index) continue;
      auto oi = by_id_.find(s_.goroutines()[gi].id);
      int otop = TopUserFrame(s_, s_.stack_of(s_.goroutines()[gi]));
      bool only_waits = oi != by_id_.end() && waiters_[oi->second].mutex == w.mutex && otop >= 0 &&
                        FrameOn(gi, w.mutex, static_cast<size_t>(otop) + 1) < 0;
      if (only_waits) ++queued;
      else mine_only = false;
    }
    if (!mine_only) continue;  // another goroutine works on it and may hold it
    out.emplace_back(
        fmt::format("a caller on its own stack, {}, works on the struct that holds mutex {:#x}, "
                    "and {}: the holder is this goroutine (a double lock through a call) or "
                    "one that returned without unlocking (--source tells which)",
                    FrameName(w.index, caller), w.mutex,
                    queued == 0 ? std::string("no other goroutine's frames do")
                                : fmt::format("the {} other goroutine(s) on it only wait to lock "
                                              "it, at their top frame",
                                              queued)),
        0.35);
    return out;
  }
  return out;
}

}  // namespace leakhound
