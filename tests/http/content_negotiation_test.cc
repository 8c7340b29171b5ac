// SPDX-License-Identifier: Apache-2.0
// tests/http/content_negotiation_test.cc - src/http/content_negotiation.cc.

#include <optional>
#include <string>

#include <boost/test/unit_test.hpp>

#include "http/content_negotiation.h"

using lmdbapi::http::HasMediaType;
using lmdbapi::http::MediaType;
using lmdbapi::http::NegotiateMediaType;

namespace {

std::string Name(std::optional<MediaType> m) {
  if (!m) return "406";
  return *m == MediaType::kJson ? "json" : "msgpack";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(content_negotiation)

BOOST_AUTO_TEST_CASE(accept_headers_choose_as_rfc_9110_says) {
  struct Case {
    const char* accept;
    const char* want;
  };
  const Case cases[] = {
      {"", "json"},  // no header: anything
      {"application/json", "json"},
      {"application/msgpack", "msgpack"},
      {"APPLICATION/MsgPack", "msgpack"},
      {"*/*", "json"},
      {"application/*", "json"},
      {"application/msgpack, application/json", "json"},  // a tie: ours
      {"application/json;q=0.5, application/msgpack", "msgpack"},
      {"application/msgpack;q=0.9, application/json;q=0.8", "msgpack"},
      {"application/msgpack;q=0.001", "msgpack"},
      // The more specific range decides for its type.
      {"*/*;q=0.1, application/msgpack", "msgpack"},
      {"application/*;q=0.2, application/json;q=0.1", "msgpack"},
      {"application/json;q=0, */*", "msgpack"},
      {"application/msgpack;q=0, */*", "json"},
      // Nothing acceptable.
      {"text/html", "406"},
      {"application/json;q=0", "406"},
      {"application/json;q=0, application/msgpack;q=0.000", "406"},
      {"*/*;q=0", "406"},
      {"application/xml, text/*", "406"},
      // Parameters other than q are ignored; q may come with spaces.
      {"application/json; charset=utf-8", "json"},
      {"application/json ; q=0.5 , application/msgpack ; q = 0.6", "msgpack"},
      {"application/msgpack;foo=\"a,b\";q=1, application/json;q=0.5", "msgpack"},
      // Elements that are not media ranges, or bad q-values, are skipped.
      {"garbage", "json"},
      {"application/msgpack;q=2", "json"},
      {"application/msgpack;q=0.5000, text/plain", "406"},
      {"*/msgpack", "json"},
      {",,application/msgpack,,", "msgpack"},
  };
  for (const Case& c : cases)
    BOOST_TEST(Name(NegotiateMediaType(c.accept)) == c.want,
               "Accept: " << c.accept);
}

BOOST_AUTO_TEST_CASE(content_types_match_by_media_type_alone) {
  BOOST_TEST(HasMediaType("application/msgpack", "application/msgpack"));
  BOOST_TEST(HasMediaType(" Application/MsgPack ; x=1", "application/msgpack"));
  BOOST_TEST(!HasMediaType("application/msgpackx", "application/msgpack"));
  BOOST_TEST(!HasMediaType("", "application/msgpack"));
}

BOOST_AUTO_TEST_SUITE_END()
