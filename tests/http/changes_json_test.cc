// SPDX-License-Identifier: Apache-2.0
// tests/http/changes_json_test.cc - the change feed routes as HandleRequest
// answers them (src/http/changes_json.cc and the feed handlers of
// src/http/handlers.cc): page shape, parameters, 410, CHANGES=off, and
// what the stream route hands the server. Schema-generic.

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/handlers.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::HandleRequest;
using lmdbapi::http::Request;
using lmdbapi::http::Response;
using lmdbapi::http::Scratch;

namespace {

const Schema& S() { return Schema::Compiled(); }

struct Feed {
  explicit Feed(Options o = {}) {
    o.path = dir.path();
    o.durability = Durability::kNoSync;
    o.map_size_bytes = std::uint64_t{64} << 20;
    auto opened = Env::Open(o);
    BOOST_TEST_REQUIRE(opened.ok(), opened.status().message());
    env = std::move(opened.value());
  }
  const Response& Get(const std::string& path, const std::string& query,
                      std::string_view last_event_id = {}) {
    Request req;
    req.method = "GET";
    req.path = path;
    req.query = query;
    req.last_event_id = last_event_id;
    HandleRequest(*env, req, &resp, &scratch);
    return resp;
  }
  Uuid Insert(std::uint64_t serial) {
    std::mt19937_64 rng(serial);
    Record r = testutil::RandomRecord(S().tables[0], rng, serial);
    auto s = Table(*env, S().tables[0]).Insert(&r);
    BOOST_TEST_REQUIRE(s.ok(), s.status().message());
    return r.uuid;
  }
  testutil::TempDir dir;
  std::unique_ptr<Env> env;
  Response resp;
  Scratch scratch;
};

rapidjson::Document Json(const Response& r) {
  rapidjson::Document d;
  d.Parse(r.body.data(), r.body.size());
  BOOST_TEST_REQUIRE(!d.HasParseError(), r.body);
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes_json)

BOOST_AUTO_TEST_CASE(a_page_holds_changes_in_order_with_the_record_and_next) {
  Feed f;
  Uuid a = f.Insert(1);
  f.Insert(2);
  REQUIRE_OK(Table(*f.env, S().tables[0]).Remove(a));
  const Response& r = f.Get("/api/changes", "limit=2");
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  rapidjson::Document d = Json(r);
  const auto& changes = d["changes"];
  BOOST_TEST_REQUIRE(changes.Size() == 2u);
  BOOST_TEST(changes[0]["seq"].GetUint64() == 1u);
  BOOST_TEST(changes[0]["txn"].GetUint64() == 1u);
  BOOST_TEST(changes[0]["txn_end"].GetBool());
  BOOST_TEST(std::string(changes[0]["op"].GetString()) == "insert");
  BOOST_TEST(std::string(changes[0]["uuid"].GetString()) == a.ToString());
  BOOST_TEST(std::string(changes[0]["table"].GetString()) == S().tables[0].name);
  BOOST_TEST(changes[0]["record"].IsObject());
  BOOST_TEST(changes[0]["revision"].GetUint64() == 1u);
  BOOST_TEST(d["next"].GetUint64() == 2u);

  rapidjson::Document rest = Json(f.Get("/api/changes", "after=2"));
  BOOST_TEST_REQUIRE(rest["changes"].Size() == 1u);
  BOOST_TEST(std::string(rest["changes"][0]["op"].GetString()) == "delete");
  BOOST_TEST(rest["changes"][0]["record"].IsNull());
  BOOST_TEST(rest["next"].GetUint64() == 3u);

  rapidjson::Document none = Json(f.Get("/api/changes", "after=3"));
  BOOST_TEST(none["changes"].Size() == 0u);
  BOOST_TEST(none["next"].GetUint64() == 3u);
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_400_naming_them) {
  Feed f;
  struct Case { std::string query, field; };
  for (const Case& c : {Case{"after=x", "after"}, Case{"after=-1", "after"},
                        Case{"limit=0", "limit"}, Case{"limit=1001", "limit"},
                        Case{"tables=nonesuch", "tables"},
                        Case{"after=1&after=2", "after"},
                        Case{"since=1", "since"}}) {
    const Response& r = f.Get("/api/changes", c.query);
    BOOST_TEST(r.status == 400, c.query);
    rapidjson::Document d = Json(r);
    BOOST_TEST(std::string(d["field"].GetString()) == c.field, c.query);
  }
  const Response& r = f.Get("/api/changes/stream", "limit=5");
  BOOST_TEST(r.status == 400);  // the stream takes no limit
  const Response& h = f.Get("/api/changes/stream", "", "nope");
  BOOST_TEST(h.status == 400);
  BOOST_TEST(h.body.find("Last-Event-ID") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_trimmed_seq_is_410_holding_the_oldest) {
  Options o;
  o.changes_retain_count = 2;
  Feed f(o);
  for (std::uint64_t i = 1; i <= 6; ++i) f.Insert(i);
  for (const char* path : {"/api/changes", "/api/changes/stream"}) {
    const Response& r = f.Get(path, "after=1");
    BOOST_TEST_REQUIRE(r.status == 410, r.body);
    rapidjson::Document d = Json(r);
    BOOST_TEST(d["oldest"].GetUint64() == 5u);
    BOOST_TEST(std::string(d["type"].GetString()) ==
               "urn:lmdb-api:problem:changes-trimmed");
  }
  BOOST_TEST(f.Get("/api/changes", "after=4").status == 200);
}

BOOST_AUTO_TEST_CASE(with_the_feed_off_both_routes_say_so) {
  Options o;
  o.changes = false;
  Feed f(o);
  for (const char* path : {"/api/changes", "/api/changes/stream"}) {
    const Response& r = f.Get(path, "");
    BOOST_TEST(r.status == 409);
    BOOST_TEST(r.body.find("CHANGES=off") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_stream_resumes_after_last_event_id_over_after) {
  Feed f;
  for (std::uint64_t i = 1; i <= 3; ++i) f.Insert(i);
  const Response& r = f.Get("/api/changes/stream", "after=1", "2");
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  BOOST_TEST(r.content_type == "text/event-stream");
  BOOST_TEST_REQUIRE(r.stream.has_value());
  BOOST_TEST(r.stream->after == 2u);
  const Response& now = f.Get("/api/changes/stream", "");
  BOOST_TEST_REQUIRE(now.stream.has_value());
  BOOST_TEST(now.stream->after == 3u);  // without after: from now on
}

BOOST_AUTO_TEST_SUITE_END()
