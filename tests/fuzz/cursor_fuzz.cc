// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/cursor_fuzz.cc - page cursors (src/store/planner.h,
// DecodeCursor), the bytes a client sends back as `after`.
//
// The input is one selector byte, one prefix-length byte, then the cursor.
// The selector picks a walk of the compiled schema: in table order, each
// table's scan ('S'), its links walk ('L', linked tables), and per index a
// Find walk ('I') and, for a RANGE index, a range walk ('R'). An 'I' walk's
// prefix is the first <prefix-length> bytes of the cursor's own key bytes,
// so well-formed keys meet both outcomes of the prefix check. Property:
// cursor_check.h.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cursor_check.h"

namespace {

struct Walk {
  const lmdbapi::TableDesc* table;
  char tag;
  int index;
};

const std::vector<Walk>& Walks() {
  static const std::vector<Walk> walks = [] {
    std::vector<Walk> out;
    for (const lmdbapi::TableDesc& t : lmdbapi::Schema::Compiled().tables) {
      out.push_back({&t, 'S', -1});
      if (t.parent >= 0) out.push_back({&t, 'L', -1});
      for (std::size_t i = 0; i < t.indexes.size(); ++i) {
        out.push_back({&t, 'I', static_cast<int>(i)});
        if (t.indexes[i].kind == lmdbapi::IndexKind::RANGE)
          out.push_back({&t, 'R', static_cast<int>(i)});
      }
    }
    return out;
  }();
  return walks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::vector<Walk>& walks = Walks();
  const Walk& w = walks[data[0] % walks.size()];
  const std::size_t prefix_len = data[1];
  std::string_view after(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string_view prefix;
  if (w.tag == 'I' && after.size() > 2)
    prefix = after.substr(2, std::min(prefix_len, after.size() - 2));
  lmdbapi::fuzz::CheckCursor(*w.table, {w.tag, w.index, prefix}, after);
  return 0;
}
