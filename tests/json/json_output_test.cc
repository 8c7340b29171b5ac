// SPDX-License-Identifier: Apache-2.0
// tests/json/json_output_test.cc - src/json/json_output.cc: our JSON string
// escaping, checked byte by byte against a strict parser (issue 11).
//
// The reference parser is RapidJSON's Reader with its default (strict)
// flags reading a MemoryStream: it refuses raw bytes below 0x20 in a
// string, which the first case confirms, and a MemoryStream never takes
// RapidJSON's SSE2 scan (whose 0x19 test is the bug this file guards).

#include "json/json_output.h"

#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "json/json_strings.h"

using lmdbapi::http::AppendJsonString;
using lmdbapi::http::JsonWriter;
using lmdbapi::testutil::Escaped;
using lmdbapi::testutil::StrictParse;

namespace {

// s written by JsonWriter as a whole JSON text.
std::string Written(const std::string& s) {
  std::string out;
  JsonWriter w(&out);
  w.String(s);
  return out;
}

bool HasRawControl(const std::string& json) {
  for (unsigned char c : json)
    if (c < 0x20) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_output)

BOOST_AUTO_TEST_CASE(the_strict_parser_refuses_every_raw_control_byte) {
  int refused = 0;
  for (std::size_t len = 1; len <= 48; ++len) {
    for (std::size_t at = 0; at < len && at < 32; ++at) {
      for (int b = 0; b < 0x20; ++b) {
        std::string s(len, 'a');
        s[at] = static_cast<char>(b);
        std::string value;
        BOOST_TEST_REQUIRE(!StrictParse("\"" + s + "\"", &value),
                           "raw byte " << b << " at " << at << " of " << len
                                       << " accepted");
        ++refused;
      }
    }
  }
  std::string value;
  BOOST_TEST_REQUIRE(StrictParse("\"a\\u001Eb\"", &value));
  BOOST_TEST(value == "a\x1e" "b");
  BOOST_TEST_MESSAGE(refused << " raw control bytes refused");
}

BOOST_AUTO_TEST_CASE(every_byte_at_every_offset_reads_back_exactly) {
  int checked = 0;
  for (std::size_t len = 1; len <= 80; ++len) {
    for (std::size_t at = 0; at < len && at < 32; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, ' ');
        s[at] = static_cast<char>(b);
        const std::string json = Written(s);
        std::string value;
        BOOST_TEST_REQUIRE(StrictParse(json, &value),
                           "byte " << b << " at " << at << " of " << len
                                   << ": invalid JSON " << json);
        BOOST_TEST_REQUIRE(value == s, "byte " << b << " at " << at << " of "
                                               << len << " came back changed");
        BOOST_TEST_REQUIRE(!HasRawControl(json));
        const std::size_t shift = (len + at) % 16;
        BOOST_TEST_REQUIRE(Escaped(s, shift, false) == Escaped(s, 0, true),
                           "fast path and bytewise differ: byte "
                               << b << " at " << at << " of " << len);
        ++checked;
      }
    }
  }
  BOOST_TEST_MESSAGE(checked << " strings written and read back");
}

BOOST_AUTO_TEST_CASE(issue_11_string_is_escaped) {
  const std::string s = "\x1e\x1f\x7f" + std::string(15, ' ');
  BOOST_TEST(Written(s) == "\"\\u001E\\u001F\x7f" + std::string(15, ' ') + "\"");
  // The same 16-byte block at every alignment.
  for (std::size_t shift = 0; shift < 16; ++shift)
    BOOST_TEST(Escaped(s, shift, false) ==
               "\\u001E\\u001F\x7f" + std::string(15, ' '));
}

