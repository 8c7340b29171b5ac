// include/lmdbapi/hex.h - the value of a hex digit, for the parsers of
// uuids (src/store/uuid.cc) and %-escapes (src/http/query.cc).

#ifndef LMDBAPI_HEX_H_
#define LMDBAPI_HEX_H_

namespace lmdbapi {

// 0..15 for 0-9, a-f and A-F; -1 for any other character.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace lmdbapi

#endif  // LMDBAPI_HEX_H_
