// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/hex.h - hex digits: their values, for the parsers of
// uuids (src/store/uuid.cc) and %-escapes (src/http/query.cc), and bytes as
// lower-case hex, for messages that show stored keys (src/store/check.cc).

#ifndef LMDBAPI_HEX_H_
#define LMDBAPI_HEX_H_

#include <string>
#include <string_view>

namespace lmdbapi {

// 0..15 for 0-9, a-f and A-F; -1 for any other character.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Two lower-case hex digits for every byte.
inline std::string HexBytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

}  // namespace lmdbapi

#endif  // LMDBAPI_HEX_H_
