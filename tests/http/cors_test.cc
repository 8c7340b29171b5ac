// SPDX-License-Identifier: Apache-2.0
// tests/http/cors_test.cc - src/http/cors.cc: CORS_ORIGINS and the CORS
// headers of an answer.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/cors.h"

using lmdbapi::http::AppendCorsHeaders;
using lmdbapi::http::CorsPolicy;
using lmdbapi::http::CorsRequest;
using lmdbapi::http::ParseCorsOrigins;

namespace {

CorsPolicy Policy(std::string_view text) {
  auto p = ParseCorsOrigins(text);
  BOOST_TEST_REQUIRE(p.ok(), p.status().message());
  return p.value();
}

std::string Headers(const CorsPolicy& policy, CorsRequest req, int status,
                    std::string_view allow = "") {
  std::string head;
  AppendCorsHeaders(policy, req, status, allow, &head);
  return head;
}

bool Has(const std::string& head, const std::string& line) {
  return head.find(line + "\r\n") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cors)

BOOST_AUTO_TEST_CASE(origins_split_on_commas_and_spaces_and_compare_lower_case) {
  CorsPolicy p = Policy(" https://App.Example.com,http://localhost:3000  http://[::1]:8080,");
  BOOST_TEST(p.origins.size() == 3u);
  BOOST_TEST(p.Allows("https://app.example.com"));
  BOOST_TEST(p.Allows("http://localhost:3000"));
  BOOST_TEST(p.Allows("http://[::1]:8080"));
  BOOST_TEST(!p.Allows("http://localhost:3001"));
  BOOST_TEST(!p.Allows("https://app.example.com.evil.test"));
  BOOST_TEST(!p.Allows(""));
  BOOST_TEST(!p.any_origin);
}

BOOST_AUTO_TEST_CASE(star_allows_any_origin_but_only_alone) {
  CorsPolicy p = Policy("*");
  BOOST_TEST(p.any_origin);
  BOOST_TEST(p.Allows("https://anything.test"));
  BOOST_TEST(!p.Allows(""));  // no Origin: not a cross-origin request
  BOOST_TEST(!ParseCorsOrigins("* https://a.test").ok());
}

BOOST_AUTO_TEST_CASE(a_bad_origin_is_named_with_what_is_wrong) {
  struct Case { std::string text, bad, hint; };
  const std::vector<Case> cases = {
      {"https://a.test/app", "https://a.test/app", "path"},
      {"a.test", "a.test", "scheme://host"},
      {"ftp://a.test", "ftp://a.test", "http or https"},
      {"https://a.test:443", "https://a.test:443", "default port"},
      {"http://a.test:80", "http://a.test:80", "default port"},
      {"http://a.test:0", "http://a.test:0", "1..65535"},
      {"http://a.test:99999", "http://a.test:99999", "1..65535"},
      {"http://a.test:", "http://a.test:", "empty port"},
      {"https://", "https://", "no host"},
      {"http://a.test ftp://b.test", "ftp://b.test", "scheme"},
      {"null", "null", "not an origin"},
      {" , ", " , ", "names no origin"},
  };
  for (const Case& c : cases) {
    auto p = ParseCorsOrigins(c.text);
    BOOST_TEST_REQUIRE(!p.ok(), c.text << " was accepted");
    const std::string& msg = p.status().message();
    BOOST_TEST(p.status().subject() == "CORS_ORIGINS");
    BOOST_TEST(msg.find("CORS_ORIGINS: \"" + c.bad + "\"") == 0, msg);
    BOOST_TEST(msg.find(c.hint) != std::string::npos, msg);
  }
}

BOOST_AUTO_TEST_CASE(off_adds_nothing) {
  BOOST_TEST(Headers(CorsPolicy(), {"GET", "https://a.test", ""}, 200).empty());
  BOOST_TEST(Headers(CorsPolicy(), {"OPTIONS", "https://a.test", "PUT"}, 204,
                     "GET, HEAD, PUT, DELETE, OPTIONS").empty());
}

BOOST_AUTO_TEST_CASE(an_allowed_origin_may_read_the_answer_and_its_headers) {
  const std::string h = Headers(Policy("https://a.test"), {"GET", "https://a.test", ""}, 404);
  BOOST_TEST(Has(h, "Access-Control-Allow-Origin: https://a.test"), h);
  BOOST_TEST(Has(h, "Access-Control-Expose-Headers: ETag, Location, X-Query-Plan, Allow, "
                     "WWW-Authenticate, Idempotent-Replayed"), h);
  BOOST_TEST(Has(h, "Vary: Origin"), h);
  BOOST_TEST(h.find("Access-Control-Allow-Methods") == std::string::npos, h);
  BOOST_TEST(h.find("Access-Control-Allow-Credentials") == std::string::npos, h);
}

BOOST_AUTO_TEST_CASE(star_answers_star_not_the_origin) {
  const std::string h = Headers(Policy("*"), {"GET", "https://a.test", ""}, 200);
  BOOST_TEST(Has(h, "Access-Control-Allow-Origin: *"), h);
}

BOOST_AUTO_TEST_CASE(other_origins_and_no_origin_get_only_vary) {
  const CorsPolicy p = Policy("https://a.test");
  for (std::string_view origin : {"https://b.test", ""}) {
    const std::string h = Headers(p, {"GET", origin, ""}, 200);
    BOOST_TEST(h == "Vary: Origin\r\n", origin);
  }
  const std::string h = Headers(p, {"OPTIONS", "https://b.test", "PUT"}, 204,
                                "GET, HEAD, PUT, DELETE, OPTIONS");
  BOOST_TEST(h.find("Access-Control-Allow") == std::string::npos, h);
}

BOOST_AUTO_TEST_CASE(a_preflight_gets_the_routes_methods_and_the_headers_read) {
  const std::string h = Headers(Policy("https://a.test"),
                                {"OPTIONS", "https://a.test", "PATCH"}, 204,
                                "GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
  BOOST_TEST(Has(h, "Access-Control-Allow-Origin: https://a.test"), h);
  BOOST_TEST(Has(h, "Access-Control-Allow-Methods: GET, HEAD, PUT, PATCH, DELETE, OPTIONS"), h);
  BOOST_TEST(Has(h, "Access-Control-Allow-Headers: Content-Type, Authorization, X-API-Key, "
                     "If-Match, If-None-Match, Idempotency-Key"), h);
  BOOST_TEST(Has(h, "Access-Control-Max-Age: 600"), h);
  BOOST_TEST(Has(h, "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers"), h);
  // The methods are the route's own Allow, not a fixed list.
  const std::string post = Headers(Policy("https://a.test"),
                                   {"OPTIONS", "https://a.test", "POST"}, 204,
                                   "GET, HEAD, POST, OPTIONS");
  BOOST_TEST(Has(post, "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS"), post);
}

BOOST_AUTO_TEST_CASE(a_plain_options_or_a_failed_one_is_no_preflight) {
  const CorsPolicy p = Policy("https://a.test");
  // No Access-Control-Request-Method: a plain OPTIONS from a page.
  std::string h = Headers(p, {"OPTIONS", "https://a.test", ""}, 204, "GET, HEAD, OPTIONS");
  BOOST_TEST(h.find("Access-Control-Allow-Methods") == std::string::npos, h);
  // An unknown path (404) is no preflight either, but the page may read it.
  h = Headers(p, {"OPTIONS", "https://a.test", "GET"}, 404);
  BOOST_TEST(h.find("Access-Control-Allow-Methods") == std::string::npos, h);
  BOOST_TEST(Has(h, "Access-Control-Allow-Origin: https://a.test"), h);
}

BOOST_AUTO_TEST_CASE(only_an_allowed_preflight_goes_without_a_key) {
  const CorsPolicy p = Policy("https://a.test");
  BOOST_TEST(p.IsAllowedPreflight("OPTIONS", "https://a.test", "GET"));
  BOOST_TEST(!p.IsAllowedPreflight("OPTIONS", "https://a.test", ""));
  BOOST_TEST(!p.IsAllowedPreflight("OPTIONS", "https://b.test", "GET"));
  BOOST_TEST(!p.IsAllowedPreflight("GET", "https://a.test", "GET"));
  BOOST_TEST(!CorsPolicy().IsAllowedPreflight("OPTIONS", "https://a.test", "GET"));
}

BOOST_AUTO_TEST_SUITE_END()
