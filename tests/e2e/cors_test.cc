// SPDX-License-Identifier: Apache-2.0
// tests/e2e/cors_test.cc - CORS_ORIGINS through nginx and the worker.
//
// Off by default: OPTIONS is 204 with Allow and no Access-Control-*
// header. With CORS_ORIGINS, a preflight from an allowed origin gets the
// route's methods and the headers the API reads (without an API key, when
// keys are on), and every answer to it, problems included, says who may
// read it; another origin gets nothing but Vary. A bad CORS_ORIGINS stops
// the worker at start-up with a line naming it.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr const char* kOrigin = "http://app.example.test:8000";
constexpr const char* kUuid = "0190a5c4-7e2b-7c3d-8e4f-0123456789ab";

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

Response Preflight(HttpClient& http, const std::string& path,
                   const std::string& origin, const std::string& method,
                   Headers more = {}) {
  Headers h = {{"Origin", origin},
               {"Access-Control-Request-Method", method},
               {"Access-Control-Request-Headers", "content-type,if-match"}};
  for (auto& m : more) h.push_back(m);
  return http.Request("OPTIONS", path, {}, h);
}

void StartWithCors(Stack& stack, std::vector<std::string> env = {},
                   std::string probe_key = "") {
  StackOptions o;
  o.worker_env = std::move(env);
  o.probe_key = std::move(probe_key);
  o.worker_env.push_back(std::string("CORS_ORIGINS=https://other.test ") + kOrigin);
  stack.Start(o);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cors)

BOOST_FIXTURE_TEST_CASE(off_by_default_options_is_allow_alone, StackFixture) {
  const TableDesc& t = TheSchema().tables.front();
  Response r = Preflight(http(), RecordPath(t, kUuid), kOrigin, "PUT");
  BOOST_TEST(r.status == 204, r.Describe());
  BOOST_TEST(r.Header("Allow") == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
  BOOST_TEST(r.body.empty());
  for (const auto& h : r.headers)
    BOOST_TEST(!Contains(h.first, "Access-Control"), h.first);
  BOOST_TEST(r.Header("Vary").empty());
  Response get = http().Request("GET", TablePath(t), {}, {{"Origin", kOrigin}});
  BOOST_TEST(get.Header("Access-Control-Allow-Origin").empty());
  CheckProblem(http().Request("OPTIONS", "/api/no_such_table"), 404);
}

BOOST_AUTO_TEST_CASE(an_allowed_origin_gets_a_preflight_and_readable_answers) {
  Stack stack;
  StartWithCors(stack);
  HttpClient& http = stack.client();
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Response pre = Preflight(http, RecordPath(t, kUuid), kOrigin, "PUT");
      BOOST_TEST(pre.status == 204, pre.Describe());
      BOOST_TEST(pre.Header("Access-Control-Allow-Origin") == kOrigin);
      const std::string methods = pre.Header("Access-Control-Allow-Methods");
      for (std::string_view m : {"GET", "PUT", "PATCH", "DELETE"})
        BOOST_TEST(Contains(methods, m), methods);
      BOOST_TEST(!Contains(methods, "POST"), methods);
      const std::string headers = pre.Header("Access-Control-Allow-Headers");
      for (std::string_view h : {"Content-Type", "If-Match", "If-None-Match",
                                 "Authorization", "X-API-Key"})
        BOOST_TEST(Contains(headers, h), headers);
      BOOST_TEST(pre.Header("Access-Control-Max-Age") == "600");
      BOOST_TEST(Contains(pre.Header("Vary"), "Origin"), pre.Header("Vary"));
      BOOST_TEST(Contains(pre.Header("Vary"), "Access-Control-Request-Method"));
      // The collection takes POST, not PUT: each route says its own.
      Response col = Preflight(http, TablePath(t), kOrigin, "POST");
      BOOST_TEST(col.Header("Access-Control-Allow-Methods") == "GET, HEAD, POST, OPTIONS");

      // Actual answers: a write, a read, and problems.
      const Rec a = InsertGenerated(http, t);
      Response get = http.Request("GET", RecordPath(t, a.uuid), {}, {{"Origin", kOrigin}});
      BOOST_TEST(get.status == 200, get.Describe());
      BOOST_TEST(get.Header("Access-Control-Allow-Origin") == kOrigin);
      const std::string exposed = get.Header("Access-Control-Expose-Headers");
      for (std::string_view h : {"ETag", "Location", "X-Query-Plan"})
        BOOST_TEST(Contains(exposed, h), exposed);
      BOOST_TEST(Contains(get.Header("Vary"), "Origin"));
      BOOST_TEST(get.Header("Access-Control-Allow-Methods").empty());
      Response missing = http.Request("GET", RecordPath(t, kUuid), {}, {{"Origin", kOrigin}});
      CheckProblem(missing, 404);
      BOOST_TEST(missing.Header("Access-Control-Allow-Origin") == kOrigin);
      Response not_allowed = http.Request("POST", RecordPath(t, kUuid), "{}", {{"Origin", kOrigin}});
      CheckProblem(not_allowed, 405);
      BOOST_TEST(not_allowed.Header("Access-Control-Allow-Origin") == kOrigin);
    }
  }
  // A route without a record behind it still preflights; no path, no route.
  Response health = Preflight(http, "/api/health", kOrigin, "GET");
  BOOST_TEST(health.status == 204, health.Describe());
  BOOST_TEST(health.Header("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS");
  Response none = Preflight(http, "/api/no_such_table", kOrigin, "GET");
  CheckProblem(none, 404);
  BOOST_TEST(none.Header("Access-Control-Allow-Methods").empty());
}

