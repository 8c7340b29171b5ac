// SPDX-License-Identifier: Apache-2.0
// tests/http/handlers_formats_test.cc - src/http/handlers.cc: what a read
// or write answers in (Accept, msgpack), what it reads (Content-Type
// application/msgpack) and which fields (fields=). A suite of its own
// beside handlers_test.cc, so each stays a readable length.
//
// Schema-generic: every main table of Schema::Compiled().

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>
#include <rapidjson/document.h>

#include "http/handlers.h"
#include "http/record_msgpack.h"
#include "http/request_bodies.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::HandleRequest;
using lmdbapi::http::Request;
using lmdbapi::http::Response;
using lmdbapi::http::Scratch;

namespace {

const Schema& S() { return Schema::Compiled(); }

struct Api {
  testutil::TempEnv env;
  Response resp;
  Scratch scratch;
  std::mt19937_64 rng{31};
  std::uint64_t serial = 0;

  const Response& Call(std::string_view method, const std::string& path,
                       const std::string& query = "",
                       const std::string& body = "",
                       std::string_view content_type = "application/json",
                       std::string_view accept = "") {
    Request req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.body = body;
    req.content_type = body.empty() ? std::string_view() : content_type;
    req.accept = accept;
    HandleRequest(env.env(), req, &resp, &scratch);
    return resp;
  }
  std::string Insert(const TableDesc& t) {
    Record r = testutil::RandomRecord(t, rng, ++serial, {});
    Call("POST", "/api/" + t.name, "", testutil::BodyFor(r, t));
    BOOST_TEST_REQUIRE(resp.status == 201, resp.body);
    rapidjson::Document d;
    d.Parse(resp.body.c_str());
    return d["uuid"].GetString();
  }
};

// The msgpack body's JSON text, member for member (MsgpackRecordToJson
// writes what the JSON writer writes).
std::string AsJson(const std::string& msgpack_map) {
  std::string json;
  Status s = http::MsgpackRecordToJson(msgpack_map, &json);
  BOOST_TEST_REQUIRE(s.ok(), s.message());
  return json;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(handlers_formats)

BOOST_AUTO_TEST_CASE(a_record_in_msgpack_holds_what_its_json_holds) {
  Api api;
  for (const TableDesc& t : S().tables) {
    if (!t.is_main()) continue;
    const std::string path = "/api/" + t.name + "/" + api.Insert(t);
    const std::string json = api.Call("GET", path).body;
    api.Call("GET", path, "", "", "", "application/msgpack");
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    BOOST_TEST(api.resp.content_type == "application/msgpack");
    BOOST_TEST(api.resp.etag == "\"1\"");
    BOOST_TEST(AsJson(api.resp.body) == json);
    BOOST_TEST(api.resp.vary_accept, "the type was negotiated: Vary: Accept");
    // A page: {"records": [...], "next": nil}.
    api.Call("GET", "/api/" + t.name, "", "", "", "application/msgpack");
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    msgpack::object_handle oh =
        msgpack::unpack(api.resp.body.data(), api.resp.body.size());
    const msgpack::object& page = oh.get();
    BOOST_TEST_REQUIRE(page.via.map.size == 2u);
    BOOST_TEST(page.via.map.ptr[0].key.as<std::string>() == "records");
    BOOST_TEST(page.via.map.ptr[0].val.via.array.size == 1u);
    BOOST_TEST(page.via.map.ptr[1].key.as<std::string>() == "next");
    BOOST_TEST((page.via.map.ptr[1].val.type == msgpack::type::NIL));
  }
}

BOOST_AUTO_TEST_CASE(msgpack_bodies_insert_replace_and_patch) {
  Api api;
  for (const TableDesc& t : S().tables) {
    if (!t.is_main()) continue;
    Record r = testutil::RandomRecord(t, api.rng, ++api.serial, {});
    std::string full;
    http::AppendRecordMsgpack(r, t, &full);
    // Without uuid and revision: the JSON body's members, as msgpack.
    msgpack::object_handle oh = msgpack::unpack(full.data(), full.size());
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    pk.pack_map(oh.get().via.map.size - 2);
    for (std::uint32_t k = 2; k < oh.get().via.map.size; ++k) {
      pk.pack(oh.get().via.map.ptr[k].key);
      pk.pack(oh.get().via.map.ptr[k].val);
    }
    const std::string body(buf.data(), buf.size());
    api.Call("POST", "/api/" + t.name, "", body, "application/msgpack");
    BOOST_TEST_REQUIRE(api.resp.status == 201, api.resp.body);
    BOOST_TEST(api.resp.content_type == "application/json");
    rapidjson::Document d;
    d.Parse(api.resp.body.c_str());
    const std::string uuid = d["uuid"].GetString();
    d.RemoveMember("uuid");
    d.RemoveMember("revision");
    BOOST_TEST(testutil::SerializeJson(d) == testutil::BodyFor(r, t));

    const std::string path = "/api/" + t.name + "/" + uuid;
    api.Call("PUT", path, "", body, "application/msgpack",
             "application/msgpack");
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    BOOST_TEST(api.resp.content_type == "application/msgpack");
    BOOST_TEST(api.resp.etag == "\"2\"");
    api.Call("PATCH", path, "", "\x80", "application/msgpack");  // {}
    BOOST_TEST(api.resp.status == 200, api.resp.body);
    BOOST_TEST(api.resp.etag == "\"3\"");
    // Malformed, and a wrong type: 400 as in JSON.
    api.Call("PATCH", path, "", "\x81", "application/msgpack");
    BOOST_TEST(api.resp.status == 400);
    BOOST_TEST(api.resp.body.find("malformed msgpack") != std::string::npos);
    msgpack::sbuffer wrong;
    msgpack::packer<msgpack::sbuffer> wpk(wrong);
    wpk.pack_map(1);
    wpk.pack(t.fields.front().name);
    wpk.pack_bin(1);
    wpk.pack_bin_body("x", 1);
    api.Call("PATCH", path, "", std::string(wrong.data(), wrong.size()),
             "application/msgpack");
    BOOST_TEST(api.resp.status == 400);
    BOOST_TEST(api.resp.body.find("\"field\":\"" + t.fields.front().name) !=
                   std::string::npos,
               api.resp.body);
  }
}

BOOST_AUTO_TEST_CASE(nothing_acceptable_is_406_and_errors_stay_json) {
  Api api;
  const TableDesc& t = S().tables.front();
  const std::string uuid = api.Insert(t);
  for (const char* accept :
       {"text/html", "application/json;q=0", "application/*;q=0"}) {
    api.Call("GET", "/api/" + t.name + "/" + uuid, "", "", "", accept);
    BOOST_TEST(api.resp.status == 406, accept);
    BOOST_TEST(api.resp.content_type == "application/problem+json");
  }
  api.Call("GET", "/api/" + t.name, "limit=0", "", "", "application/msgpack");
  BOOST_TEST(api.resp.status == 400);
  BOOST_TEST(api.resp.content_type == "application/problem+json");
  // DELETE answers no body, so it negotiates nothing.
  api.Call("DELETE", "/api/" + t.name + "/" + uuid, "", "", "", "text/html");
  BOOST_TEST(api.resp.status == 204);
  BOOST_TEST(!api.resp.vary_accept);
  api.Call("POST", "/api/" + t.name, "", "{}", "text/plain");
  BOOST_TEST(api.resp.status == 415);
}

BOOST_AUTO_TEST_CASE(fields_projects_records_and_pages) {
  Api api;
  for (const TableDesc& t : S().tables) {
    if (!t.is_main()) continue;
    const std::string uuid = api.Insert(t);
    const std::string& f = t.fields.back().name;
    api.Call("GET", "/api/" + t.name + "/" + uuid, "fields=" + f);
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    rapidjson::Document d;
    d.Parse(api.resp.body.c_str());
    BOOST_TEST(d.MemberCount() == 3u, api.resp.body);
    BOOST_TEST(d.HasMember("uuid"));
    BOOST_TEST(d.HasMember("revision"));
    BOOST_TEST(d.HasMember(f.c_str()));
    BOOST_TEST(api.resp.etag == "\"1\"");
    api.Call("GET", "/api/" + t.name, "fields=uuid&limit=5", "", "",
             "application/msgpack");
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    msgpack::object_handle oh =
        msgpack::unpack(api.resp.body.data(), api.resp.body.size());
    BOOST_TEST(oh.get().via.map.ptr[0].val.via.array.ptr[0].via.map.size ==
               2u);
    api.Call("GET", "/api/" + t.name + "/get-record", "fields=nope");
    BOOST_TEST(api.resp.status == 400);
    BOOST_TEST(api.resp.body.find("\"field\":\"fields\"") != std::string::npos,
               api.resp.body);
    api.Call("POST", "/api/" + t.name, "fields=" + f, "{}");
    BOOST_TEST(api.resp.status == 400);
  }
}

BOOST_AUTO_TEST_SUITE_END()
