// FindNobodyLeft (see nobody_left.h). Three passes over the snapshot:
// the wait of each parked goroutine's top user frame (from the source,
// per stack), the functions those waits are local to, and then each
// goroutine with a frame in one of those functions, which either joins
// the function's stuck set or shows that someone is left.
#include "waitfor/nobody_left.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyze/buckets.h"
#include "base/strings.h"

namespace leakhound {

const StuckComponent* NobodyLeft::For(const std::vector<uint64_t>& ids, uint32_t stack) const {
  for (uint64_t id : ids) {
    auto it = of.find(id);
    if (it != of.end()) return &components[it->second];
  }
  auto it = of_stack.find(stack);
  return it == of_stack.end() ? nullptr : &components[it->second];
}

namespace {

constexpr size_t kMaxListed = 64;

// "main.(*Client).Profile.func1" runs code of "(*Client).Profile": the
// name after its package, then the end or a closure's suffix. A frame in
// the right lines under another name means the source is not the one
// that was built.
bool RunsCodeOf(std::string_view fn, std::string_view scope) {
  std::string clean(fn);
  for (size_t at; (at = clean.find("[...]")) != std::string::npos;) clean.erase(at, 5);
  for (size_t from = 0;;) {
    size_t at = clean.find(scope, from);
    if (at == std::string::npos || scope.empty()) return false;
    size_t end = at + scope.size();
    bool left = at > 0 && clean[at - 1] == '.';
    bool right = end == clean.size() || clean[end] == '.';
    if (left && right) return true;
    from = at + 1;
  }
}

// Whether the goroutine's state is the wait the line holds: parked, and
// on that operation (a WaitGroup wait shows the sync frame above the
// user's; Go 1.19 says only "semacquire").
bool StateFits(const Snapshot& s, const Goroutine& g, const Stack& st, int top, const LocalWait& w) {
  std::string_view state = s.str(g.state);
  auto starts = [&](std::string_view p) { return state.substr(0, p.size()) == p; };
  if (w.op == "Cond.Wait") {
    if (state != "sync.Cond.Wait" && state != "semacquire") return false;
    return top > 0 && s.str(st.frames[static_cast<size_t>(top) - 1].function) == "sync.(*Cond).Wait";
  }
  if (w.op == "WaitGroup.Wait") {
    if (state != "semacquire" && state != "sync.WaitGroup.Wait") return false;
    return top > 0 && s.str(st.frames[static_cast<size_t>(top) - 1].function) == "sync.(*WaitGroup).Wait";
  }
  bool send = starts("chan send"), recv = starts("chan receive");
  if (w.op == "send") return send;
  if (w.op == "receive" || w.op == "range") return recv;
  return state == "select" || send || recv;  // one-case selects compile to the operation
}

struct Candidate {
  const LocalWait* wait = nullptr;   // at the goroutine's own line
  const LocalWait* local = nullptr;  // whose objects and scope: `wait`, or read through its go
  std::string file;
  uint32_t line = 0;
  std::string home;  // file of `local`'s scope
};

struct Scope {
  const LocalWait* wait;  // any of the waits local to it (for its name and lines)
  std::string file;
  bool alive = false;  // someone running its code can still move
  std::vector<size_t> stuck;  // goroutine indices
};

}  // namespace

NobodyLeft FindNobodyLeft(const Snapshot& s, GoSources& sources) {
  NobodyLeft out;
  const auto& gs = s.goroutines();
  // The whole process, goroutine by goroutine, with states the runtime
  // wrote: a traceback form. Any stack shown in part could hide a frame.
  for (const Goroutine& g : gs)
    if (g.id == 0) return out;
  for (const Stack& st : s.stacks())
    if (st.cut || st.unavailable || st.elided_frames > 0 || st.elided_unknown) return out;
  if (s.kind != DumpKind::kStack && gs.size() < 2) return out;

  // 1. Per stack, the local wait of its top user frame. A wait on the
  // parameters of the function the goroutine was started with is read
  // through the `go` statement that started it (its "created by" line).
  std::vector<std::optional<Candidate>> cand(s.stacks().size());
  std::vector<bool> asked(s.stacks().size());
  for (const Goroutine& g : gs) {
    if (asked[g.stack]) continue;
    asked[g.stack] = true;
    const Stack& st = s.stack_of(g);
    int top = TopUserFrame(s, st);
    if (top < 0) continue;
    const Frame& f = st.frames[static_cast<size_t>(top)];
    std::string file(s.str(f.file));
    const LocalWait* w = sources.Local(file, f.line);
    if (!w || !w->blocker.empty() || !RunsCodeOf(s.str(f.function), w->scope)) continue;
    const LocalWait* local = w;
    if (!w->objects.empty() && w->objects.front().param >= 0) {
      bool entry = static_cast<size_t>(top) + 1 == st.frames.size() && st.has_creator;
      local = entry ? sources.Through(s.str(st.creator.file), st.creator.line, w) : nullptr;
      if (!local || !local->blocker.empty() ||
          !RunsCodeOf(s.str(st.creator.function), local->scope))
        continue;
    }
    std::string home = local == w ? file : std::string(s.str(st.creator.file));
    cand[g.stack] = Candidate{w, local, std::move(file), f.line, std::move(home)};
  }

  // 2. The functions those waits are local to, and the code that can
  // reach their objects, by file.
  struct Range {
    uint32_t first, last;
    std::string name, why;
    Scope* scope;
  };
  std::map<std::tuple<std::string, uint32_t>, Scope> scopes;
  std::map<std::string, std::vector<Range>, std::less<>> by_file;
  for (const auto& c : cand) {
    if (!c) continue;
    const std::string& home = c->home;
    auto [it, fresh] = scopes.try_emplace({home, c->local->scope_first}, Scope{c->local, home, false, {}});
    Scope* scope = &it->second;
    std::vector<Range>& ranges = by_file[home];
    auto add = [&](uint32_t first, uint32_t last, const std::string& name, const std::string& why) {
      for (const Range& r : ranges)
        if (r.scope == scope && r.first == first) return;
      ranges.push_back({first, last, name, why, scope});
    };
    if (fresh) add(c->local->scope_first, c->local->scope_last, c->local->scope, "");
    for (const ScopeRange& r : c->local->also) add(r.first, r.last, r.name, r.why);
  }
  if (scopes.empty()) return out;

  // 3. Everyone running those functions' code. Which scopes a stack runs
  // is the same for all its goroutines: looked up once per stack.
  std::vector<std::vector<Scope*>> runs_of(s.stacks().size());
  std::vector<int> top_of(s.stacks().size(), -2);  // -2: not looked up yet
  for (size_t gi = 0; gi < gs.size(); ++gi) {
    const Goroutine& g = gs[gi];
    const Stack& st = s.stack_of(g);
    std::vector<Scope*>& runs = runs_of[g.stack];
    if (top_of[g.stack] == -2) {
      top_of[g.stack] = TopUserFrame(s, st);
      for (const Frame& f : st.frames) {
        auto fit = by_file.find(s.str(f.file));
        if (fit == by_file.end()) continue;
        for (const Range& r : fit->second) {
          if (f.line < r.first || f.line > r.last) continue;
          Scope* sc = r.scope;
          if (!RunsCodeOf(s.str(f.function), r.name)) sc->alive = true;  // stale source
          if (std::find(runs.begin(), runs.end(), sc) == runs.end()) runs.push_back(sc);
        }
      }
    }
    if (runs.empty()) continue;
    const std::optional<Candidate>& c = cand[g.stack];
    int top = top_of[g.stack];
    for (Scope* sc : runs) {
      bool stuck = c && c->home == sc->file && c->local->scope_first == sc->wait->scope_first &&
                   StateFits(s, g, st, top, *c->wait);
      if (stuck) sc->stuck.push_back(gi);
      else sc->alive = true;
    }
  }

  for (auto& [key, sc] : scopes) {
    if (sc.alive || sc.stuck.empty()) continue;
    StuckComponent comp;
    comp.scope = sc.wait->scope;
    comp.file = sc.file;
    comp.first = sc.wait->scope_first;
    comp.last = sc.wait->scope_last;
    std::vector<std::string> objects;
    for (size_t gi : sc.stuck) {
      const Goroutine& g = gs[gi];
      comp.goroutines += g.count;
      const Candidate& c = *cand[g.stack];
      for (const LocalObject& o : c.local->objects) {
        std::string d = fmt::format("{} ({}, declared at line {})", o.name, o.kind, o.declared);
        if (std::find(objects.begin(), objects.end(), d) == objects.end()) objects.push_back(d);
      }
      if (comp.members.size() >= kMaxListed) continue;
      StuckWait m;
      m.goroutine = g.id;
      m.count = g.count;
      m.state = s.str(g.state);
      m.file = c.file;
      m.line = c.line;
      m.op = c.wait->op;
      for (const LocalObject& o : c.wait->objects) m.objects.push_back(o.name);
      comp.members.push_back(std::move(m));
    }
    std::string listed;
    for (size_t i = 0; i < comp.members.size() && i < 12; ++i) {
      const StuckWait& m = comp.members[i];
      listed += fmt::format("{}goroutine {} [{}] at {}:{} ({} {})", i ? "; " : "", m.goroutine,
                            m.state, BaseName(m.file), m.line, m.op, fmt::join(m.objects, ", "));
    }
    if (comp.members.size() > 12) listed += fmt::format("; and {} more", comp.goroutines - 12);
    std::string what = fmt::format(
        "{}", fmt::join(objects.begin(),
                        objects.begin() + static_cast<long>(std::min<size_t>(objects.size(), 8)), ", "));
    std::string shared;  // the functions a go statement hands the objects to, or callers they return to
    for (const Range& r : by_file[sc.file])
      if (r.scope == &sc && r.name != comp.scope)
        shared += fmt::format("{}{} ({})", shared.empty() ? "" : ", ", r.name, r.why);
    comp.shared = !shared.empty();
    bool one = objects.size() == 1;
    comp.text = fmt::format(
        "{} never leave{} {}{}; every goroutine running that code is parked on {} "
        "({}: {}), none running, runnable, sleeping, in a syscall or on a timer: nobody is left "
        "to wake {}",
        what, one ? "s" : "",
        sc.wait->literal ? fmt::format("the func literal at {}:{}-{} in {}", BaseName(comp.file),
                                       comp.first, comp.last, comp.scope)
                         : fmt::format("{} ({}:{}-{})", comp.scope, BaseName(comp.file), comp.first,
                                       comp.last),
        shared.empty() ? "" : fmt::format(" and the code that shares {}: {}", one ? "it" : "them", shared),
        one ? "it" : "them", comp.goroutines, listed, comp.goroutines == 1 ? "it" : "them");
    size_t index = out.components.size();
    for (size_t gi : sc.stuck) {
      out.of[gs[gi].id] = index;
      out.of_stack.emplace(gs[gi].stack, index);
    }
    out.components.push_back(std::move(comp));
  }
  return out;
}

}  // namespace leakhound
