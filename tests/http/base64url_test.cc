// SPDX-License-Identifier: Apache-2.0
// tests/http/base64url_test.cc - src/http/base64url.cc: page cursors.

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "http/base64url.h"

using lmdbapi::http::AppendBase64Url;
using lmdbapi::http::DecodeBase64Url;

namespace {

std::string Encode(const std::string& bytes) {
  std::string out;
  AppendBase64Url(bytes, &out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(base64url)

BOOST_AUTO_TEST_CASE(rfc4648_vectors_without_padding) {
  BOOST_TEST(Encode("") == "");
  BOOST_TEST(Encode("f") == "Zg");
  BOOST_TEST(Encode("fo") == "Zm8");
  BOOST_TEST(Encode("foo") == "Zm9v");
  BOOST_TEST(Encode("foob") == "Zm9vYg");
  BOOST_TEST(Encode("fooba") == "Zm9vYmE");
  BOOST_TEST(Encode("foobar") == "Zm9vYmFy");
  BOOST_TEST(Encode("\xfb\xff") == "-_8");  // the two url-safe characters
}

BOOST_AUTO_TEST_CASE(random_bytes_round_trip) {
  std::mt19937 rng(42);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(n % 67, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    std::string back;
    BOOST_TEST_REQUIRE(DecodeBase64Url(Encode(bytes), &back), "seed 42 n=" << n);
    BOOST_TEST(back == bytes, "seed 42 n=" << n);
  }
}

BOOST_AUTO_TEST_CASE(malformed_text_is_refused) {
  std::string out;
  BOOST_TEST(!DecodeBase64Url("Zm9v=", &out));   // padding
  BOOST_TEST(!DecodeBase64Url("Zm+v", &out));    // standard alphabet
  BOOST_TEST(!DecodeBase64Url("Zm/v", &out));
  BOOST_TEST(!DecodeBase64Url("Z", &out));       // length 1 mod 4
  BOOST_TEST(!DecodeBase64Url("Zh", &out));      // non-zero unused bits
  BOOST_TEST(!DecodeBase64Url("Zm9 ", &out));
  BOOST_TEST(DecodeBase64Url("Zg", &out));
  BOOST_TEST(out == "f");
}

BOOST_AUTO_TEST_SUITE_END()
