// chan-send-blocked in source: a function makes a channel, launches a
// goroutine (`go func(){ ... ch <- v }()`) that sends its result on it,
// and can stop listening before that send happens:
//   - it returns between the launch and the receive (an error path);
//   - it receives in a select whose other case is a timeout, ctx.Done()
//     or default, and gives up there;
//   - it launches senders in a loop (or several of them) and receives
//     fewer times (first result wins).
// The sender then blocks forever. Only channels whose every use is
// visible are judged: a channel passed to a named function, stored,
// returned or closed is skipped, as are buffered channels big enough for
// every sender.
#include <cstdlib>
#include <string>

#include "lint/rule.h"
#include "lint/scope.h"

namespace leakhound {

namespace {

// `<-time.After(d)`, `<-ctx.Done()`, `<-t.C`, `<-timer.C`: a case that
// fires without the sender.
bool IsGiveUpCase(const GoFile& f, TSNode c) {
  if (GoFile::Is(c, "default_case")) return true;
  if (!GoFile::Is(c, "communication_case")) return false;
  TSNode comm = GoFile::Field(c, "communication");
  std::string_view t = f.Text(comm);
  return t.find("time.After(") != std::string_view::npos || t.find(".Done()") != std::string_view::npos ||
         t.ends_with(".C") || t.find("Timer") != std::string_view::npos ||
         t.find("time.Tick(") != std::string_view::npos;
}

// An integer literal's value, or -1.
long IntValue(const GoFile& f, TSNode n) {
  if (!GoFile::Is(n, "int_literal")) return -1;
  std::string s(f.Text(n));
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 0);
  return end && *end == '\0' ? v : -1;
}

// `for i := 0; i < N; i++` with literal N: N, else -1.
long LoopBound(const GoFile& f, TSNode loop) {
  TSNode clause{};
  for (uint32_t i = 0; i < GoFile::Count(loop); ++i)
    if (GoFile::Is(ts_node_named_child(loop, i), "for_clause")) clause = ts_node_named_child(loop, i);
  if (ts_node_is_null(clause)) return -1;
  TSNode cond = GoFile::Field(clause, "condition");
  if (!GoFile::Is(cond, "binary_expression")) return -1;
  std::string_view op = f.Text(GoFile::Field(cond, "operator"));
  long n = IntValue(f, GoFile::Field(cond, "right"));
  if (n < 0) return -1;
  return op == "<" ? n : op == "<=" ? n + 1 : -1;
}

}  // namespace

