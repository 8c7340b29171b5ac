// SPDX-License-Identifier: Apache-2.0
// tests/http/bulk_test.cc - src/http/bulk.cc, through HandleRequest over a
// real Env (POST /api/T/bulk).
//
// Schema-generic: the first main table of Schema::Compiled() (and a linked
// table, where the schema has one), values from tests/record_gen.h.

#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>
#include <rapidjson/document.h>

#include "http/handlers.h"
#include "http/record_msgpack.h"
#include "http/request_bodies.h"
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

const TableDesc& MainTable() {
  for (const TableDesc& t : S().tables)
    if (t.is_main()) return t;
  return S().tables.front();
}

struct Bulk {
  testutil::TempEnv env;
  Response resp;
  Scratch scratch;
  std::mt19937_64 rng{23};
  std::uint64_t serial = 0;
  std::string path;

  const Response& Post(const TableDesc& t, const std::string& body,
                       std::string_view type = "application/json",
                       std::string_view query = "",
                       std::string_view accept = "") {
    Request req;
    req.method = "POST";
    path = "/api/" + t.name + "/bulk";
    req.path = path;
    req.query = query;
    req.body = body;
    req.content_type = type;
    req.accept = accept;
    HandleRequest(env.env(), req, &resp, &scratch);
    return resp;
  }
  std::string Body(const TableDesc& t, const Uuid& parent = {}) {
    return testutil::BodyFor(testutil::RandomRecord(t, rng, ++serial, parent),
                             t);
  }
  std::uint64_t Count(const TableDesc& t) {
    auto n = Table(env.env(), t).Count();
    BOOST_TEST_REQUIRE(n.ok());
    return n.value();
  }
  rapidjson::Document Json() const {
    rapidjson::Document d;
    d.Parse(resp.body.c_str());
    BOOST_TEST_REQUIRE(!d.HasParseError(), resp.body);
    return d;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk)

BOOST_AUTO_TEST_CASE(an_array_is_stored_whole_and_answered_with_uuids) {
  Bulk b;
  const TableDesc& t = MainTable();
  std::string body = "[";
  for (int i = 0; i < 50; ++i) body += (i ? "," : "") + b.Body(t);
  body += "]";
  b.Post(t, body);
  BOOST_TEST_REQUIRE(b.resp.status == 200, b.resp.body);
  rapidjson::Document d = b.Json();
  BOOST_TEST(d["count"].GetUint() == 50u);
  BOOST_TEST_REQUIRE(d["uuids"].Size() == 50u);
  BOOST_TEST(b.Count(t) == 50u);
  for (const auto& u : d["uuids"].GetArray()) {
    auto uuid = Uuid::Parse(u.GetString());
    BOOST_TEST_REQUIRE(uuid.ok());
    BOOST_TEST(Table(b.env.env(), t).Get(uuid.value()).ok());
  }
  // The compact answer.
  b.Post(t, "[" + b.Body(t) + "]", "application/json", "return=count");
  BOOST_TEST_REQUIRE(b.resp.status == 200, b.resp.body);
  BOOST_TEST(b.resp.body == "{\"count\":1}");
  b.Post(t, "[" + b.Body(t) + "]", "application/json", "return=all");
  BOOST_TEST(b.resp.status == 400);
  BOOST_TEST(b.Count(t) == 51u);
}

BOOST_AUTO_TEST_CASE(a_malformed_ndjson_line_in_the_middle_writes_nothing) {
  Bulk b;
  const TableDesc& t = MainTable();
  std::string body = b.Body(t) + "\n" + b.Body(t) + "\r\n\n" + "{\"oops\n" +
                     b.Body(t) + "\n";
  b.Post(t, body, "application/x-ndjson");
  BOOST_TEST(b.resp.status == 400, b.resp.body);
  BOOST_TEST(b.resp.body.find("line 4: malformed JSON") != std::string::npos,
             b.resp.body);
  BOOST_TEST(b.Count(t) == 0u);
  // The same lines, mended, all go in; blank lines are skipped.
  body = b.Body(t) + "\n\n" + b.Body(t) + "\r\n" + b.Body(t);
  b.Post(t, body, "application/x-ndjson");
  BOOST_TEST(b.resp.status == 200, b.resp.body);
  BOOST_TEST(b.Count(t) == 3u);
}

BOOST_AUTO_TEST_CASE(a_bad_field_names_the_index_and_the_field) {
  Bulk b;
  const TableDesc& t = MainTable();
  const std::string f = t.fields.front().name;
  std::string bad = b.Body(t);
  bad.insert(1, "\"no_such_field\":1,");
  b.Post(t, "[" + b.Body(t) + "," + b.Body(t) + "," + bad + "]");
  BOOST_TEST(b.resp.status == 400, b.resp.body);
  rapidjson::Document d = b.Json();
  BOOST_TEST(std::string(d["detail"].GetString()).starts_with("index 2: "),
             b.resp.body);
  BOOST_TEST(d["field"].GetString() == std::string("no_such_field"));
  BOOST_TEST(b.Count(t) == 0u);
  // Not an array of objects.
  for (const char* body : {"{}", "[1]", "[[]]", "[{}", "[]", "x"}) {
    b.Post(t, body);
    BOOST_TEST(b.resp.status == 400, body << ": " << b.resp.body);
  }
  BOOST_TEST(b.Count(t) == 0u);
}

BOOST_AUTO_TEST_CASE(a_key_taken_within_the_load_is_409_and_writes_nothing) {
  Bulk b;
  const TableDesc& t = MainTable();
  if (testutil::UniqueFields(t).empty()) return;  // nothing to collide
  std::string one = b.Body(t);
  b.Post(t, "[" + b.Body(t) + "," + one + "," + one + "]");
  BOOST_TEST(b.resp.status == 409, b.resp.body);
  BOOST_TEST(b.resp.body.find("index 2: ") != std::string::npos, b.resp.body);
  BOOST_TEST(b.Count(t) == 0u);
}

BOOST_AUTO_TEST_CASE(a_child_without_its_parent_is_422) {
  Bulk b;
  for (const TableDesc& t : S().tables) {
    if (t.is_main()) continue;
    Uuid nobody = Uuid::New();
    b.Post(t, "[" + b.Body(t, nobody) + "]");
    BOOST_TEST(b.resp.status == 422, b.resp.body);
    BOOST_TEST(b.Count(t) == 0u);
    return;
  }
}

BOOST_AUTO_TEST_CASE(msgpack_bodies_and_answers) {
  Bulk b;
  const TableDesc& t = MainTable();
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  std::vector<std::string> maps;
  for (int i = 0; i < 3; ++i) {
    // The JSON body, as msgpack: through a record's own msgpack form.
    Record r = testutil::RandomRecord(t, b.rng, ++b.serial, {});
    std::string m;
    http::AppendRecordMsgpack(r, t, &m);
    // Drop "uuid" and "revision", the map's first two members.
    msgpack::object_handle oh = msgpack::unpack(m.data(), m.size());
    const msgpack::object& o = oh.get();
    pk.pack_map(o.via.map.size - 2);
    for (std::uint32_t k = 2; k < o.via.map.size; ++k) {
      pk.pack(o.via.map.ptr[k].key);
      pk.pack(o.via.map.ptr[k].val);
    }
  }
  std::string stream(buf.data(), buf.size());
  b.Post(t, stream, "application/msgpack", "", "application/msgpack");
  BOOST_TEST_REQUIRE(b.resp.status == 200, b.resp.body);
  BOOST_TEST(b.resp.content_type == "application/msgpack");
  msgpack::object_handle answer =
      msgpack::unpack(b.resp.body.data(), b.resp.body.size());
  BOOST_TEST(answer.get().via.map.ptr[0].key.as<std::string>() == "count");
  BOOST_TEST(answer.get().via.map.ptr[0].val.as<int>() == 3);
  BOOST_TEST(answer.get().via.map.ptr[1].val.via.array.size == 3u);
  BOOST_TEST(b.Count(t) == 3u);
  b.Post(t, stream, "text/csv");
  BOOST_TEST(b.resp.status == 415);
  b.Post(t, "[" + b.Body(t) + "]", "application/json", "", "text/html");
  BOOST_TEST(b.resp.status == 406);
  BOOST_TEST(b.Count(t) == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
