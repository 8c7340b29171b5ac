// SPDX-License-Identifier: Apache-2.0
// src/store/key_compare.cc - see key_compare.h.

#include "store/key_compare.h"

#include <endian.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace lmdbapi {

int CompareKeys(const MDB_val* a, const MDB_val* b) {
  if (a->mv_size == 16 && b->mv_size == 16) {
    // Big-endian words compare as their bytes do, most significant first.
    std::uint64_t x[2], y[2];
    std::memcpy(x, a->mv_data, 16);
    std::memcpy(y, b->mv_data, 16);
    for (int i = 0; i < 2; ++i) {
      const std::uint64_t p = be64toh(x[i]), q = be64toh(y[i]);
      if (p != q) return p < q ? -1 : 1;
    }
    return 0;
  }
  const std::size_t len = std::min(a->mv_size, b->mv_size);
  const int diff = len == 0 ? 0 : std::memcmp(a->mv_data, b->mv_data, len);
  if (diff != 0) return diff;
  return a->mv_size < b->mv_size ? -1 : a->mv_size > b->mv_size ? 1 : 0;
}

}  // namespace lmdbapi
