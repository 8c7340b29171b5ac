// SPDX-License-Identifier: Apache-2.0
// tests/http/batch_json_test.cc - POST /api/batch bodies (src/http/
// batch_json.cc), on whatever schema is compiled in.

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "http/batch_json.h"
#include "json/record_json.h"
#include "lmdbapi/schema.h"
#include "record_gen.h"

using namespace lmdbapi;
using namespace lmdbapi::http;

namespace {

const Schema& S() { return Schema::Compiled(); }

const TableDesc& Child() {
  for (const TableDesc& t : S().tables)
    if (t.parent >= 0) return t;
  return S().tables.front();
}

// A record of t as an insert's JSON (no uuid, no revision); its parent
// link, if any, is `link` (JSON text).
std::string RecordJson(const TableDesc& t, std::uint64_t serial,
                       const std::string& link = "") {
  std::mt19937_64 rng(serial);
  Record r = testutil::RandomRecord(t, rng, serial, Uuid::New());
  r.uuid = Uuid::New();
  r.revision = 1;
  std::string json;
  AppendRecordJson(r, t, &json);
  rapidjson::Document d;
  d.Parse(json.c_str());
  d.RemoveMember("uuid");
  d.RemoveMember("revision");
  if (!link.empty()) {
    rapidjson::Document l;
    l.Parse(link.c_str());
    d[t.fields[t.link_field].name.c_str()].CopyFrom(l, d.GetAllocator());
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return buf.GetString();
}

ParsedBatch Parse(const std::string& body, std::size_t max = 1000) {
  return ParseBatchJson(body, S(), 65536, max);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batch_json)

BOOST_AUTO_TEST_CASE(every_operation_kind_and_ref_is_read) {
  const TableDesc& child = Child();
  const TableDesc& parent = S().tables[std::max(child.parent, 0)];
  const std::string u = Uuid::New().ToString();
  const std::string body =
      "{\"operations\":["
      "{\"op\":\"insert\",\"table\":\"" + parent.name + "\",\"record\":" +
      RecordJson(parent, 1) + "},"
      "{\"op\":\"insert\",\"table\":\"" + child.name + "\",\"record\":" +
      RecordJson(child, 2, "{\"$ref\":0}") + "},"
      "{\"op\":\"replace\",\"table\":\"" + parent.name + "\",\"uuid\":{\"$ref\":0},"
      "\"record\":" + RecordJson(parent, 3) + ",\"revision\":1},"
      "{\"op\":\"patch\",\"table\":\"" + parent.name + "\",\"uuid\":\"" + u +
      "\",\"patch\":{}},"
      "{\"op\":\"delete\",\"table\":\"" + parent.name + "\",\"uuid\":\"" + u +
      "\",\"revision\":4}]}";
  ParsedBatch p = Parse(body);
  BOOST_TEST_REQUIRE(p.status.ok(), p.status.message());
  BOOST_TEST_REQUIRE(p.ops.size() == 5u);
  BOOST_TEST((p.ops[0].kind == BatchOp::Kind::kInsert));
  BOOST_TEST(p.ops[0].table == &parent);
  if (child.parent >= 0) {
    BOOST_TEST_REQUIRE(p.ops[1].refs.size() == 1u);
    BOOST_TEST(p.ops[1].refs[0].field == child.link_field);
    BOOST_TEST(p.ops[1].refs[0].op == 0);
  }
  BOOST_TEST((p.ops[2].kind == BatchOp::Kind::kReplace));
  BOOST_TEST(p.ops[2].uuid.op == 0);
  BOOST_TEST(*p.ops[2].expected_revision == 1u);
  BOOST_TEST((p.ops[3].kind == BatchOp::Kind::kPatch));
  BOOST_TEST(p.ops[3].uuid.uuid.ToString() == u);
  BOOST_TEST(p.ops[3].patch.empty());
  BOOST_TEST((p.ops[4].kind == BatchOp::Kind::kRemove));
  BOOST_TEST(*p.ops[4].expected_revision == 4u);
}

BOOST_AUTO_TEST_CASE(errors_name_the_operation_and_member) {
  const TableDesc& t = S().tables.front();
  const std::string insert = "{\"op\":\"insert\",\"table\":\"" + t.name +
                             "\",\"record\":" + RecordJson(t, 5) + "}";
  struct Case {
    std::string second;  // operation 1
    std::string field;
  };
  const std::string u = Uuid::New().ToString();
  for (const Case& c : std::vector<Case>{
           {"{\"op\":\"upsert\",\"table\":\"" + t.name + "\"}", "op"},
           {"{\"op\":\"insert\",\"table\":\"nope\",\"record\":{}}", "table"},
           {"{\"op\":\"delete\",\"table\":\"" + t.name + "\"}", "uuid"},
           {"{\"op\":\"delete\",\"table\":\"" + t.name + "\",\"uuid\":\"x\"}",
            "uuid"},
           {"{\"op\":\"delete\",\"table\":\"" + t.name + "\",\"uuid\":\"" + u +
                "\",\"revision\":0}",
            "revision"},
           {"{\"op\":\"insert\",\"table\":\"" + t.name + "\",\"uuid\":\"" + u +
                "\",\"record\":{}}",
            "uuid"},
           {"{\"op\":\"insert\",\"table\":\"" + t.name + "\"}", "record"},
           {"{\"op\":\"insert\",\"table\":\"" + t.name +
                "\",\"record\":{},\"extra\":1}",
            "extra"},
           {"{\"op\":\"delete\",\"table\":\"" + t.name + "\",\"uuid\":{\"$ref\":-1}}",
            "uuid"},
       }) {
    ParsedBatch p = Parse("{\"operations\":[" + insert + "," + c.second + "]}");
    BOOST_TEST_CONTEXT(c.second) {
      BOOST_TEST((p.status.code() == Status::Code::kInvalidArgument));
      BOOST_TEST(p.operation == 1);
      BOOST_TEST(p.status.subject() == c.field);
      BOOST_TEST(p.status.message().rfind("operation 1: ", 0) == 0u,
                 p.status.message());
      BOOST_TEST(p.ops.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_ref_on_a_field_that_is_no_uuid_is_refused) {
  const TableDesc& t = S().tables.front();
  int field = -1;
  for (std::size_t f = 0; f < t.fields.size(); ++f)
    if (t.fields[f].type != FieldType::UUID) field = static_cast<int>(f);
  BOOST_TEST_REQUIRE(field >= 0);
  rapidjson::Document d;
  d.Parse(RecordJson(t, 6).c_str());
  rapidjson::Document ref;
  ref.Parse("{\"$ref\":0}");
  d[t.fields[field].name.c_str()].CopyFrom(ref, d.GetAllocator());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  ParsedBatch p = Parse("{\"operations\":[{\"op\":\"insert\",\"table\":\"" +
                        t.name + "\",\"record\":" + buf.GetString() + "}]}");
  BOOST_TEST((p.status.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(p.status.subject() == t.fields[field].name);
  BOOST_TEST(p.operation == 0);
}

BOOST_AUTO_TEST_CASE(the_envelope_is_checked_and_the_count_limited) {
  for (const char* body : {"[]", "{}", "{\"operations\":[]}",
                           "{\"operations\":{}}", "{\"operations\":[],\"x\":1}",
                           "{\"operations\":[1]"}) {
    ParsedBatch p = Parse(body);
    BOOST_TEST(!p.status.ok(), body);
    BOOST_TEST(!p.too_many);
  }
  const TableDesc& t = S().tables.front();
  const std::string del = "{\"op\":\"delete\",\"table\":\"" + t.name +
                          "\",\"uuid\":\"" + Uuid::New().ToString() + "\"}";
  ParsedBatch p = Parse("{\"operations\":[" + del + "," + del + "," + del + "]}", 2);
  BOOST_TEST(p.too_many);
  BOOST_TEST(p.status.message().find("at most 2") != std::string::npos,
             p.status.message());
  BOOST_TEST(Parse("{\"operations\":[" + del + "," + del + "]}", 2).status.ok());
}

BOOST_AUTO_TEST_CASE(results_say_each_operations_own_status) {
  const TableDesc& t = S().tables.front();
  std::vector<BatchOp> ops(2);
  ops[0].kind = BatchOp::Kind::kInsert;
  ops[0].table = &t;
  ops[1].kind = BatchOp::Kind::kRemove;
  ops[1].table = &t;
  std::mt19937_64 rng(7);
  std::vector<Record> records(2);
  records[0] = testutil::RandomRecord(t, rng, 7, Uuid::New());
  records[0].uuid = Uuid::New();
  records[0].revision = 1;
  records[1].uuid = Uuid::New();
  std::string out;
  AppendBatchResultsJson(ops, records, &out);
  rapidjson::Document d;
  d.Parse(out.c_str());
  BOOST_TEST_REQUIRE(!d.HasParseError(), out);
  const auto& results = d["results"];
  BOOST_TEST_REQUIRE(results.Size() == 2u);
  BOOST_TEST(results[0]["status"].GetInt() == 201);
  BOOST_TEST(std::string(results[0]["record"]["uuid"].GetString()) ==
             records[0].uuid.ToString());
  BOOST_TEST(results[1]["status"].GetInt() == 204);
  BOOST_TEST(std::string(results[1]["uuid"].GetString()) ==
             records[1].uuid.ToString());
}

BOOST_AUTO_TEST_SUITE_END()
