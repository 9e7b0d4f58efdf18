#include "model/string_pool.h"

#include <algorithm>
#include <cstring>

#include "base/hash.h"

namespace leakhound {

namespace {
// Chunks start small and double: `watch` keeps thousands of small
// snapshots alive (targets x window), where a fixed 64 KB first chunk was
// most of its memory; a big dump still reaches 64 KB chunks quickly.
constexpr size_t kFirstChunk = 2 * 1024;
constexpr size_t kMaxChunk = 64 * 1024;
constexpr size_t kInitialSlots = 256;  // power of two
}  // namespace

StringPool::StringPool() : slots_(kInitialSlots, 0) {
  strings_.emplace_back();  // Sym 0 = ""
  hashes_.push_back(HashString(""));
}

const char* StringPool::Store(std::string_view s) {
  if (s.empty()) return "";
  if (chunks_.empty() || chunk_size_ - chunk_used_ < s.size()) {
    size_t want = chunk_size_ == 0 ? kFirstChunk : std::min(kMaxChunk, chunk_size_ * 2);
    size_t size = s.size() > want ? s.size() : want;
    chunks_.push_back(std::unique_ptr<char[]>(new char[size]));  // no zero-fill
    chunk_bytes_ += size;
    chunk_size_ = size;
    chunk_used_ = 0;
  }
  char* dst = chunks_.back().get() + chunk_used_;
  std::memcpy(dst, s.data(), s.size());
  chunk_used_ += s.size();
  stored_bytes_ += s.size();
  return dst;
}

void StringPool::Grow() {
  std::vector<uint32_t> bigger(slots_.size() * 2, 0);
  size_t mask = bigger.size() - 1;
  for (uint32_t v : slots_) {
    if (v == 0) continue;
    size_t i = hashes_[v - 1] & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = v;
  }
  slots_.swap(bigger);
}

Sym StringPool::Intern(std::string_view s) { return Intern(s, HashString(s)); }

Sym StringPool::Intern(std::string_view s, uint64_t hash) {
  if (s.empty()) return 0;
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (uint32_t v = slots_[i]) {
    if (hashes_[v - 1] == hash && strings_[v - 1] == s) return v - 1;
    i = (i + 1) & mask;
  }
  Sym sym = static_cast<Sym>(strings_.size());
  strings_.emplace_back(Store(s), s.size());
  hashes_.push_back(hash);
  slots_[i] = sym + 1;
  // Keep the load factor under 1/2 so probes stay short.
  if (strings_.size() * 2 > slots_.size()) Grow();
  return sym;
}

int64_t StringPool::Find(std::string_view s) const {
  if (s.empty()) return 0;
  uint64_t hash = HashString(s);
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (uint32_t v = slots_[i]) {
    if (hashes_[v - 1] == hash && strings_[v - 1] == s) return v - 1;
    i = (i + 1) & mask;
  }
  return -1;
}

size_t StringPool::MemoryUsage() const {
  return chunk_bytes_ + strings_.capacity() * sizeof(std::string_view) +
         slots_.capacity() * sizeof(uint32_t) + hashes_.capacity() * sizeof(uint64_t);
}

}  // namespace leakhound
