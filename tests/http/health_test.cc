// SPDX-License-Identifier: Apache-2.0
// tests/http/health_test.cc - src/http/health.cc, through HandleRequest.

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/handlers.h"
#include "http/health.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "store/txn.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::HandleRequest;
using lmdbapi::http::Request;
using lmdbapi::http::Response;
using lmdbapi::http::Scratch;

namespace {

Response Get(Env& env, std::string_view path, std::string_view query = "") {
  Request req;
  req.method = "GET";
  req.path = path;
  req.query = query;
  Response resp;
  Scratch scratch;
  HandleRequest(env, req, &resp, &scratch);
  return resp;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health)

BOOST_AUTO_TEST_CASE(ok_with_the_fingerprint_and_entries_per_table) {
  testutil::TempEnv env;
  const Schema& s = env.env().schema();
  const TableDesc& first = s.tables.front();
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3; ++i) {
    Record r = testutil::RandomRecord(first, rng, i);
    REQUIRE_OK(Table(env.env(), first).Insert(&r));
  }
  Response resp = Get(env.env(), "/api/health");
  BOOST_TEST(resp.status == 200);
  BOOST_TEST(resp.content_type == "application/json");
  rapidjson::Document d;
  d.Parse(resp.body.data(), resp.body.size());
  BOOST_TEST_REQUIRE(!d.HasParseError());
  BOOST_TEST(std::string(d["status"].GetString()) == "ok");
  BOOST_TEST(std::string(d["schema_fingerprint"].GetString()) == s.FingerprintHash());
  const auto& lmdb = d["lmdb"];
  BOOST_TEST(lmdb["map_size"].GetUint64() == env.options().map_size_bytes);
  // No LMDB_MAP_MAX_*: the map may not grow past its starting size.
  BOOST_TEST(lmdb["map_max"].GetUint64() == env.options().map_size_bytes);
  BOOST_TEST(lmdb["used_bytes"].GetUint64() > 0u);
  BOOST_TEST(lmdb["page_size"].GetUint() >= 4096u);
  BOOST_TEST(lmdb["max_readers"].GetUint() == env.options().max_readers);
  BOOST_TEST(lmdb["readers_in_use"].IsUint());
  BOOST_TEST(lmdb["entries"].MemberCount() == s.tables.size());
  for (const TableDesc& t : s.tables)
    BOOST_TEST(lmdb["entries"][t.name.c_str()].GetUint64() ==
                   (&t == &first ? 3u : 0u),
               t.name);
}

BOOST_AUTO_TEST_CASE(a_keyless_probe_gets_the_status_alone) {
  testutil::TempEnv env;
  Request req;
  req.method = "GET";
  req.path = "/api/health";
  req.keyless = true;
  Response resp;
  Scratch scratch;
  HandleRequest(env.env(), req, &resp, &scratch);
  BOOST_TEST(resp.status == 200);
  BOOST_TEST(resp.content_type == "application/json");
  BOOST_TEST(resp.body == "{\"status\":\"ok\"}");
}

BOOST_AUTO_TEST_CASE(query_parameters_are_refused) {
  testutil::TempEnv env;
  Response resp = Get(env.env(), "/api/health", "verbose=1");
  BOOST_TEST(resp.status == 400);
  BOOST_TEST(resp.body.find("verbose") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_reader_slot_left_is_503) {
  // One reader slot. The probe takes one of its own (not from the Env's
  // pool), so it serves while the slot is free; once a read transaction
  // this test keeps open holds it, the environment cannot serve.
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.max_readers = 1;
  o.durability = Durability::kNoSync;
  auto env = Env::Open(o);
  REQUIRE_OK(env);
  std::string body;
  REQUIRE_OK(http::AppendHealthJson(*env.value(), true, &body));
  BOOST_TEST(Get(*env.value(), "/api/health").status == 200);

  ReadTxn held(env.value()->impl());
  REQUIRE_OK(held.Begin());
  Status s = http::AppendHealthJson(*env.value(), true, &body);
  BOOST_TEST((s.code() == Status::Code::kUnavailable), s.message());
  BOOST_TEST(s.message().find("cannot serve") != std::string::npos, s.message());
  Response resp = Get(*env.value(), "/api/health");
  BOOST_TEST(resp.status == 503);
  BOOST_TEST(resp.content_type == "application/problem+json");
}

BOOST_AUTO_TEST_SUITE_END()
