// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/json_string_fuzz.cc - our JSON string escaping
// (src/http/json_output.h) against a strict parser.
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

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "fuzz_check.h"
#include "http/json_output.h"
#include "http/utf8.h"

namespace {

struct OneString
    : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, OneString> {
  std::string value;
  int strings = 0;
  bool String(const char* s, rapidjson::SizeType n, bool) {
    value.assign(s, n);
    ++strings;
    return true;
  }
};

std::string Escaped(std::string_view s, bool bytewise) {
  std::string out(lmdbapi::http::MaxEscapedSize(s.size()), '\0');
  const char* b = s.data();
  char* end = bytewise
      ? lmdbapi::http::EscapeJsonCharsBytewise(b, b + s.size(), out.data())
      : lmdbapi::http::EscapeJsonChars(b, b + s.size(), out.data());
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);

  const std::string fast = Escaped(raw, false);
  FUZZ_CHECK(fast == Escaped(raw, true), "fast path differs from bytewise");
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

  OneString handler;
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  const rapidjson::ParseResult r =
      reader.Parse<rapidjson::kParseValidateEncodingFlag>(stream, handler);
  FUZZ_CHECK(!r.IsError(), "invalid JSON at offset " + std::to_string(r.Offset()));
  FUZZ_CHECK(handler.strings == 1, "not one string");
  FUZZ_CHECK(handler.value == text, "parsed back to a different string");
  return 0;
}
