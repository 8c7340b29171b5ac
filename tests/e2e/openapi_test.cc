// SPDX-License-Identifier: Apache-2.0
// tests/e2e/openapi_test.cc - the OpenAPI document, served and obeyed.
//
// openapi_document (no stack): the conformance checker itself, on the
// document's own examples (each must validate against its schema) and on
// answers the document does not describe (each must be caught).
// openapi (real nginx and worker): GET /api/openapi.json serves the
// generated document; every operation of it, made once, answers as
// documented (the global checker in conformance.cc judges each response),
// so the run sees every operation.

#include <set>
#include <string>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "conformance.h"
#include "harness.h"
#include "http/config.h"
#include "http/openapi.h"

namespace lmdbapi::e2e {
namespace {

const std::string& DocumentText() {
  // The stack's worker runs with the default MAX_STRING_BYTES.
  static const std::string text =
      http::OpenApiJson(TheSchema(), http::kDefaultMaxStringBytes);
  return text;
}

const Conformance& Checker() {
  static const Conformance c(DocumentText());
  return c;
}

// doc[a][b]...
const rapidjson::Value* At(const rapidjson::Value& v,
                           std::initializer_list<std::string_view> keys) {
  const rapidjson::Value* at = &v;
  for (std::string_view k : keys) {
    at = JsonMember(*at, k);
    if (at == nullptr) return nullptr;
  }
  return at;
}

Response Fake(long status, std::string content_type, std::string body,
              std::map<std::string, std::string, CaseInsensitiveLess> headers = {}) {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  if (!content_type.empty()) r.headers["Content-Type"] = content_type;
  r.body = std::move(body);
  return r;
}

const TableDesc& First() { return TheSchema().tables.front(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(openapi_document)

BOOST_AUTO_TEST_CASE(every_example_validates_against_its_schema) {
  BOOST_TEST_REQUIRE(Checker().error().empty(), Checker().error());
  int examples = 0;
  auto check = [&](const rapidjson::Value& media, const std::string& where) {
    const rapidjson::Value* schema = JsonMember(media, "schema");
    const rapidjson::Value* example = JsonMember(media, "example");
    if (schema == nullptr || example == nullptr) return;
    ++examples;
    BOOST_TEST(Checker().Validate(*schema, *example, "example") == "", where);
  };
  const rapidjson::Document& doc = Checker().document();
  for (const auto& p : At(doc, {"paths"})->GetObject())
    for (const auto& op : p.value.GetObject()) {
      if (!op.value.IsObject() || JsonMember(op.value, "responses") == nullptr) continue;
      const std::string where = std::string(op.name.GetString()) + " " + p.name.GetString();
      if (const rapidjson::Value* body = At(op.value, {"requestBody", "content"}))
        for (const auto& media : body->GetObject()) check(media.value, where + " request");
      for (const auto& r : At(op.value, {"responses"})->GetObject())
        if (const rapidjson::Value* content = JsonMember(r.value, "content"))
          for (const auto& media : content->GetObject())
            check(media.value, where + " " + r.name.GetString());
    }
  for (const auto& r : At(doc, {"components", "responses"})->GetObject())
    for (const auto& media : At(r.value, {"content"})->GetObject())
      check(media.value, std::string("components/responses/") + r.name.GetString());
  BOOST_TEST(examples > 40);
}

BOOST_AUTO_TEST_CASE(what_the_document_does_not_describe_is_caught) {
  const Conformance& c = Checker();
  const std::string item = TablePath(First()) + "/0190a5c4-7e2b-7c3d-8e4f-0123456789ab";
  const std::string problem404 =
      R"({"type":"urn:lmdb-api:problem:not-found","title":"No such record","status":404,"detail":"x"})";
  // Conforming, for contrast.
  BOOST_TEST(c.Check("GET", item, Fake(404, "application/problem+json", problem404)).error == "");
  struct Bad {
    std::string what, method, path;
    Response r;
  };
  const std::vector<Bad> bad = {
      {"an undocumented status", "GET", item, Fake(418, "application/problem+json", problem404)},
      {"a problem type of another status", "GET", item,
       Fake(404, "application/problem+json",
            R"({"type":"urn:lmdb-api:problem:conflict","title":"No such record","status":404,"detail":"x"})")},
      {"a member the problem schema lacks", "GET", item,
       Fake(404, "application/problem+json",
            R"({"type":"urn:lmdb-api:problem:not-found","title":"No such record","status":404,"detail":"x","extra":1})")},
      {"an undocumented content type", "GET", item, Fake(404, "text/html", problem404)},
      {"a record without its ETag", "GET", item, Fake(200, "application/json", "{}")},
      {"a record missing its fields", "GET", item,
       Fake(200, "application/json", "{}", {{"ETag", "\"1\""}})},
      {"a 204 with a body", "DELETE", item, Fake(204, "", "{}")},
      {"a 200 where the method is not documented", "POST", item,
       Fake(200, "application/json", "{}")},
      {"a 405 whose Allow is wrong", "POST", item,
       Fake(405, "application/problem+json",
            R"({"type":"urn:lmdb-api:problem:method-not-allowed","title":"Method not allowed","status":405,"detail":"x"})",
            {{"Allow", "GET, HEAD"}})},
      {"an unmatched path answering 200", "GET", "/api/no_such_table",
       Fake(200, "application/json", "{}")},
      {"a listing without next", "GET", TablePath(First()),
       Fake(200, "application/json", R"({"records":[]})", {{"X-Query-Plan", "scan"}})},
  };
  for (const Bad& b : bad)
    BOOST_TEST(c.Check(b.method, b.path, b.r).error != "", b.what);
  // A record field of the wrong format, on a real record shape.
  rapidjson::Document example;
  example.CopyFrom(*At(c.document(), {"paths", "/api/" + First().name + "/{uuid}", "get",
                                      "responses", "200", "content", "application/json",
                                      "example"}),
                   example.GetAllocator());
  BOOST_TEST(c.Validate(*At(c.document(), {"components", "schemas"}), example, "x") != "",
             "a schemas map is no schema");
  const rapidjson::Value& record_schema =
      *At(c.document(), {"components", "schemas", First().name + "_record"});
  BOOST_TEST(c.Validate(record_schema, example, "record") == "");
  example["uuid"].SetString("not-a-uuid");
  BOOST_TEST(c.Validate(record_schema, example, "record") != "");
}

BOOST_AUTO_TEST_CASE(paths_match_as_nginx_hands_them_to_the_worker) {
  const Conformance& c = Checker();
  const std::string t = First().name;
  // /range is a path of its own only where the table has a RANGE index;
  // elsewhere it is no route, and "range" is no uuid either.
  for (const TableDesc& table : TheSchema().tables) {
    bool ranged = false;
    for (const IndexDesc& i : table.indexes) ranged |= i.kind == IndexKind::RANGE;
    const std::string range = "/api/" + table.name + "/range";
    if (ranged) BOOST_TEST(c.MatchPath(range) == range);
  }
  BOOST_TEST(c.MatchPath("/api/" + t + "/abc") == "/api/" + t + "/{uuid}");
  BOOST_TEST(c.MatchPath("/api/" + t + "/update/abc") == "/api/" + t + "/update/{uuid}");
  BOOST_TEST(c.MatchPath("/api/" + t + "/") == "");
  const std::string list = R"({"records":[],"next":null})";
  const Response ok = Fake(200, "application/json", list, {{"X-Query-Plan", "scan"}});
  BOOST_TEST(c.Check("GET", "/api//" + t + "?limit=1", ok).operation == "GET /api/" + t);
  BOOST_TEST(c.Check("GET", "/api/./" + t, ok).operation == "GET /api/" + t);
  BOOST_TEST(c.Check("GET", "/api/%" + std::string("70") + t.substr(1), ok).operation ==
             (t[0] == 'p' ? "GET /api/" + t : std::string()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(openapi, StackFixture)

BOOST_AUTO_TEST_CASE(the_served_document_is_the_generated_one) {
  Response r = http().Get("/api/openapi.json");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.Header("Content-Type") == "application/json");
  BOOST_TEST(r.body == DocumentText(), "served bytes differ from OpenApiJson(schema)");
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST_REQUIRE(!d.HasParseError());
  BOOST_TEST(std::string(d["openapi"].GetString()) == "3.1.0");
  Response head = http().Request("HEAD", "/api/openapi.json");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
  CheckProblem(http().Get("/api/openapi.json?pretty=1"), 400, "pretty");
  CheckProblem(http().Post("/api/openapi.json", "{}"), 405);
}

BOOST_AUTO_TEST_CASE(every_operation_answers_as_documented) {
  // One real request per documented operation (and HEAD per GET); the
  // global checker fails the test on any answer the document does not
  // describe. Successes are required here, so the 2xx shapes are checked
  // and not only the errors.
  auto expect = [&](const Response& r, long status) {
    BOOST_TEST(r.status == status, r.Describe());
  };
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      const std::string base = TablePath(t);
      const Rec a = InsertGenerated(http(), t);  // POST /insert-record
      const Rec b = InsertOk(http(), t, GenRecord(t, NextN(), t.is_main() ? "" : MakeParent(http(), t)),
                             /*alias=*/true);
      expect(http().Get(WithParam(base, "limit", "5")), 200);
      expect(http().Request("HEAD", base), 200);
      const int f0 = t.link_field == 0 && t.fields.size() > 1 ? 1 : 0;
      expect(http().Get(base + "/get-record?" + FilterQuery(t, {{f0, a.fields[f0]}})), 200);
      expect(http().Get(base + "/count?" + FilterQuery(t, {{f0, a.fields[f0]}})), 200);
      int range_field = -1;
      for (const IndexDesc& i : t.indexes)
        if (i.kind == IndexKind::RANGE) range_field = i.key_fields.front();
      if (range_field >= 0) {
        expect(http().Get(WithParam(base + "/range", "field", t.fields[range_field].name)), 200);
      } else {  // no RANGE index: no range route
        CheckProblem(http().Get(WithParam(base + "/range", "field", t.fields[0].name)), 404);
      }
      expect(http().Get(RecordPath(t, a.uuid)), 200);
      expect(http().Request("HEAD", RecordPath(t, a.uuid)), 200);
      expect(http().Put(RecordPath(t, a.uuid), BodyJson(t, a)), 200);
      expect(http().Put(base + "/update/" + a.uuid, BodyJson(t, a)), 200);
      expect(http().Request("PATCH", RecordPath(t, a.uuid), "{}",
                            {{"Content-Type", "application/merge-patch+json"}}),
             200);
      expect(http().Request("PATCH", base + "/update/" + a.uuid, "{}"), 200);
      expect(http().Request("GET", RecordPath(t, a.uuid), {}, {{"If-None-Match", "*"}}), 304);
      for (int c : t.children)
        expect(http().Get(RecordPath(t, a.uuid) + "/" + TheSchema().tables[c].name), 200);
      expect(http().Post(base + "/bulk",
                         "[" + BodyJson(t, GenRecord(t, NextN(), t.is_main() ? "" : MakeParent(http(), t))) + "]"),
             200);
      expect(http().Delete(base + "/delete/" + b.uuid), 204);
      expect(http().Delete(RecordPath(t, a.uuid)), 204);
    }
  }
  {
    const TableDesc& t = TheSchema().tables.front();
    expect(http().Post("/api/batch", "{\"operations\":[{\"op\":\"insert\",\"table\":\"" +
                                         t.name + "\",\"record\":" +
                                         BodyJson(t, GenRecord(t, NextN(), "")) + "}]}"),
           200);
  }
  expect(http().Get("/api/health"), 200);
  expect(http().Get("/api/metrics"), 200);
  expect(http().Get("/api/openapi.json"), 200);
  expect(http().Get("/api/changes?limit=5"), 200);
  // A stream's success never ends (the changes suite reads streams).
  expect(http().Get("/api/changes/stream?after=x"), 400);
  // OPTIONS on every path, and HEAD wherever GET is (a uuid no record has:
  // 404 is one of HEAD's documented answers too).
  for (const auto& p : Checker().document()["paths"].GetObject()) {
    std::string path = p.name.GetString();
    if (std::size_t at = path.find("{uuid}"); at != std::string::npos)
      path.replace(at, 6, "0190a5c4-7e2b-7c3d-8e4f-0123456789ab");
    expect(http().Request("OPTIONS", path), 204);
    if (p.value.HasMember("head")) http().Request("HEAD", path);
  }
  const ConformanceCounts c = GlobalConformanceCounts();
  BOOST_TEST(c.operations_seen == c.operations,
             c.operations_seen << " of " << c.operations << " operations seen");
  BOOST_TEST(c.operations == Checker().Operations().size());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
