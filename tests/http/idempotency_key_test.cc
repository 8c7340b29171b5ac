// SPDX-License-Identifier: Apache-2.0
// tests/http/idempotency_key_test.cc - the Idempotency-Key header, request
// digests and stored answers (src/http/idempotency_key.cc).

#include <string>

#include <boost/test/unit_test.hpp>

#include "http/idempotency_key.h"
#include "lmdbapi/batch.h"

using namespace lmdbapi;
using namespace lmdbapi::http;

BOOST_AUTO_TEST_SUITE(idempotency_key)

BOOST_AUTO_TEST_CASE(sf_strings_are_keys_with_their_escapes_undone) {
  struct Case {
    std::string header, key;
  };
  for (const Case& c : {Case{"\"abc\"", "abc"},
                        Case{"  \"8e03978e-40d5\" ", "8e03978e-40d5"},
                        Case{"\"a\\\"b\\\\c\"", "a\"b\\c"},
                        Case{"\"with space\"", "with space"}}) {
    std::string key;
    Status s = ParseIdempotencyKey(c.header, &key);
    BOOST_TEST(s.ok(), c.header << ": " << s.message());
    BOOST_TEST(key == c.key);
  }
}

BOOST_AUTO_TEST_CASE(other_values_are_400_naming_the_header) {
  for (const std::string& header :
       {std::string("abc"), std::string("\"\""), std::string("\"abc"),
        std::string("\"a\"b\""), std::string("\"a\\nb\""),
        std::string("\"caf\xc3\xa9\""), std::string("\"tab\there\""),
        "\"" + std::string(kMaxIdempotencyKeyBytes + 1, 'k') + "\"",
        std::string(":YWJj:")}) {
    std::string key;
    Status s = ParseIdempotencyKey(header, &key);
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument), header);
    BOOST_TEST(s.subject() == "Idempotency-Key");
  }
  std::string key;
  BOOST_TEST(ParseIdempotencyKey(
                 "\"" + std::string(kMaxIdempotencyKeyBytes, 'k') + "\"", &key)
                 .ok());
}

BOOST_AUTO_TEST_CASE(digests_differ_for_any_part_and_cannot_shift_bytes) {
  const std::string d = RequestDigest("POST", "/api/t", "", "{}");
  BOOST_TEST(d.size() == 32u);
  BOOST_TEST(d == RequestDigest("POST", "/api/t", "", "{}"));
  BOOST_TEST(d != RequestDigest("PUT", "/api/t", "", "{}"));
  BOOST_TEST(d != RequestDigest("POST", "/api/u", "", "{}"));
  BOOST_TEST(d != RequestDigest("POST", "/api/t", "a=1", "{}"));
  BOOST_TEST(d != RequestDigest("POST", "/api/t", "", "{ }"));
  // The same bytes split differently are a different request.
  BOOST_TEST(RequestDigest("POST", "/api/t", "x", "") !=
             RequestDigest("POST", "/api/t", "", "x"));
}

BOOST_AUTO_TEST_CASE(answers_round_trip_and_are_marked_replayed) {
  Response r;
  r.status = 201;
  r.content_type = kJsonContentType;
  r.location = "/api/t/1";
  r.etag = "\"1\"";
  r.body = std::string("{\"a\":1}\0x", 9);
  Response back;
  BOOST_TEST_REQUIRE(DecodeAnswer(EncodeAnswer(r), &back));
  BOOST_TEST(back.status == 201);
  BOOST_TEST(back.content_type == kJsonContentType);
  BOOST_TEST(back.content_type.data() == kJsonContentType.data());
  BOOST_TEST(back.location == r.location);
  BOOST_TEST(back.etag == r.etag);
  BOOST_TEST(back.body == r.body);
  BOOST_TEST(back.idempotent_replayed);
  BOOST_TEST(!DecodeAnswer("not msgpack at all", &back));
}

BOOST_AUTO_TEST_CASE(a_key_is_claimed_once_until_released) {
  KeysInFlight keys;
  int env_a = 0, env_b = 0;
  const Env* a = reinterpret_cast<const Env*>(&env_a);
  const Env* b = reinterpret_cast<const Env*>(&env_b);
  BOOST_TEST(keys.Claim(a, "k"));
  BOOST_TEST(!keys.Claim(a, "k"));
  BOOST_TEST(keys.Claim(b, "k"));
  keys.Release(a, "k");
  BOOST_TEST(keys.Claim(a, "k"));
}

BOOST_AUTO_TEST_SUITE_END()
