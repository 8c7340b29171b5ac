// SPDX-License-Identifier: Apache-2.0
// src/store/quote.cc - see include/lmdbapi/quote.h.

#include "lmdbapi/quote.h"

#include <cstdio>

namespace lmdbapi {

std::size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned char>(s[i]);
  };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

bool AppendEscaped(std::string_view text, std::size_t max_bytes,
                   std::string* out) {
  std::size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += static_cast<char>(c);
      ++i;
    } else if (c >= 0x20 && c < 0x7F) {
      *out += static_cast<char>(c);
      ++i;
    } else if (std::size_t n =
                   c >= 0x80 ? Utf8SequenceLength(text.substr(i)) : 0;
               n > 0) {
      if (i + n > max_bytes) break;
      out->append(text.substr(i, n));
      i += n;
    } else {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02X", c);
      *out += esc;
      ++i;
    }
  }
  return i < text.size();
}

std::string Quote(std::string_view text, std::size_t max_bytes) {
  std::string out = "\"";
  const bool cut = AppendEscaped(text, max_bytes, &out);
  out += '"';
  if (cut) out += "...";
  return out;
}

}  // namespace lmdbapi
