// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/key_codec_fuzz.cc - index key bytes (src/store/key_codec.h).
//
// The first byte picks a field type, the rest are key bytes. Parts are read
// with ReadKeyPart until the bytes end or are refused; each value read must
// encode (AppendKeyPart) to KeyPartSize(value) bytes that read back as the
// same value, consuming exactly those bytes. Two values read in a row must
// order their encodings as memcmp orders them (the codec's whole point),
// checked through the re-encoded bytes.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/key_codec.h"

using lmdbapi::FieldType;
using lmdbapi::Value;

namespace {

bool SameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    if (std::isnan(*x)) return std::isnan(y);
    return *x == y;  // -0.0 == +0.0, as the codec promises
  }
  return a == b;
}

// Value order as the codec defines it, for one type; 0 if not comparable.
int Compare(const Value& a, const Value& b) {
  if (const double* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    if (std::isnan(*x) || std::isnan(y)) return 0;
    return *x < y ? -1 : *x > y ? 1 : 0;
  }
  return a < b ? -1 : b < a ? 1 : 0;
}

int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const FieldType type = static_cast<FieldType>(data[0] % 7);
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  Value prev;
  std::string prev_bytes;
  bool have_prev = false;
  for (int parts = 0; parts < 16 && !in.empty(); ++parts) {
    Value v;
    if (!lmdbapi::ReadKeyPart(type, &in, &v)) break;
    std::string bytes;
    lmdbapi::AppendKeyPart(v, &bytes);
    FUZZ_CHECK(bytes.size() == lmdbapi::KeyPartSize(v), "KeyPartSize");
    std::string_view again = bytes;
    Value w;
    FUZZ_CHECK(lmdbapi::ReadKeyPart(type, &again, &w), "own encoding refused");
    FUZZ_CHECK(again.empty(), "own encoding not consumed exactly");
    FUZZ_CHECK(SameValue(v, w), "value changed in a round trip");
    if (have_prev) {
      const int by_value = Compare(prev, v);
      const int by_bytes = Sign(prev_bytes.compare(bytes));
      const bool nan = std::holds_alternative<double>(v) &&
                       (std::isnan(std::get<double>(v)) || std::isnan(std::get<double>(prev)));
      if (!nan) FUZZ_CHECK(by_value == by_bytes, "byte order differs from value order");
    }
    prev = v;
    prev_bytes = bytes;
    have_prev = true;
  }
  return 0;
}
