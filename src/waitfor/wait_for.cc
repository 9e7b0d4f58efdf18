#include "waitfor/wait_for.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "analyze/buckets.h"
#include "analyze/lint_link.h"
#include "base/strings.h"
#include "model/func_name.h"

namespace leakhound {

const GoFile* GoSources::File(std::string_view path) {
  auto it = files_.find(path);
  if (it == files_.end()) {
    std::string_view text = view_ ? view_->Text(path) : std::string_view();
    std::unique_ptr<GoFile> f;
    if (!text.empty()) f = std::make_unique<GoFile>(std::string(path), std::string(text));
    it = files_.emplace(std::string(path), std::move(f)).first;
  }
  return it->second.get();
}

const LineLocks* GoSources::Locks(std::string_view path, uint32_t line) {
  auto key = std::make_pair(std::string(path), line);
  auto it = locks_.find(key);
  if (it != locks_.end()) return it->second.found ? &it->second : nullptr;
  // Each new line walks its function's syntax: a hostile dump naming
  // every line of a huge file gets facts for the first lines only.
  constexpr size_t kMaxLines = 20000;
  const GoFile* f = locks_.size() < kMaxLines ? File(path) : nullptr;
  LineLocks ll = f ? LocksAt(*f, line) : LineLocks{};
  it = locks_.emplace(std::move(key), std::move(ll)).first;
  return it->second.found ? &it->second : nullptr;
}

// A channel followed to the callers of its function in this file holds
// only if no other file of the package can call that function.
void GoSources::CheckPackage(std::string_view path, LocalWait* lw) {
  std::string why;
  if (!lw->blocker.empty() || lw->package_only.empty()) return;
  if (!view_ || view_->NamedNextTo(path, lw->package_only, &why))
    lw->blocker = fmt::format("{} returns the channel, and other code of its package may call it ({})",
                              lw->package_only, why.empty() ? "no source view" : why);
}

const LocalWait* GoSources::Local(std::string_view path, uint32_t line) {
  auto key = std::make_pair(std::string(path), line);
  auto it = local_.find(key);
  if (it != local_.end()) return it->second.found ? &it->second : nullptr;
  constexpr size_t kMaxLines = 20000;  // as for Locks
  const GoFile* f = local_.size() < kMaxLines ? File(path) : nullptr;
  LocalWait lw = f ? LocalWaitAt(*f, line) : LocalWait{};
  CheckPackage(path, &lw);
  it = local_.emplace(std::move(key), std::move(lw)).first;
  return it->second.found ? &it->second : nullptr;
}

const LocalWait* GoSources::Through(std::string_view path, uint32_t line, const LocalWait* wait) {
  auto key = std::make_tuple(std::string(path), line, wait);
  auto it = through_.find(key);
  if (it != through_.end()) return it->second.found ? &it->second : nullptr;
  constexpr size_t kMaxLines = 20000;  // as for Locks
  const GoFile* f = through_.size() < kMaxLines ? File(path) : nullptr;
  LocalWait lw = f ? LocalThroughGo(*f, line, *wait) : LocalWait{};
  CheckPackage(path, &lw);
  it = through_.emplace(std::move(key), std::move(lw)).first;
  return it->second.found ? &it->second : nullptr;
}

std::string DescribeLock(const LockUse& use) {
  if (use.lock.base == 0) return use.expr;
  return fmt::format("{} of {:#x}", use.expr, use.lock.base);
}

namespace {

// "(*List[...]).Push" -> "(*List).Push": the source's name drops the
// type parameters the runtime prints as "[...]".
std::string WithoutTypeArgs(std::string s) {
  for (size_t at; (at = s.find("[...]")) != std::string::npos;) s.erase(at, 5);
  return s;
}

// The method or function name a caller's call expression uses.
std::string_view CalleeName(std::string_view decl) {
  size_t dot = decl.rfind('.');
  return dot == std::string_view::npos ? decl : decl.substr(dot + 1);
}

// Parked taking a lock: the sync frame says which kind.
// The states a goroutine waiting in Lock or RLock shows.
bool WaitsForLockState(std::string_view state) {
  return state == "sync.Mutex.Lock" || state == "sync.RWMutex.Lock" ||
         state == "sync.RWMutex.RLock" || state == "semacquire";
}

bool WaitsForLock(const Snapshot& s, const Goroutine& g, int top_user, bool* read) {
  if (!WaitsForLockState(s.str(g.state))) return false;
  const Stack& st = s.stack_of(g);
  for (int i = 0; i < top_user && i < static_cast<int>(st.frames.size()); ++i) {
    std::string_view fn = s.str(st.frames[static_cast<size_t>(i)].function);
    if (fn == "sync.(*RWMutex).RLock") {
      *read = true;
      return true;
    }
    if (fn == "sync.(*RWMutex).Lock" || fn == "sync.(*Mutex).Lock") {
      *read = false;
      return true;
    }
  }
  return false;
}

// What one goroutine's frames say, resolved to objects.
class FrameReader {
 public:
  FrameReader(const Snapshot& s, size_t index, const std::vector<const LineLocks*>& facts)
      : s_(s), index_(index), st_(s.stack_of(s.goroutines()[index])), facts_(facts) {}

