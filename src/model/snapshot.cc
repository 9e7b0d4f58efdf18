#include "model/snapshot.h"

#include <algorithm>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <cstdint>

#include "base/hash.h"

namespace leakhound {

const char* DumpKindName(DumpKind k) {
  switch (k) {
    case DumpKind::kStack: return "stack";
    case DumpKind::kPanic: return "panic";
    case DumpKind::kFatalError: return "fatal_error";
    case DumpKind::kSignal: return "signal";
    case DumpKind::kUnknown: break;
  }
  return "unknown";
}

Snapshot::Snapshot() : stack_slots_(256, 0) { label_sets_.emplace_back(); }

void Snapshot::ReserveGoroutines(size_t n) {
  goroutines_.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // A million goroutines take ~50 MB: in 2 MiB pages that is a few dozen
  // page faults instead of ~12,000, each costly under a hypervisor. Only
  // a hint; the kernel may ignore it.
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  uintptr_t data = reinterpret_cast<uintptr_t>(goroutines_.data());
  uintptr_t begin = (data + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (data + goroutines_.capacity() * sizeof(Goroutine)) & ~(kHuge - 1);
  if (data != 0 && end > begin + kHuge) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#endif
}

void Snapshot::HashStack(Stack& s) {
  // Syms are stable within one snapshot, so hashing them is enough here;
  // comparing stacks across snapshots goes through the strings.
  uint64_t h = 0x243f6a8885a308d3ull, loose = h;
  bool top = true;
  for (const Frame& f : s.frames) {
    h = HashMix(h ^ f.function, (uint64_t{f.file} << 32) | f.line);
    loose = HashMix(loose ^ f.function, (uint64_t{f.file} << 32) | (top ? f.line : 0));
    top = false;
  }
  uint64_t tail = (uint64_t{s.elided_frames} << 2) | (s.elided_unknown ? 2u : 0u) |
                  (s.unavailable ? 1u : 0u) |
                  (s.cut ? uint64_t{1} << 40 : 0u);
  h = HashMix(h ^ tail, s.frames.size());
  loose = HashMix(loose ^ tail, s.frames.size());
  if (s.has_creator) {
    h = HashMix(h ^ s.creator.function,
                (uint64_t{s.creator.file} << 32) | s.creator.line | (uint64_t{1} << 63));
    loose = HashMix(loose ^ s.creator.function,
                    (uint64_t{s.creator.file} << 32) | (uint64_t{1} << 63));
  }
  s.hash = h;
  s.loose_hash = loose;
}

namespace {
bool SameStack(const Stack& a, const Stack& b) {
  if (a.hash != b.hash || a.frames.size() != b.frames.size() ||
      a.has_creator != b.has_creator || a.elided_frames != b.elided_frames ||
      a.elided_unknown != b.elided_unknown || a.unavailable != b.unavailable ||
      a.cut != b.cut)
    return false;
  for (size_t i = 0; i < a.frames.size(); ++i)
    if (!a.frames[i].SameLocation(b.frames[i])) return false;
  return !a.has_creator || a.creator.SameLocation(b.creator);
}
}  // namespace

uint32_t Snapshot::AddStack(Stack stack) {
  HashStack(stack);
  return AddHashedStack(std::move(stack));
}

uint32_t Snapshot::AddHashedStack(Stack&& stack) {
  size_t mask = stack_slots_.size() - 1;
  size_t i = stack.hash & mask;
  while (uint32_t v = stack_slots_[i]) {
    if (SameStack(stacks_[v - 1], stack)) return v - 1;
    i = (i + 1) & mask;
  }
  uint32_t index = static_cast<uint32_t>(stacks_.size());
  stacks_.push_back(std::move(stack));
  stack_slots_[i] = index + 1;
  if (stacks_.size() * 2 > stack_slots_.size()) {
    std::vector<uint32_t> bigger(stack_slots_.size() * 2, 0);
    size_t m = bigger.size() - 1;
    for (uint32_t v : stack_slots_) {
      if (!v) continue;
      size_t j = stacks_[v - 1].hash & m;
      while (bigger[j]) j = (j + 1) & m;
      bigger[j] = v;
    }
    stack_slots_.swap(bigger);
  }
  return index;
}

uint32_t Snapshot::AddLabelSet(LabelSet labels) {
  if (labels.empty()) return 0;
  auto [it, added] =
      label_index_.emplace(labels, static_cast<uint32_t>(label_sets_.size()));
  if (added) label_sets_.push_back(std::move(labels));
  return it->second;
}

namespace {
// About 16 MiB of words and 8 MiB of frame entries: every frame that
// names an object, for the first few hundred thousand goroutines.
constexpr size_t kMaxArgWords = size_t{1} << 21;
constexpr size_t kMaxFrameArgs = size_t{1} << 19;
}  // namespace

bool Snapshot::ArgsBudgetLeft(bool priority) const {
  size_t share = priority ? 1 : 4;
  return arg_words_.size() < kMaxArgWords / share && frame_args_.size() < kMaxFrameArgs / share;
}

void Snapshot::MarkArgsCapped() {
  if (args_capped_) return;
  args_capped_ = true;
  notes.push_back(kArgsCappedNote);
}

bool Snapshot::AddFrameArgs(uint32_t goroutine, uint32_t frame, std::span<const uint64_t> words,
                            bool priority) {
  if (words.empty()) return true;
  size_t share = priority ? 1 : 4;
  if (arg_words_.size() + words.size() > kMaxArgWords / share ||
      frame_args_.size() >= kMaxFrameArgs / share) {
    MarkArgsCapped();
    return false;
  }
  uint32_t begin = static_cast<uint32_t>(arg_words_.size());
  arg_words_.insert(arg_words_.end(), words.begin(), words.end());
  frame_args_.push_back(FrameArgs{goroutine, static_cast<uint16_t>(frame), priority, begin,
                                  static_cast<uint32_t>(arg_words_.size())});
  return true;
}

std::span<const uint64_t> Snapshot::ArgsOf(size_t goroutine, size_t frame) const {
  auto it = std::lower_bound(frame_args_.begin(), frame_args_.end(), std::pair(goroutine, frame),
                             [](const FrameArgs& a, const std::pair<size_t, size_t>& k) {
                               return a.goroutine < k.first ||
                                      (a.goroutine == k.first && a.frame < k.second);
                             });
  if (it == frame_args_.end() || it->goroutine != goroutine || it->frame != frame) return {};
  return arg_words(*it);
}

bool Snapshot::TryExtendLast(const Goroutine& g) {
  if (goroutines_.empty() || goroutines_.size() < fold_after_ || g.count != 1 || !has_ids) return false;
  // Arguments are kept per entry (frame_args_ is sorted by goroutine):
  // an entry that kept some stands for its one goroutine only.
  if (!frame_args_.empty() && frame_args_.back().goroutine + 1 == goroutines_.size()) return false;
  Goroutine& last = goroutines_.back();
  if (last.count == UINT32_MAX || last.id + last.count != g.id || last.stack != g.stack ||
      last.state != g.state || last.wait_minutes != g.wait_minutes || last.flags != g.flags ||
      last.labels != g.labels || last.creator_id != g.creator_id || last.bubble != g.bubble)
    return false;
  ++last.count;
  ++total_;
  if (folded_++ == 0) notes.push_back(kFoldedNote);
  return true;
}

size_t Snapshot::MemoryUsage() const {
  size_t n = strings_.MemoryUsage() + goroutines_.capacity() * sizeof(Goroutine) +
             stack_slots_.capacity() * sizeof(uint32_t) +
             frame_args_.capacity() * sizeof(FrameArgs) + arg_words_.capacity() * sizeof(uint64_t);
  for (const Stack& s : stacks_) n += sizeof(Stack) + s.frames.capacity() * sizeof(Frame);
  return n;
}

}  // namespace leakhound
