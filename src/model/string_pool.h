// StringPool interns strings: each distinct string is stored once and
// named by a small integer (Sym). A million goroutines share a few
// hundred function and file names, so the model keeps Syms, not strings.
#ifndef LEAKHOUND_MODEL_STRING_POOL_H_
#define LEAKHOUND_MODEL_STRING_POOL_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace leakhound {

// Index into a StringPool. 0 is always the empty string.
using Sym = uint32_t;

class StringPool {
 public:
  StringPool();
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;

  // Returns the Sym for s, adding a copy of s if it is new.
  Sym Intern(std::string_view s);
  // Same, when the caller already has HashString(s).
  Sym Intern(std::string_view s, uint64_t hash);
  // Returns the Sym for s, or -1 if s was never interned.
  int64_t Find(std::string_view s) const;

  // The string for a Sym; valid as long as the pool lives.
  std::string_view Get(Sym sym) const { return strings_[sym]; }
  size_t size() const { return strings_.size(); }
  // Bytes held by string storage and tables, for memory accounting.
  size_t MemoryUsage() const;

 private:
  const char* Store(std::string_view s);
  void Grow();

  // Chunks never move, so string_views into them stay valid.
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_size_ = 0;
  size_t stored_bytes_ = 0;
  size_t chunk_bytes_ = 0;  // allocated in chunks_
  std::vector<std::string_view> strings_;
  // Open addressing: slot holds Sym+1 (0 = empty); hashes_ caches the hash.
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> hashes_;
};

}  // namespace leakhound

#endif  // LEAKHOUND_MODEL_STRING_POOL_H_