  // The value of `name` (a parameter) in frame k, following it up the
  // call chain while frames print it as unknown ("0x0?", inlined).
  std::optional<uint64_t> Value(size_t k, std::string_view name, int depth = 0) const {
    const LineLocks* ll = facts_[k];
    if (!ll || depth > 16) return std::nullopt;
    auto p = std::find(ll->params.begin(), ll->params.end(), name);
    if (p == ll->params.end() || name.empty() || name == "_") return std::nullopt;
    size_t pi = static_cast<size_t>(p - ll->params.begin());
    std::span<const uint64_t> words = s_.ArgsOf(index_, k);
    if (pi < words.size() && words[pi] != kArgUnknown && words[pi] != 0) return words[pi];
    if (k + 1 >= facts_.size() || !facts_[k + 1] || ll->function.empty()) return std::nullopt;
    bool method = ll->function.find('.') != std::string::npos;  // "(*T).M", "T.M"
    std::string_view callee = CalleeName(ll->function);
    std::optional<std::string> passed;
    for (const CallAt& c : facts_[k + 1]->calls) {
      if (c.callee != callee) continue;
      std::string e = !method ? (pi < c.args.size() ? c.args[pi] : "")
                      : pi == 0 ? c.receiver
                                : (pi - 1 < c.args.size() ? c.args[pi - 1] : "");
      if (passed && *passed != e) return std::nullopt;  // two calls, two meanings
      passed = e;
    }
    if (!passed || passed->empty()) return std::nullopt;
    return Value(k + 1, *passed, depth + 1);
  }

  std::optional<LockId> Lock(size_t k, const LockExpr& e, GoSources& sources) const {
    if (std::optional<uint64_t> v = Value(k, e.base)) return LockId{*v, e.path};
    const Frame& f = st_.frames[k];
    const GoFile* file = sources.File(s_.str(f.file));
    if (file && IsPackageVar(*file, e.base))
      return LockId{0, std::string(PackageOf(s_.str(f.function))) + "." + e.base + e.path};
    // Anything else (a local, a parameter the dump lost) is the same
    // object only within this frame: it can close a cycle of one frame
    // with itself (`mu.Lock(); mu.Lock()`), never match another's.
    if (!e.base.empty())
      return LockId{0, fmt::format("{}{} (in frame {} of goroutine {})", e.base, e.path, k,
                                   s_.goroutines()[index_].id)};
    return std::nullopt;
  }

  LockUse Use(size_t k, const LockExpr& e, LockId id) const {
    LockUse u;
    u.lock = std::move(id);
    u.expr = e.base + e.path;
    u.read = e.read;
    u.frame = k;
    u.file = s_.str(st_.frames[k].file);
    u.line = e.line;
    // A method's receiver: "(*Clock).Now" with base "c" == params[0].
    const LineLocks* ll = facts_[k];
    std::string_view fn = ll ? std::string_view(ll->function) : std::string_view();
    size_t dot = fn.rfind('.');
    if (ll && dot != std::string_view::npos && !ll->params.empty() && ll->params[0] == e.base &&
        !e.base.empty()) {
      std::string_view type = fn.substr(0, dot);
      if (type.starts_with("(*") && type.ends_with(")")) type = type.substr(2, type.size() - 3);
      u.type_key = std::string(PackageOf(s_.str(st_.frames[k].function))) + "." +
                   WithoutTypeArgs(std::string(type)) + e.path;
    }
    return u;
  }

