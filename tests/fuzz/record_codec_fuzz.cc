// tests/fuzz/record_codec_fuzz.cc - stored record bytes
// (src/store/record_codec.h), for every table of the compiled schema.
//
// Any bytes: DecodeRecord and DecodeField return a Status and never crash
// or throw (msgpack-c's exceptions must stop in record_codec.cc). Bytes that
// decode re-encode to a canonical form that decodes and re-encodes to
// itself; DecodeField agrees with DecodeRecord field by field.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "lmdbapi/schema.h"
#include "store/record_codec.h"

using lmdbapi::Record;
using lmdbapi::Schema;
using lmdbapi::Value;

namespace {

bool SameValue(const Value& a, const Value& b) {
  if (const double* x = std::get_if<double>(&a))
    if (const double* y = std::get_if<double>(&b))
      if (std::isnan(*x) && std::isnan(*y)) return true;
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const lmdbapi::TableDesc& t : Schema::Compiled().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      Value v;
      (void)lmdbapi::DecodeField(t, bytes, f, &v);
    }
    Record r;
    if (!lmdbapi::DecodeRecord(t, bytes, &r).ok()) continue;
    FUZZ_CHECK(r.fields.size() == t.fields.size(), t.name + ": field count");
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      Value v;
      FUZZ_CHECK(lmdbapi::DecodeField(t, bytes, f, &v).ok(), t.name + ": DecodeField refused");
      FUZZ_CHECK(SameValue(v, r.fields[f]), t.name + ": DecodeField differs");
    }
    std::string once;
    lmdbapi::EncodeRecord(t, r, &once);
    Record r2;
    FUZZ_CHECK(lmdbapi::DecodeRecord(t, once, &r2).ok(), t.name + ": own encoding refused");
    std::string twice;
    lmdbapi::EncodeRecord(t, r2, &twice);
    FUZZ_CHECK(once == twice, t.name + ": encoding not canonical");
  }
  return 0;
}
