// SPDX-License-Identifier: Apache-2.0
// tests/store/quote_test.cc - src/store/quote.cc.

#include <string>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/quote.h"

using lmdbapi::AppendEscaped;
using lmdbapi::Quote;
using lmdbapi::Utf8SequenceLength;

BOOST_AUTO_TEST_SUITE(quote)

BOOST_AUTO_TEST_CASE(sequence_length_follows_unicode_table_3_7) {
  struct Case {
    std::string text;
    std::size_t length;
  } cases[] = {
      {"a", 1},          {std::string("\0", 1), 1},
      {"\xC3\xA9", 2},   {"\xE2\x82\xAC", 3},
      {"\xF0\x9F\x98\x80", 4},  {"\xF4\x8F\xBF\xBF", 4},   // U+10FFFF
      {"", 0},           {"\x80", 0},          // lone continuation
      {"\xC0\xAF", 0},   {"\xE0\x80\xAF", 0},  // overlong
      {"\xED\xA0\x80", 0},                     // surrogate
      {"\xF4\x90\x80\x80", 0},                 // past U+10FFFF
      {"\xC3", 0},       {"\xE2\x82", 0},      // truncated
      {"\xF8\x88\x80\x80\x80", 0},
  };
  for (const Case& c : cases)
    BOOST_TEST(Utf8SequenceLength(c.text) == c.length, "text of " << c.text.size()
                                                                  << " bytes");
}

BOOST_AUTO_TEST_CASE(escapes_what_a_log_line_or_json_could_misread) {
  BOOST_TEST(Quote(std::string("a\"b\\c\n\0\x7F", 8)) ==
             "\"a\\\"b\\\\c\\x0A\\x00\\x7F\"");
}

BOOST_AUTO_TEST_CASE(keeps_utf8_and_shows_other_bytes_as_hex) {
  BOOST_TEST(Quote("\xC3\xA9\xFF\xE2\x82") == "\"\xC3\xA9\\xFF\\xE2\\x82\"");
}

BOOST_AUTO_TEST_CASE(cuts_long_text_between_characters_and_says_so) {
  BOOST_TEST(Quote("abcdef", 4) == "\"abcd\"...");
  BOOST_TEST(Quote("abcd", 4) == "\"abcd\"");
  // The euro sign would straddle byte 4: it is left out whole.
  BOOST_TEST(Quote("abc\xE2\x82\xAC", 4) == "\"abc\"...");
  BOOST_TEST(Quote(std::string(100, 'x')) == "\"" + std::string(64, 'x') + "\"...");
}

BOOST_AUTO_TEST_CASE(append_escaped_adds_no_quotes_and_reports_a_cut) {
  std::string out = "GET ";
  BOOST_TEST(!AppendEscaped("/api/a\tb", 200, &out));
  BOOST_TEST(out == "GET /api/a\\x09b");
  out.clear();
  BOOST_TEST(AppendEscaped("abc", 2, &out));
  BOOST_TEST(out == "ab");
}

BOOST_AUTO_TEST_SUITE_END()