 private:
  const Snapshot& s_;
  size_t index_;
  const Stack& st_;
  const std::vector<const LineLocks*>& facts_;
};

// Per stack: each frame's source facts, or nullptr (not the user's, not
// found); `stale` when a frame's source names another function than the
// dump, so nothing read there can be trusted.
struct StackFacts {
  std::vector<const LineLocks*> frames;
  bool stale = false;
  bool releases_while_waiting = false;  // sync.Cond.Wait gives its lock back
  bool any = false;                     // some frame's line takes or holds a lock
  int top = -1;                         // TopUserFrame
};

StackFacts FactsOf(const Snapshot& s, const Stack& st, GoSources& sources) {
  StackFacts out;
  out.frames.assign(st.frames.size(), nullptr);
  for (size_t k = 0; k < st.frames.size(); ++k) {
    const Frame& f = st.frames[k];
    std::string_view fn = s.str(f.function);
    if (fn == "sync.(*Cond).Wait") out.releases_while_waiting = true;
    if (ParseFuncName(fn).stdlib || f.line == 0) continue;
    const LineLocks* ll = sources.Locks(s.str(f.file), f.line);
    if (!ll) continue;
    std::string decl = WithoutTypeArgs(DeclarationOf(fn));
    bool literal = ll->function.empty();
    bool named_here = !literal && WithoutTypeArgs(ll->function) == decl;
    bool is_closure = fn.find(".func") != std::string_view::npos ||
                      fn.find(".gowrap") != std::string_view::npos;
    if (literal ? !is_closure : !named_here) {
      out.stale = true;
      return out;
    }
    out.frames[k] = ll;
    out.any = true;
  }
  out.top = TopUserFrame(s, st);
  return out;
}

}  // namespace

WaitForGraph BuildWaitFor(const Snapshot& s, GoSources& sources) {
  WaitForGraph g;
  const std::vector<Goroutine>& gs = s.goroutines();
  // Nothing waits for a lock: no edge can exist.
  bool any = false;
  for (const Goroutine& x : gs) {
    std::string_view st = s.str(x.state);
    any = any || st == "sync.Mutex.Lock" || st.starts_with("sync.RWMutex.") || st == "semacquire";
    if (any) break;
  }
  if (!any || !s.has_ids) return g;

  // Facts per stack, read once; a goroutine whose stack has no line that
  // takes or holds a lock is passed over without looking at its frames.
  std::vector<std::optional<StackFacts>> stack_facts(s.stacks().size());
  std::map<LockId, std::vector<std::pair<size_t, size_t>>> holders;  // -> (node, hold)
  std::map<std::string, std::vector<std::pair<size_t, size_t>>> holders_of_type;
  for (size_t i = 0; i < gs.size(); ++i) {
    const Goroutine& x = gs[i];
    const Stack& st = s.stack_of(x);
    std::optional<StackFacts>& cached = stack_facts[x.stack];
    if (!cached) cached = FactsOf(s, st, sources);
    const StackFacts& facts = *cached;
    if (facts.stale) continue;
    if (!facts.any) continue;  // neither holds nor (on a line we read) takes a lock
    FrameReader r(s, i, facts.frames);
    GoroutineLocks node;
    node.id = x.id;
    node.index = i;
    if (!facts.releases_while_waiting) {
      // Outermost first: a callee's Unlock releases what a caller took.
      for (size_t k = st.frames.size(); k-- > 0;) {
        const LineLocks* ll = facts.frames[k];
        if (!ll) continue;
        for (const LockExpr& rel : ll->released) {
          std::optional<LockId> id = r.Lock(k, rel, sources);
          std::erase_if(node.holds, [&](const LockUse& h) {
            return h.read == rel.read && (id ? h.lock == *id : h.lock.path == rel.path);
          });
        }
        for (const LockExpr& h : ll->held)
          if (std::optional<LockId> id = r.Lock(k, h, sources)) node.holds.push_back(r.Use(k, h, *id));
      }
    }
    int top = facts.top;
    bool read = false;
    if (top >= 0 && WaitsForLock(s, x, top, &read)) {
      const LineLocks* ll = facts.frames[static_cast<size_t>(top)];
      if (ll && ll->acquires && ll->acquires->read == read) {
        if (std::optional<LockId> id = r.Lock(static_cast<size_t>(top), *ll->acquires, sources)) {
          node.wants = r.Use(static_cast<size_t>(top), *ll->acquires, *id);
        } else if (LockUse u = r.Use(static_cast<size_t>(top), *ll->acquires, LockId{});
                   !u.type_key.empty()) {
          u.known = false;  // the dump printed the receiver as "0x0?"
          node.wants = std::move(u);
        }
      }
    }
    if (!node.wants && node.holds.empty()) continue;
    size_t at = g.goroutines.size();
    for (size_t h = 0; h < node.holds.size(); ++h) {
      holders[node.holds[h].lock].emplace_back(at, h);
      if (!node.holds[h].type_key.empty()) holders_of_type[node.holds[h].type_key].emplace_back(at, h);
    }
    g.by_id.emplace(node.id, at);
    g.goroutines.push_back(std::move(node));
  }

  // Edges: each waiter to whoever keeps it from its lock.
  std::map<LockId, std::vector<size_t>> writers_waiting;
  for (size_t n = 0; n < g.goroutines.size(); ++n)
    if (g.goroutines[n].wants && !g.goroutines[n].wants->read)
      writers_waiting[g.goroutines[n].wants->lock].push_back(n);
  std::unordered_map<uint64_t, std::vector<size_t>> out;  // waiter id -> edges
  for (size_t n = 0; n < g.goroutines.size(); ++n) {
    const GoroutineLocks& w = g.goroutines[n];
    if (!w.wants) continue;
    if (!w.wants->known) {
      // Only the type is known: name the holder when exactly one other
      // goroutine holds that field of that type, and say it is a guess.
      auto it = holders_of_type.find(w.wants->type_key);
      if (it == holders_of_type.end()) continue;
      const std::pair<size_t, size_t>* only = nullptr;
      bool several = false;
      for (const auto& hh : it->second) {
        const LockUse& held = g.goroutines[hh.first].holds[hh.second];
        if (hh.first == n || (w.wants->read && held.read)) continue;
        several = several || (only && only->first != hh.first);
        only = &hh;
      }
      if (only && !several) {
        WaitEdge e{w.id, g.goroutines[only->first].id, *w.wants,
                   g.goroutines[only->first].holds[only->second]};
        e.probable = true;
        g.edges.push_back(std::move(e));  // not in `out`: no cycle runs through a guess
      }
      continue;
    }
    bool writer_holds = false;
    if (auto it = holders.find(w.wants->lock); it != holders.end())
      for (auto [hn, hi] : it->second) {
        const LockUse& held = g.goroutines[hn].holds[hi];
        if (w.wants->read && held.read) continue;  // readers share
        writer_holds = writer_holds || !held.read;
        out[w.id].push_back(g.edges.size());
        g.edges.push_back({w.id, g.goroutines[hn].id, *w.wants, held});
      }
    // An RLock waits while a writer is queued (RWMutex lets no new reader
    // in then), and that writer waits for the readers already in.
    if (w.wants->read && !writer_holds)
      if (auto it = writers_waiting.find(w.wants->lock); it != writers_waiting.end())
        for (size_t qn : it->second) {
          out[w.id].push_back(g.edges.size());
          g.edges.push_back({w.id, g.goroutines[qn].id, *w.wants, std::nullopt});
        }
  }

  // Cycles: every waiter needs all of its edges cleared, so any cycle is
  // for good. Walk from each waiter not yet placed; a walk that meets
  // its own path closes a cycle.
  // Iterative, so a long chain of waiters in a hostile dump cannot
  // overflow the stack.
  std::unordered_map<uint64_t, int> state;  // 1 on the path, 2 done
  std::vector<size_t> path;                 // edge indices
  std::vector<std::pair<uint64_t, size_t>> walk;  // goroutine, next edge to try
  for (const GoroutineLocks& start : g.goroutines) {
    if (!start.wants || state[start.id] != 0) continue;
    walk.push_back({start.id, 0});
    state[start.id] = 1;
    while (!walk.empty()) {
      auto& [id, next_edge] = walk.back();
      auto it = out.find(id);
      if (it == out.end() || next_edge >= it->second.size()) {
        state[id] = 2;
        walk.pop_back();
        if (!path.empty()) path.pop_back();
        continue;
      }
      size_t e = it->second[next_edge++];
      uint64_t next = g.edges[e].holder;
      int& seen = state[next];
      if (seen == 1 && !g.cycle_of.count(next)) {
        path.push_back(e);
        size_t from = path.size();
        while (from > 0 && g.edges[path[from - 1]].waiter != next) --from;
        if (from > 0) --from;
        WaitCycle c;
        for (size_t k = from; k < path.size(); ++k) c.edges.push_back(g.edges[path[k]]);
        for (const WaitEdge& ce : c.edges) g.cycle_of.emplace(ce.waiter, g.cycles.size());
        g.cycles.push_back(std::move(c));
        path.pop_back();
      } else if (seen == 0) {
        seen = 1;
        path.push_back(e);
        walk.push_back({next, 0});
      }
    }
  }

  // Behind a cycle: a waiter whose lock a goroutine that can never move
  // holds (or, for an RLock, is queued for) can never move either.
  // Breadth first from the cycles, along the edges backwards; guesses by
  // type (probable edges) prove nothing and are not followed.
  std::unordered_map<uint64_t, std::vector<size_t>> into;  // holder id -> edges
  for (size_t e = 0; e < g.edges.size(); ++e)
    if (!g.edges[e].probable) into[g.edges[e].holder].push_back(e);
  std::vector<uint64_t> stuck;
  for (const auto& [id, c] : g.cycle_of) stuck.push_back(id);
  std::sort(stuck.begin(), stuck.end());  // a stable order of discovery
  for (size_t q = 0; q < stuck.size(); ++q) {
    auto it = into.find(stuck[q]);
    if (it == into.end()) continue;
    for (size_t e : it->second) {
      uint64_t w = g.edges[e].waiter;
      if (g.cycle_of.count(w) || g.behind.count(w)) continue;
      g.behind.emplace(w, e);
      stuck.push_back(w);
    }
  }

  for (WaitCycle& c : g.cycles) {
    bool rwr = false;
    for (const WaitEdge& e : c.edges) {
      const GoroutineLocks& w = *g.Find(e.waiter);
      if (!e.held && std::any_of(w.holds.begin(), w.holds.end(), [&](const LockUse& h) {
            return h.read && h.lock == e.wanted.lock;
          }))
        rwr = true;
    }
    c.pattern = rwr ? "rwmutex-recursive-read"
                : c.edges.size() == 1 ? "mutex-held"
                                      : "lock-order-inversion";
    auto where = [](uint64_t, const LockUse& u) { return fmt::format("{}:{}", BaseName(u.file), u.line); };
    std::string text;
    // A person reads a dozen steps; a hostile ring of thousands stays one
    // line of bounded length.
    constexpr size_t kShownSteps = 12;
    for (const WaitEdge& e : c.edges) {
      if (&e - c.edges.data() == static_cast<long>(kShownSteps)) {
        text += fmt::format("; and {} more goroutine(s) the same way", c.edges.size() - kShownSteps);
        break;
      }
      if (!text.empty()) text += "; ";
      text += fmt::format("goroutine {} waits at {} to {} {}", e.waiter, where(e.waiter, e.wanted),
                          e.wanted.read ? "read-lock" : "lock", DescribeLock(e.wanted));
      if (e.waiter == e.holder && e.held)
        text += fmt::format(", which it took itself at {} and still holds", where(e.holder, *e.held));
      else if (e.held && e.held->expr != e.wanted.expr)  // the holder's frame calls it otherwise
        text += fmt::format(", which goroutine {} holds (as {}, taken at {})", e.holder, e.held->expr,
                            where(e.holder, *e.held));
      else if (e.held)
        text += fmt::format(", which goroutine {} holds since {}", e.holder, where(e.holder, *e.held));
      else
        text += fmt::format(", behind goroutine {}, a writer queued for it (no new reader gets in "
                            "while a writer waits)",
                            e.holder);
    }
    c.text = text + (c.edges.size() == 1 ? ": it waits for itself, for good."
                                         : ": each waits for the next and the last for the "
                                           "first, so none can ever go on.");
  }
  return g;
}

}  // namespace leakhound
