// SPDX-License-Identifier: Apache-2.0
// tests/json/json_strings.h - what the tests of src/json/json_output.cc
// (json_output_test.cc) and its fuzz target (tests/fuzz/json_string_fuzz.cc)
// both do: escape a string by the fast path or the bytewise reference, and
// read back, with RapidJSON, the one string a JSON text holds.

#ifndef LMDBAPI_TESTS_HTTP_JSON_STRINGS_H_
#define LMDBAPI_TESTS_HTTP_JSON_STRINGS_H_

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "json/json_output.h"

namespace lmdbapi::testutil {

// EscapeJsonChars, or the bytewise reference, on s placed `shift` bytes
// into a buffer, so that runs start at every alignment. The buffer ends
// where s does, so that ASan (the fuzz tree) sees any read past it.
inline std::string Escaped(std::string_view s, std::size_t shift,
                           bool bytewise) {
  std::vector<char> in(shift + s.size());
  if (!s.empty()) std::memcpy(in.data() + shift, s.data(), s.size());
  std::string out(http::MaxEscapedSize(s.size()), '\0');
  const char* b = in.data() + shift;
  char* end = bytewise
                  ? http::EscapeJsonCharsBytewise(b, b + s.size(), out.data())
                  : http::EscapeJsonChars(b, b + s.size(), out.data());
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

// Keeps the one string a JSON text holds.
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

// The string `json` holds, if it is valid JSON (strictly, read with
// kFlags) that is one string and nothing else; if it is not JSON at all,
// *error_offset (when given) is where RapidJSON stopped.
template <unsigned kFlags = rapidjson::kParseDefaultFlags>
bool StrictParse(std::string_view json, std::string* value,
                 std::size_t* error_offset = nullptr) {
  OneString handler;
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  const rapidjson::ParseResult r = reader.Parse<kFlags>(stream, handler);
  if (r.IsError()) {
    if (error_offset != nullptr) *error_offset = r.Offset();
    return false;
  }
  if (handler.strings != 1) return false;
  *value = handler.value;
  return true;
}

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_HTTP_JSON_STRINGS_H_
