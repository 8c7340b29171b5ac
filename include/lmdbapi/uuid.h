// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/uuid.h - record keys: UUIDv7 (RFC 9562).
//
// Every record's primary key is a version-7 UUID made by the library. Its
// first 48 bits are the Unix time in milliseconds, so keys made later sort
// later and inserts land at the right edge of the table's B-tree. Within one
// millisecond the 12-bit rand_a field counts up (RFC 9562 section 6.2,
// method 1), so one process never makes two equal or decreasing keys.
// Stored as 16 raw bytes; shown as the canonical lower-case 8-4-4-4-12 hex.

#ifndef LMDBAPI_UUID_H_
#define LMDBAPI_UUID_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "lmdbapi/status.h"

namespace lmdbapi {

struct Uuid {
  std::array<std::uint8_t, 16> bytes{};

  // A new v7 uuid. Thread-safe; strictly increasing within this process.
  static Uuid New();
  // Accepts the canonical 36-character form, either case. Any uuid version
  // is accepted: a client may name records imported from elsewhere.
  static Result<Uuid> Parse(std::string_view text);
  // From exactly 16 raw bytes (as stored); false if the size is wrong.
  static bool FromBytes(std::string_view raw, Uuid* out);

  std::string ToString() const;  // canonical, lower case
  // The same 36 characters written to out[0..35], with no allocation.
  static constexpr std::size_t kTextSize = 36;
  void ToChars(char* out) const;
  std::string_view AsBytes() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_UUID_H_
