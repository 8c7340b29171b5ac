// SPDX-License-Identifier: Apache-2.0
// tests/e2e/formats_test.cc - msgpack and JSON through nginx and the
// worker: msgpack request bodies and answers round-trip every type (null,
// int64 extremes, non-ASCII strings), Accept is negotiated (406 when
// nothing fits), and fields= projects reads.
//
// Schema-agnostic: every table of the schema, records from record_gen.h.

#include <cstdint>
#include <limits>

#include <boost/test/unit_test.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api.h"
#include "harness.h"
#include "msgpack.h"

namespace lmdbapi::e2e {
namespace {

const Headers kSendMsgpack = {{"Content-Type", std::string(kMsgpack)},
                              {"Accept", std::string(kMsgpack)}};
const Headers kAcceptMsgpack = {{"Accept", std::string(kMsgpack)}};

std::string Serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// The msgpack answer as the record it holds.
Rec RecFromMsgpack(const TableDesc& t, const Response& r) {
  BOOST_TEST_REQUIRE(r.Header("Content-Type") == kMsgpack, r.Describe());
  rapidjson::Document d = ToDocument(r.body);
  BOOST_TEST_REQUIRE(!d.HasParseError(), "not msgpack: " << r.Describe());
  std::string error;
  std::optional<Rec> rec = RecFromJson(t, d, &error);
  BOOST_TEST_REQUIRE(rec.has_value(), error << ": " << Serialize(d));
  return *rec;
}

// A generated record pushed to the edges: INT64 fields at their extremes
// (low or high), STRING fields non-ASCII, nullable fields null when `low`.
Rec EdgeRecord(const TableDesc& t, const std::string& parent, bool low) {
  Rec rec = GenRecord(t, NextN(), parent);
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    const FieldDesc& f = t.fields[i];
    if (f.is_parent_link) continue;
    if (low && f.nullable) {
      rec.fields[i] = std::monostate{};
      continue;
    }
    if (f.type == FieldType::INT64)
      rec.fields[i] = low ? std::numeric_limits<std::int64_t>::min()
                          : std::numeric_limits<std::int64_t>::max();
    if (f.type == FieldType::STRING)
      rec.fields[i] = "Zoë 東京 \xF0\x9F\x8F\x97 \"\\ " +
                      std::get<std::string>(rec.fields[i]);
  }
  return rec;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(formats, StackFixture)

BOOST_AUTO_TEST_CASE(msgpack_round_trips_every_type) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      for (bool low : {true, false}) {
        Rec want = EdgeRecord(t, MakeParent(http(), t), low);
        Response r = http().Request("POST", TablePath(t), PackRecord(t, want),
                                    kSendMsgpack);
        BOOST_TEST_REQUIRE(r.status == 201, r.Describe());
        Rec got = RecFromMsgpack(t, r);
        BOOST_TEST(Mismatch(t, want, got) == "");
        want.uuid = got.uuid;
        // Read back in both formats: the same record.
        r = http().Request("GET", RecordPath(t, got.uuid), {}, kAcceptMsgpack);
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        BOOST_TEST(r.Header("ETag") == "\"1\"");
        BOOST_TEST(Mismatch(t, want, RecFromMsgpack(t, r)) == "");
        r = http().Get(RecordPath(t, got.uuid));
        BOOST_TEST(Mismatch(t, want, ParseJson(r.body)) == "");
        // PUT and PATCH with msgpack bodies.
        Rec other = EdgeRecord(t, t.link_field >= 0
                                      ? std::get<std::string>(
                                            want.fields[t.link_field])
                                      : std::string(),
                               !low);
        other.uuid = got.uuid;
        r = http().Request("PUT", RecordPath(t, got.uuid),
                           PackRecord(t, other), kSendMsgpack);
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        BOOST_TEST(Mismatch(t, other, RecFromMsgpack(t, r)) == "");
        r = http().Request("PATCH", RecordPath(t, got.uuid), "\x80",
                           kSendMsgpack);  // an empty map
        BOOST_TEST(r.status == 200, r.Describe());
        BOOST_TEST(r.Header("ETag") == "\"3\"");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_msgpack_page_holds_the_json_page) {
  const TableDesc& t = TheSchema().tables.front();
  for (int i = 0; i < 5; ++i) InsertGenerated(http(), t);
  const std::string path = TablePath(t) + "?limit=3";
  Response json = http().Get(path);
  Response packed = http().Request("GET", path, {}, kAcceptMsgpack);
  BOOST_TEST_REQUIRE(packed.status == 200, packed.Describe());
  BOOST_TEST(packed.Header("Content-Type") == kMsgpack);
  BOOST_TEST(packed.Header("X-Query-Plan") == json.Header("X-Query-Plan"));
  BOOST_TEST(packed.Header("Vary").find("Accept") != std::string::npos,
             packed.Describe());
  rapidjson::Document d = ToDocument(packed.body);
  BOOST_TEST_REQUIRE(!d.HasParseError());
  BOOST_TEST(Serialize(d) == json.body);
}

BOOST_AUTO_TEST_CASE(accept_is_negotiated_and_406_when_nothing_fits) {
  const TableDesc& t = TheSchema().tables.front();
  Rec rec = InsertGenerated(http(), t);
  Response r = http().Request("GET", RecordPath(t, rec.uuid), {},
                              {{"Accept", "text/html, application/*;q=0"}});
  CheckProblem(r, 406, "Accept");
  r = http().Request("GET", RecordPath(t, rec.uuid), {},
                     {{"Accept", "application/json;q=0.4, application/msgpack;q=0.5"}});
  BOOST_TEST(r.Header("Content-Type") == kMsgpack);
  r = http().Request("GET", RecordPath(t, rec.uuid), {},
                     {{"Accept", "*/*;q=0.1, application/json"}});
  BOOST_TEST(r.Header("Content-Type") == "application/json");
  // Errors are problem+json whatever Accept says.
  r = http().Request("GET", TablePath(t) + "?limit=0", {}, kAcceptMsgpack);
  CheckProblem(r, 400, "limit");
  // A malformed msgpack body is a 400, a body of another type a 415.
  r = http().Request("POST", TablePath(t), "\xc1", kSendMsgpack);
  CheckProblem(r, 400);
  r = http().Request("POST", TablePath(t), "a,b", {{"Content-Type", "text/csv"}});
  CheckProblem(r, 415);
}

BOOST_AUTO_TEST_CASE(fields_projects_reads) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      const std::string& f = t.fields.back().name;
      Response r = http().Get(RecordPath(t, rec.uuid) + "?fields=" + f);
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      BOOST_TEST(r.Header("ETag") == "\"1\"");
      rapidjson::Document d = ParseJson(r.body);
      BOOST_TEST(d.MemberCount() == 3u, r.body);
      BOOST_TEST(d.HasMember(f.c_str()));
      r = http().Get(TablePath(t) + "/get-record?limit=2&fields=uuid," + f);
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      d = ParseJson(r.body);
      for (const auto& record : d["records"].GetArray())
        BOOST_TEST(record.MemberCount() == 3u);
      r = http().Get(TablePath(t) + "?fields=no_such_field");
      CheckProblem(r, 400, "fields");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
