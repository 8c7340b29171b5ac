// SPDX-License-Identifier: Apache-2.0
// tests/json/utf8_test.cc - src/json/utf8.cc.

#include <string>

#include <boost/test/unit_test.hpp>

#include "json/utf8.h"

using lmdbapi::http::AppendRepairedUtf8;
using lmdbapi::http::IsValidUtf8;

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(accepts_well_formed_text) {
  BOOST_TEST(IsValidUtf8(""));
  BOOST_TEST(IsValidUtf8("plain ascii"));
  BOOST_TEST(IsValidUtf8("\xC3\xA9"));              // é
  BOOST_TEST(IsValidUtf8("\xE2\x82\xAC"));          // €
  BOOST_TEST(IsValidUtf8("\xF0\x9F\x98\x80"));      // U+1F600
  BOOST_TEST(IsValidUtf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  BOOST_TEST(IsValidUtf8(std::string("a\0b", 3)));  // NUL is a character
}

BOOST_AUTO_TEST_CASE(refuses_ill_formed_text_at_its_offset) {
  struct Case {
    std::string text;
    std::size_t offset;
  } cases[] = {
      {"ab\xFF", 2},              {"\xC0\xAF", 0},      // overlong
      {"x\xE0\x80\xAF", 1},       {"\xED\xA0\x80", 0},  // surrogate
      {"\xF4\x90\x80\x80", 0},    {"\xC3", 0},          // truncated
      {"\xE2\x82", 0},            {"\x80", 0},          // lone continuation
      {"\xF8\x88\x80\x80\x80", 0},
  };
  for (const Case& c : cases) {
    std::size_t at = 99;
    BOOST_TEST(!IsValidUtf8(c.text, &at));
    BOOST_TEST(at == c.offset);
  }
}

BOOST_AUTO_TEST_CASE(repair_replaces_each_bad_byte) {
  std::string out;
  AppendRepairedUtf8("a\xFF" "b\xC3\xA9", &out);
  BOOST_TEST(out == "a\xEF\xBF\xBD" "b\xC3\xA9");
  BOOST_TEST(IsValidUtf8(out));
}

BOOST_AUTO_TEST_SUITE_END()
