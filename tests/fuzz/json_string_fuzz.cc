// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/json_string_fuzz.cc - our JSON string escaping
// (src/json/json_output.h) against a strict parser.
//
// Any bytes: EscapeJsonChars (sixteen at a time where it can) writes
// exactly what the bytewise reference writes, and no raw byte below 0x20.
// The input made valid UTF-8 (repaired as problem details are), written by
// JsonWriter, is valid JSON to RapidJSON's strict Reader (default flags
// plus UTF-8 validation, reading a MemoryStream, which has no SIMD scan)
// and parses back to exactly that string.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "json/json_output.h"
#include "json/json_strings.h"
#include "json/utf8.h"

using lmdbapi::testutil::Escaped;
using lmdbapi::testutil::StrictParse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);

  const std::string fast = Escaped(raw, 0, false);
  FUZZ_CHECK(fast == Escaped(raw, 0, true), "fast path differs from bytewise");
  for (unsigned char c : fast)
    FUZZ_CHECK(c >= 0x20, "raw control byte in the output");

  std::string text;
  lmdbapi::http::AppendRepairedUtf8(raw, &text);
  std::string json;
  {
    lmdbapi::http::JsonWriter w(&json);
    w.String(text);
  }
  std::string appended;
  lmdbapi::http::AppendJsonString(text, &appended);
  FUZZ_CHECK(json == appended, "JsonWriter and AppendJsonString differ");

  std::string back;
  std::size_t offset = 0;
  FUZZ_CHECK(StrictParse<rapidjson::kParseValidateEncodingFlag>(json, &back, &offset),
             "not valid JSON holding one string (offset " + std::to_string(offset) + ")");
  FUZZ_CHECK(back == text, "parsed back to a different string");
  return 0;
}
