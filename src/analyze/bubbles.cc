#include "analyze/bubbles.h"

#include <map>
#include <string_view>

namespace leakhound {

std::optional<BubbleDeadlock> FindBubbleDeadlock(const Snapshot& s) {
  static constexpr std::string_view kMessages[] = {
      "deadlock: main bubble goroutine has exited but blocked goroutines remain",
      "deadlock: all goroutines in bubble are blocked",
  };
  // The panic line, possibly "... [recovered, repanicked]" when a test's
  // tRunner re-panics it (Go 1.25+), or "[recovered]" before.
  if (s.kind != DumpKind::kPanic) return std::nullopt;
  BubbleDeadlock d;
  for (std::string_view m : kMessages) {
    size_t at = s.preamble.find(m);
    // The panic's own line, not a message quoted further down.
    if (at == std::string::npos || s.preamble.rfind('\n', at) != std::string::npos) continue;
    d.message = std::string(m);
    break;
  }
  if (d.message.empty()) return std::nullopt;

  // bubble id -> whether every member is durably blocked.
  std::map<int64_t, bool> all_durable;
  for (const Goroutine& g : s.goroutines()) {
    if (g.bubble < 0) continue;
    auto [it, fresh] = all_durable.emplace(g.bubble, true);
    it->second = it->second && g.has(kDurable);
  }
  int candidates = 0;
  for (const auto& [id, durable] : all_durable) {
    if (!durable) continue;
    ++candidates;
    d.bubble = id;
  }
  if (candidates != 1) d.bubble = -1;
  return d;
}

}  // namespace leakhound
