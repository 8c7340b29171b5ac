// SPDX-License-Identifier: Apache-2.0
// tests/e2e/nginx_errors_test.cc - the errors nginx answers itself, before
// or instead of a worker, are problem+json bodies exactly like the
// worker's: the type, title and status of a problems.def row, the
// application/problem+json Content-Type, and a detail naming nginx.
//
// Provoked here: 400 (a request line or a header nginx cannot take), 404
// (outside /api/, a missing docs file), 405 (a DELETE of a docs file), 413
// (a body over client_max_body_size), 414 (a request line over nginx's
// buffers), 501 (a Transfer-Encoding nginx lacks), 505 (an HTTP version it
// lacks) and 502 -> 503 (no worker listening). Not provoked: 408 (nginx closes a timed-out connection
// without answering), 429 (no rate limit is configured), 500 (a fault in
// nginx itself), 504 (a hung worker: 30 s of fastcgi_read_timeout).
// tests/http/nginx_problems_test.cc checks those pages as text.

#include <string>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "http/problem.h"

namespace lmdbapi::e2e {
namespace {

// The whole body, not just its shape: nginx's page must be the same problem
// the worker would send for `slug`.
void CheckNginxProblem(const Response& r, long status, std::string_view slug) {
  CheckProblem(r, status);
  BOOST_TEST_CONTEXT(r.Describe()) {
    rapidjson::Document d = ParseJson(r.body);
    BOOST_TEST_REQUIRE(d.IsObject());
    std::vector<http::ProblemType> types = http::AllProblemTypes();
    for (const auto& t : http::NginxOnlyProblemTypes()) types.push_back(t);
    const http::ProblemType* want = nullptr;
    for (const auto& t : types)
      if (t.slug == slug) want = &t;
    BOOST_TEST_REQUIRE(want != nullptr, slug);
    const rapidjson::Value* type = JsonMember(d, "type");
    const rapidjson::Value* title = JsonMember(d, "title");
    const rapidjson::Value* detail = JsonMember(d, "detail");
    BOOST_TEST_REQUIRE((type && type->IsString() && title && title->IsString() &&
                        detail && detail->IsString()));
    BOOST_TEST(type->GetString() == "urn:lmdb-api:problem:" + std::string(slug));
    BOOST_TEST(title->GetString() == std::string(want->title));
    BOOST_TEST(std::string(detail->GetString()).find("nginx") != std::string::npos,
               "the detail says nginx answered");
  }
}

std::string Raw(const std::string& request_line, const std::string& headers = "") {
  return request_line + "\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(nginx_errors, StackFixture)

BOOST_AUTO_TEST_CASE(a_request_line_nginx_cannot_parse_is_a_400_problem) {
  CheckNginxProblem(RawRequest(stack.port(), "GARBAGE\r\n\r\n", 10000), 400,
                    "bad-request");
  CheckNginxProblem(RawRequest(stack.port(), Raw("GET /api/ HTTP/1.1 x"), 10000),
                    400, "bad-request");
}

BOOST_AUTO_TEST_CASE(an_http_version_nginx_lacks_is_a_505_problem) {
  CheckNginxProblem(RawRequest(stack.port(), Raw("GET /api/ HTTP/9.9"), 10000),
                    505, "http-version-not-supported");
}

BOOST_AUTO_TEST_CASE(a_header_over_nginx_buffers_is_a_400_problem) {
  const std::string path = "/api/" + TheSchema().tables.front().name;
  const Response r = RawRequest(
      stack.port(),
      Raw("GET " + path + " HTTP/1.1", "X-Big: " + std::string(16 * 1024, 'h') + "\r\n"),
      10000);
  CheckNginxProblem(r, 400, "bad-request");
}

BOOST_AUTO_TEST_CASE(a_request_line_over_nginx_buffers_is_a_414_problem) {
  const std::string path = "/api/" + TheSchema().tables.front().name +
                           "?limit=1&x=" + std::string(16 * 1024, 'u');
  CheckNginxProblem(http().Get(path), 414, "uri-too-long");
}

BOOST_AUTO_TEST_CASE(a_body_over_client_max_body_size_is_a_413_problem) {
  const TableDesc& t = TheSchema().tables.front();
  const std::string body = "{\"x\":\"" + std::string(2 << 20, 'b') + "\"}";
  CheckNginxProblem(http().Post("/api/" + t.name, body), 413, "body-too-large");
}

BOOST_AUTO_TEST_CASE(paths_outside_the_api_are_404_problems) {
  CheckNginxProblem(http().Get("/"), 404, "no-route");
  CheckNginxProblem(http().Get("/index.html"), 404, "no-route");
  CheckNginxProblem(http().Get("/api/docs/no-such-file.js"), 404, "no-route");
}

// nginx's static files take GET, HEAD and (for a file that exists) POST.
BOOST_AUTO_TEST_CASE(a_delete_of_a_docs_file_is_a_405_problem) {
  CheckNginxProblem(http().Delete("/api/docs/index.html"), 405,
                    "method-not-allowed");
  CheckNginxProblem(http().Put("/api/docs/swagger-ui.css", "{}"), 405,
                    "method-not-allowed");
}

BOOST_AUTO_TEST_CASE(a_transfer_encoding_nginx_lacks_is_a_501_problem) {
  const std::string path = "/api/" + TheSchema().tables.front().name;
  CheckNginxProblem(
      RawRequest(stack.port(),
                 Raw("POST " + path + " HTTP/1.1",
                     "Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n"),
                 10000),
      501, "not-implemented");
}

BOOST_AUTO_TEST_CASE(no_worker_listening_is_a_503_problem_for_reads_and_writes) {
  const TableDesc& t = TheSchema().tables.front();
  BOOST_TEST_REQUIRE(stack.StopWorker(0).Clean());
  CheckNginxProblem(http().Get("/api/" + t.name + "?limit=1"), 503, "unavailable");
  CheckNginxProblem(http().Post("/api/" + t.name, "{}"), 503, "unavailable");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
