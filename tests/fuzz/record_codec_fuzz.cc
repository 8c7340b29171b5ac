// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/record_codec_fuzz.cc - stored record bytes
// (src/store/record_codec.h), for every table of the compiled schema.
//
// Any bytes: DecodeRecord and DecodeField return a Status and never crash
// or throw (msgpack-c's exceptions must stop in record_codec.cc). Bytes that
// decode re-encode to a canonical form that decodes and re-encodes to
// itself. Where the offset table checks out, DecodeField agrees with
// DecodeRecord field by field and a StoredFilter on each field's own value
// matches.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
    {
      std::vector<lmdbapi::Filter> any = {{0, t.fields[0].default_value}};
      lmdbapi::StoredFilter filter(t, any, {0});
      bool match = false;
      (void)filter.Matches(bytes, &match);
    }
    Record r;
    if (!lmdbapi::DecodeRecord(t, bytes, &r).ok()) continue;
    FUZZ_CHECK(r.fields.size() == t.fields.size(), t.name + ": field count");
    // DecodeField and filters read a field where the offset table puts it,
    // DecodeRecord reads the array; they agree unless the table is corrupt,
    // which is what CheckFieldOffsets (lmdbapi-admin check) finds.
    if (lmdbapi::CheckFieldOffsets(t, bytes, r).ok()) {
      for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
        Value v;
        FUZZ_CHECK(lmdbapi::DecodeField(t, bytes, f, &v).ok(), t.name + ": DecodeField refused");
        FUZZ_CHECK(SameValue(v, r.fields[f]), t.name + ": DecodeField differs");
        if (!(r.fields[f] == r.fields[f])) continue;  // NaN equals nothing
        std::vector<lmdbapi::Filter> own = {{f, r.fields[f]}};
        lmdbapi::StoredFilter filter(t, own, {0});
        bool match = false;
        FUZZ_CHECK(filter.Matches(bytes, &match).ok() && match,
                   t.name + ": StoredFilter misses the record's own value");
      }
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
