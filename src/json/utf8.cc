// SPDX-License-Identifier: Apache-2.0
// src/json/utf8.cc - see utf8.h.

#include "json/utf8.h"

namespace lmdbapi::http {

bool IsValidUtf8(std::string_view text, std::size_t* bad_offset) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = Utf8SequenceLength(text.substr(i));
    if (n == 0) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

void AppendRepairedUtf8(std::string_view text, std::string* out) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = Utf8SequenceLength(text.substr(i));
    if (n == 0) {
      *out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out->append(text.data() + i, n);
      i += n;
    }
  }
}

}  // namespace lmdbapi::http