void RunUnreceivedSend(const GoFile& f, std::vector<LintFinding>* out) {
  ForEachMadeChan(f, [&](TSNode fn, const MadeChan& ch, const std::vector<ChanUse>& uses) {
    std::vector<const ChanUse*> sends, recvs;
    bool unknown = false;
    for (const ChanUse& u : uses) {
      switch (u.kind) {
        case ChanUse::kEscape:
        case ChanUse::kClose:
          unknown = true;
          break;
        case ChanUse::kSend:
          // A send that is itself a select case can give up.
          if (!ts_node_is_null(GoFile::Enclosing(u.node, {"communication_case"})) ||
              u.in_other_literal || ts_node_is_null(u.launched))
            unknown = true;
          else
            sends.push_back(&u);
          break;
        case ChanUse::kRecv:
        case ChanUse::kRange:
          // Someone else (another goroutine, a callback) receives too.
          if (u.in_other_literal || !ts_node_is_null(u.launched)) unknown = true;
          else recvs.push_back(&u);
          break;
        case ChanUse::kNeutral:
          break;
      }
      if (unknown) break;
    }
    if (unknown || sends.empty()) return;

    // The launches of the sending goroutines, in the function itself.
    std::vector<TSNode> launches;
    for (const ChanUse* s : sends) {
      TSNode go = GoLaunchOf(s->launched);
      if (ts_node_is_null(go) || !ts_node_eq(EnclosingFunc(go), fn)) {
        launches.clear();
        break;
      }
      bool seen = false;
      for (TSNode l : launches) seen = seen || ts_node_eq(l, go);
      if (!seen) launches.push_back(go);
    }
    if (launches.empty()) return;

    bool recv_in_loop = false;
    for (const ChanUse* r : recvs)
      recv_in_loop = recv_in_loop || r->kind == ChanUse::kRange ||
                     !ts_node_is_null(EnclosingLoop(r->node, fn));
    long cap = ts_node_is_null(ch.cap) ? 0 : IntValue(f, ch.cap);
    if (cap < 0) return;  // make(chan T, len(xs)): sized by the caller's count

    std::string message;
    std::vector<std::pair<uint32_t, std::string>> related;
    for (TSNode go : launches) related.push_back({f.Line(go), "the sending goroutine starts here"});

    // (c) More senders than receives.
    TSNode looped{};
    for (TSNode go : launches)
      if (ts_node_is_null(looped)) looped = EnclosingLoop(go, fn);
    if (!recv_in_loop) {
      long senders = -1;  // -1: unbounded
      if (ts_node_is_null(looped)) senders = static_cast<long>(launches.size());
      else if (long bound = LoopBound(f, looped); bound >= 0) senders = bound;
      long room = cap + static_cast<long>(recvs.size());
      if (senders < 0 || senders > room) {
        message = senders < 0
                      ? "goroutines launched in a loop send on " + ch.name + ", which is received " +
                            std::to_string(recvs.size()) + " time(s)" +
                            (cap > 0 ? " with room for " + std::to_string(cap) : "") +
                            ": every other sender blocks here forever"
                      : std::to_string(senders) + " senders on " + ch.name + " but " +
                            std::to_string(room) + " receive(s)" +
                            (cap > 0 ? " and buffer slots" : "") +
                            ": the rest block here forever";
        for (const ChanUse* r : recvs) related.push_back({f.Line(r->node), "the only receive"});
      }
    }
    if (message.empty() && cap == 0 && !recvs.empty()) {
      // (b) A select that can give up instead of receiving.
      for (const ChanUse* r : recvs) {
        TSNode cc = GoFile::Enclosing(r->node, {"communication_case"});
        if (ts_node_is_null(cc)) continue;
        TSNode sel = ts_node_parent(cc);
        TSNode giveup{};
        for (uint32_t i = 0; i < GoFile::Count(sel); ++i) {
          TSNode c = ts_node_named_child(sel, i);
          if (!ts_node_eq(c, cc) && IsGiveUpCase(f, c)) giveup = c;
        }
        if (ts_node_is_null(giveup) || recvs.size() > 1) continue;
        // A select in a loop that outlives the channel tries again after
        // giving up (an event loop), so the sender is received later.
        TSNode loop = EnclosingLoop(sel, fn);
        if (!ts_node_is_null(loop) && (ts_node_start_byte(ch.stmt) < ts_node_start_byte(loop) ||
                                       ts_node_start_byte(ch.stmt) >= ts_node_end_byte(loop)))
          continue;
        message = "if the select at line " + std::to_string(f.Line(sel)) +
                  " takes its other case, nobody receives from unbuffered " + ch.name +
                  " and this send blocks forever; make(chan T, 1) lets it finish";
        related.push_back({f.Line(sel), "the receiver can give up here"});
        related.push_back({f.Line(giveup), "this case leaves " + ch.name + " unread"});
        break;
      }
    }
    if (message.empty() && cap == 0) {
      // (a) A return between the launch and the first receive after it.
      uint32_t launch_end = ts_node_end_byte(launches.front());
      uint32_t first_recv = UINT32_MAX;
      for (const ChanUse* r : recvs)
        if (ts_node_start_byte(r->node) > launch_end)
          first_recv = std::min(first_recv, ts_node_start_byte(r->node));
      TSNode early{};
      WalkOwn(GoFile::Field(fn, "body"), [&](TSNode n) {
        if (!ts_node_is_null(early)) return false;
        if (!GoFile::Is(n, "return_statement")) return true;
        uint32_t at = ts_node_start_byte(n);
        if (at > launch_end && at < first_recv && ts_node_end_byte(n) < first_recv &&
            ts_node_is_null(GoFile::Enclosing(n, {"select_statement"})))
          early = n;
        return true;
      });
      if (!ts_node_is_null(early)) {
        message = "the return at line " + std::to_string(f.Line(early)) +
                  " skips the receive from unbuffered " + ch.name +
                  ": this send then blocks forever; make(chan T, 1) lets it finish";
        related.push_back({f.Line(early), "returns without receiving"});
        if (first_recv != UINT32_MAX)
          for (const ChanUse* r : recvs)
            if (ts_node_start_byte(r->node) == first_recv)
              related.push_back({f.Line(r->node), "the receive it skips"});
      } else if (recvs.empty()) {
        message = "nothing receives from " + ch.name + ": this send blocks forever";
      }
    }
    if (message.empty()) return;
    related.push_back({f.Line(ch.make), ch.name + " is made here"});
    for (const ChanUse* s : sends) {
      LintFinding x;
      x.pattern = "chan-send-blocked";
      x.rule = "unreceived-send";
      x.file = f.path();
      x.line = f.Line(s->node);
      x.column = f.Column(s->node);
      x.message = message;
      x.related = related;
      out->push_back(std::move(x));
    }
  });
}

}  // namespace leakhound