BOOST_AUTO_TEST_CASE(another_origin_or_a_plain_options_gets_no_cors_headers) {
  Stack stack;
  StartWithCors(stack);
  HttpClient& http = stack.client();
  const TableDesc& t = TheSchema().tables.front();
  for (const std::string origin : {"http://evil.test", "http://app.example.test:8001",
                                   "https://app.example.test:8000"}) {
    Response pre = Preflight(http, RecordPath(t, kUuid), origin, "PUT");
    BOOST_TEST(pre.status == 204, pre.Describe());
    BOOST_TEST(pre.Header("Access-Control-Allow-Origin").empty(), origin);
    BOOST_TEST(pre.Header("Access-Control-Allow-Methods").empty(), origin);
    BOOST_TEST(Contains(pre.Header("Vary"), "Origin"));
    Response get = http.Request("GET", TablePath(t), {}, {{"Origin", origin}});
    BOOST_TEST(get.status == 200, get.Describe());
    BOOST_TEST(get.Header("Access-Control-Allow-Origin").empty(), origin);
    BOOST_TEST(Contains(get.Header("Vary"), "Origin"), get.Describe());
  }
  Response plain = http.Request("OPTIONS", TablePath(t));
  BOOST_TEST(plain.status == 204, plain.Describe());
  BOOST_TEST(plain.Header("Allow") == "GET, HEAD, POST, OPTIONS");
  BOOST_TEST(plain.Header("Access-Control-Allow-Origin").empty());
}

BOOST_AUTO_TEST_CASE(a_preflight_needs_no_key_but_everything_else_does) {
  Stack stack;
  const std::string keys = stack.dir() + "/api-keys";
  const std::string key = "cors-read-key-0123456789";
  std::ofstream(keys) << "read " << key << "\n";
  chmod(keys.c_str(), 0600);
  StartWithCors(stack, {"API_KEYS_FILE=" + keys}, key);
  HttpClient& http = stack.client();
  const TableDesc& t = TheSchema().tables.front();
  Response pre = Preflight(http, TablePath(t), kOrigin, "GET");
  BOOST_TEST(pre.status == 204, pre.Describe());
  BOOST_TEST(pre.Header("Access-Control-Allow-Origin") == kOrigin);
  // Not a preflight from an allowed origin: the key is asked for, and the
  // page may read why.
  CheckProblem(http.Request("OPTIONS", TablePath(t)), 401);
  CheckProblem(Preflight(http, TablePath(t), "http://evil.test", "GET"), 401);
  Response keyless = http.Request("GET", TablePath(t), {}, {{"Origin", kOrigin}});
  CheckProblem(keyless, 401);
  BOOST_TEST(keyless.Header("Access-Control-Allow-Origin") == kOrigin);
  Response keyed = http.Request("GET", TablePath(t), {}, {{"Origin", kOrigin}, {"X-API-Key", key}});
  BOOST_TEST(keyed.status == 200, keyed.Describe());
  BOOST_TEST(keyed.Header("Access-Control-Allow-Origin") == kOrigin);
}

BOOST_AUTO_TEST_CASE(a_bad_origin_stops_start_up_naming_the_setting) {
  Stack stack;  // for its directory
  const char* worker = std::getenv("LMDBAPI_WORKER");
  BOOST_TEST_REQUIRE(worker != nullptr);
  const std::string cmd = "env LMDB_PATH=" + stack.DataDir() + " FCGI_SOCKET=" +
                          stack.dir() + "/refused.sock CORS_ORIGINS=https://app.test/ui " +
                          "timeout 20 " + worker + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = pclose(p);
  BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 2), out);
  BOOST_TEST(Contains(out, "CORS_ORIGINS: \"https://app.test/ui\""), out);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
