// Fast non-cryptographic hashing for interning and stack signatures.
//
// Dumps are untrusted, but the hash tables that use this are keyed by
// content we also compare byte-for-byte on a hit, so a collision costs
// time, never correctness.
#ifndef LEAKHOUND_BASE_HASH_H_
#define LEAKHOUND_BASE_HASH_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace leakhound {

inline uint64_t HashMix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a ^ 0xa0761d6478bd642full) *
                  (b ^ 0xe7037ed1a0b428dbull);
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Hashes bytes 64 at a time in four independent lanes (a raw stack key
// is hundreds of bytes, hashed once per goroutine: one serial chain of
// multiplies was a tenth of the parse), then 16, 8 and the tail, read
// with memcpy so any alignment is fine.
inline uint64_t HashBytes(const char* p, size_t n, uint64_t seed = 0) {
  uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
  if (n >= 64) {
    uint64_t l0 = h, l1 = h ^ 0x2d358dccaa6c78a5ull, l2 = h ^ 0x8bb84b93962eacc9ull,
             l3 = h ^ 0x4b33a62ed433d4a3ull;
    while (n >= 64) {
      uint64_t w[8];
      std::memcpy(w, p, 64);
      l0 = HashMix(w[0] ^ l0, w[1] ^ 0x8ebc6af09c88c6e3ull);
      l1 = HashMix(w[2] ^ l1, w[3] ^ 0x8ebc6af09c88c6e3ull);
      l2 = HashMix(w[4] ^ l2, w[5] ^ 0x8ebc6af09c88c6e3ull);
      l3 = HashMix(w[6] ^ l3, w[7] ^ 0x8ebc6af09c88c6e3ull);
      p += 64;
      n -= 64;
    }
    h = HashMix(l0 ^ l2, l1 ^ l3);
  }
  while (n >= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    h = HashMix(a ^ h, b ^ 0x8ebc6af09c88c6e3ull);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    uint64_t a;
    std::memcpy(&a, p, 8);
    h = HashMix(a ^ h, 0x589965cc75374cc3ull);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t a = 0;
    std::memcpy(&a, p, n);
    h = HashMix(a ^ h, 0x1d8e4e27c47d124full ^ n);
  }
  return HashMix(h, 0x9e3779b97f4a7c15ull);
}

inline uint64_t HashString(std::string_view s, uint64_t seed = 0) {
  return HashBytes(s.data(), s.size(), seed);
}

}  // namespace leakhound

#endif  // LEAKHOUND_BASE_HASH_H_