BOOST_AUTO_TEST_CASE(escapes_use_short_forms_and_upper_case_hex) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {std::string("\0", 1), "\\u0000"},
      {"\b\t\n\f\r", "\\b\\t\\n\\f\\r"},
      {"\x0b\x1a\x1f", "\\u000B\\u001A\\u001F"},
      {"\"\\", "\\\"\\\\"},
      {"/ \x7f", "/ \x7f"},                         // no escape needed
      {"\xc3\xa9\xf0\x9f\x98\x80", "\xc3\xa9\xf0\x9f\x98\x80"},  // UTF-8 kept
  };
  for (const Case& c : cases) {
    BOOST_TEST(Escaped(c.in, 0, false) == c.out);
    BOOST_TEST(Escaped(c.in, 0, true) == c.out);
    // Repeated past sixteen bytes, so the fast path meets it too.
    std::string in, out;
    for (int i = 0; i < 9; ++i) {
      in += c.in + "xyz";
      out += c.out + "xyz";
    }
    BOOST_TEST(Escaped(in, 3, false) == out);
  }
}

BOOST_AUTO_TEST_CASE(utf8_at_every_offset_is_copied_unchanged) {
  const char* sequences[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                             "\xef\xbf\xbf"};
  for (const char* seq : sequences) {
    const std::size_t n = std::strlen(seq);
    for (std::size_t len = n; len <= 80; ++len) {
      for (std::size_t at = 0; at + n <= len && at < 32; ++at) {
        std::string s(len, 'q');
        s.replace(at, n, seq);
        std::string value;
        const std::string json = Written(s);
        BOOST_TEST_REQUIRE(
            StrictParse<rapidjson::kParseValidateEncodingFlag>(json, &value),
            json);
        BOOST_TEST_REQUIRE(value == s);
        BOOST_TEST_REQUIRE(json == "\"" + s + "\"");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(long_strings_are_escaped_across_the_writers_chunks) {
  // The writer escapes 4096 bytes at a time; put escapes and a 4-byte
  // UTF-8 sequence on and around the seams.
  std::string s(20000, 'k');
  for (std::size_t seam : {4096u, 8192u, 16384u})
    for (std::size_t i = seam - 3; i <= seam + 3; ++i)
      s[i] = static_cast<char>(0x1a + (i % 6));
  s.replace(12286, 4, "\xf0\x9f\x98\x80");
  const std::string json = Written(s);
  std::string value;
  BOOST_TEST_REQUIRE(StrictParse(json, &value));
  BOOST_TEST(value == s);
  std::string appended = "x";
  AppendJsonString(s, &appended);
  BOOST_TEST(appended == "x" + json);
  BOOST_TEST(Written("") == "\"\"");
}

BOOST_AUTO_TEST_CASE(keys_values_and_rapidjson_sax_calls_are_all_escaped) {
  const std::string nasty = "k\x1e\x1f" + std::string(29, ' ') + "\x1b\"";
  rapidjson::Document d;
  d.SetObject();
  rapidjson::Value key(nasty.c_str(), static_cast<rapidjson::SizeType>(nasty.size()),
                       d.GetAllocator());
  rapidjson::Value value(nasty.c_str(), static_cast<rapidjson::SizeType>(nasty.size()),
                         d.GetAllocator());
  d.AddMember(key, value, d.GetAllocator());
  std::string accepted, direct;
  {
    JsonWriter w(&accepted);
    d.Accept(w);  // through the SAX String/Key overloads
  }
  {
    JsonWriter w(&direct);
    w.StartObject();
    w.Key(nasty);
    w.String(nasty);
    w.EndObject();
  }
  BOOST_TEST(accepted == direct);
  BOOST_TEST(!HasRawControl(direct));
  rapidjson::Document back;
  back.Parse(direct.data(), direct.size());
  BOOST_TEST_REQUIRE(!back.HasParseError());
  BOOST_TEST(back.MemberBegin()->name.GetString() == nasty);
  BOOST_TEST(std::string(back.MemberBegin()->value.GetString(),
                         back.MemberBegin()->value.GetStringLength()) == nasty);
}

BOOST_AUTO_TEST_SUITE_END()
