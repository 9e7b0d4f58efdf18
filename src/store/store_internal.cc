#include "store/store_internal.h"

#include <cstdio>

namespace leakhound {
namespace store_internal {
namespace {

// Hex digit values, 16 for anything else. A table: called for every
// bucket of every snapshot, and branches on each character cost more.
struct HexTable {
  uint8_t v[256];
  constexpr HexTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 16;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) {
      v['a' + i] = static_cast<uint8_t>(10 + i);
      v['A' + i] = static_cast<uint8_t>(10 + i);
    }
  }
};
constexpr HexTable kHex;

}  // namespace

bool ParseSignature(const std::string& hex, uint64_t* out) {
  if (hex.size() != 16) return false;
  uint64_t v = 0;
  uint8_t bad = 0;
  for (char c : hex) {
    uint8_t d = kHex.v[static_cast<unsigned char>(c)];
    bad |= d;
    v = (v << 4) | (d & 15);
  }
  if (bad & 16) return false;
  *out = v;
  return true;
}

std::string FormatSignature(int64_t stored) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(static_cast<uint64_t>(stored)));
  return buf;
}

}  // namespace store_internal
}  // namespace leakhound
