// SPDX-License-Identifier: Apache-2.0
// tests/http/query_test.cc - src/http/query.cc: query-string decoding.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/query.h"

using lmdbapi::http::ParseQuery;
using lmdbapi::http::PercentDecode;
using lmdbapi::http::QueryParam;

namespace {

std::vector<QueryParam> Parsed(const std::string& q) {
  std::vector<QueryParam> out;
  lmdbapi::Status s = ParseQuery(q, &out);
  BOOST_TEST_REQUIRE(s.ok(), q << ": " << s.message());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(query)

BOOST_AUTO_TEST_CASE(pairs_come_out_in_order_with_duplicates) {
  auto p = Parsed("a=1&b=two&a=3");
  BOOST_TEST_REQUIRE(p.size() == 3u);
  BOOST_TEST(p[0].name == "a");
  BOOST_TEST(p[0].value == "1");
  BOOST_TEST(p[1].name == "b");
  BOOST_TEST(p[1].value == "two");
  BOOST_TEST(p[2].value == "3");
}

BOOST_AUTO_TEST_CASE(percent_escapes_and_plus_are_decoded) {
  auto p = Parsed("client=Acme+%26+Sons&n%61me=%C3%A9t%C3%A9&x=a%2Bb%3D%25");
  BOOST_TEST_REQUIRE(p.size() == 3u);
  BOOST_TEST(p[0].value == "Acme & Sons");
  BOOST_TEST(p[1].name == "name");
  BOOST_TEST(p[1].value == "\xC3\xA9t\xC3\xA9");
  BOOST_TEST(p[2].value == "a+b=%");
  BOOST_TEST(Parsed("x=%e2%82%ac")[0].value == "\xE2\x82\xAC");  // lower hex
}

BOOST_AUTO_TEST_CASE(empty_pieces_and_values) {
  auto p = Parsed("&a=&&b&c==x&");
  BOOST_TEST_REQUIRE(p.size() == 3u);
  BOOST_TEST(p[0].name == "a");
  BOOST_TEST(p[0].value == "");
  BOOST_TEST(p[1].name == "b");
  BOOST_TEST(p[1].value == "");
  BOOST_TEST(p[2].value == "=x");
  BOOST_TEST(Parsed("").empty());
}

BOOST_AUTO_TEST_CASE(malformed_input_is_refused_naming_the_parameter) {
  struct Case {
    std::string query, subject;
  } cases[] = {
      {"limit=%", "limit"},      {"limit=%4", "limit"},
      {"limit=%zz", "limit"},    {"a=1&client=%G1", "client"},
      {"%=1", "query"},          {"=1", "query"},
      {"x=%FF", "x"},            {"x=%C0%AF", "x"},  // overlong '/'
      {"x=%ED%A0%80", "x"},      {"%FF=1", "query"},  // surrogate; bad name
  };
  for (const Case& c : cases) {
    std::vector<QueryParam> out;
    lmdbapi::Status s = ParseQuery(c.query, &out);
    BOOST_TEST(!s.ok(), c.query);
    BOOST_TEST(s.subject() == c.subject, c.query << ": " << s.message());
  }
}

BOOST_AUTO_TEST_CASE(nul_bytes_decode_as_data) {
  // A NUL is valid UTF-8; what it means is up to the field.
  auto p = Parsed("x=a%00b");
  BOOST_TEST(p[0].value == std::string("a\0b", 3));
}

BOOST_AUTO_TEST_CASE(percent_decode_keeps_plus_for_paths) {
  std::string out;
  BOOST_TEST(PercentDecode("/a+b%20c", false, &out));
  BOOST_TEST(out == "/a+b c");
  BOOST_TEST(!PercentDecode("/a%2", false, &out));
}

BOOST_AUTO_TEST_SUITE_END()
