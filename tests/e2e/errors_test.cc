// SPDX-License-Identifier: Apache-2.0
// tests/e2e/errors_test.cc - every refusal the contract names: its status,
// its application/problem+json body (with "field" where a field is at
// fault), and that nothing was written.
//
// Each case starts from one stored record per table; after the refusals
// every table still holds exactly what it held before, and the record a
// refused update aimed at is unchanged.

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "http/config.h"

namespace lmdbapi::e2e {
namespace {

constexpr const char* kAbsentUuid = "01900000-0000-7000-8000-0000000000aa";

struct SeededFixture : StackFixture {
  SeededFixture() {
    for (const TableDesc& t : TheSchema().tables) {
      Rec rec = InsertGenerated(http(), t);
      rec.revision = 1;
      seeds.push_back(rec);
    }
    before = TableCounts(http());
  }
  // Nothing was written: counts as at start, every seed as inserted.
  void CheckNothingWritten() {
    BOOST_TEST(TableCounts(http()) == before, "table sizes should not change");
    for (const TableDesc& t : TheSchema().tables) {
      Response r = http().Get(RecordPath(t, seeds[t.position].uuid));
      rapidjson::Document d = ParseJson(r.body);
      BOOST_TEST(Mismatch(t, seeds[t.position], d) == "",
                 t.name << " seed record should be unchanged");
    }
  }
  // POST to both insert routes and PUT over the seed, each refused.
  void CheckWriteRefused(const TableDesc& t, const std::string& body, long status,
                         std::string_view field = {}) {
    BOOST_TEST_CONTEXT("POST " << TablePath(t) << " " << body.substr(0, 120)) {
      CheckProblem(http().Post(TablePath(t), body), status, field);
      CheckProblem(http().Post(TablePath(t) + "/insert-record", body), status, field);
    }
    BOOST_TEST_CONTEXT("PUT " << RecordPath(t, seeds[t.position].uuid) << " "
                              << body.substr(0, 120)) {
      CheckProblem(http().Put(RecordPath(t, seeds[t.position].uuid), body), status, field);
    }
  }
  // A valid body for table t (a new record, the seed's parent).
  Rec Valid(const TableDesc& t) {
    return GenRecord(t, NextN(),
                     t.is_main() ? std::string()
                                 : std::get<std::string>(seeds[t.position].fields[t.link_field]));
  }
  std::vector<Rec> seeds;  // by table position
  std::vector<std::size_t> before;
};

// JSON of the wrong shape for a field of `type`.
std::vector<std::string> WrongTypes(FieldType type) {
  switch (type) {
    case FieldType::STRING: return {"5", "true", "{}", "[\"a\"]"};
    case FieldType::INT64:
      return {"\"5\"", "2.5", "true", "9223372036854775808", "[1]"};
    case FieldType::DOUBLE: return {"\"1.5\"", "true", "{}"};
    case FieldType::BOOL: return {"\"true\"", "1", "0", "[]"};
    case FieldType::DATE: return {"20240101", "true", "{}"};
    case FieldType::TIMESTAMP: return {"1714564800", "true", "[]"};
    case FieldType::UUID: return {"12", "true", "{}"};
  }
  return {};
}

// Strings of the right JSON type that are not valid values.
std::vector<std::string> InvalidTexts(FieldType type) {
  switch (type) {
    case FieldType::DATE:
      return {"2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "24-01-01",
              "2024-1-1",   "2024-01-01T00:00:00Z", "", "10000-01-01", "0000-01-01",
              "2024-01-01 "};
    case FieldType::TIMESTAMP:
      return {"2024-05-01T25:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01",
              "2024-05-01T12:00:00", "yesterday", "", "2024-05-01T12:00:00+25:00",
              "2024-02-30T00:00:00Z", "2024-05-01T12:00:00.Z"};
    case FieldType::UUID:
      return {"xyz", "", "0190a0b0-0000-7000-8000-00000000000g",
              "0190a0b000007000800000000000000000ab",
              "{0190a0b0-0000-7000-8000-000000000000}",
              "0190a0b0-0000-7000-8000-0000000000000"};
    default:
      return {};
  }
}

// Query-text values a filter on `type` must refuse.
std::vector<std::string> BadQueryTexts(FieldType type) {
  switch (type) {
    case FieldType::INT64: return {"abc", "1.5", "9223372036854775808", ""};
    case FieldType::DOUBLE: return {"abc", "1e400", "nan", "inf"};
    case FieldType::BOOL: return {"maybe", "1", "TRUE "};
    case FieldType::DATE: return {"2024-02-30", "tomorrow"};
    case FieldType::TIMESTAMP: return {"yesterday", "2024-05-01T12:00:00"};
    case FieldType::UUID: return {"nope", "0190a0b0"};
    case FieldType::STRING: return {};
  }
  return {};
}

std::set<std::string> AllowSet(const Response& r) {
  std::set<std::string> out;
  std::string allow = r.Header("Allow");
  std::size_t at = 0;
  while (at <= allow.size()) {
    std::size_t comma = allow.find(',', at);
    if (comma == std::string::npos) comma = allow.size();
    std::string m = allow.substr(at, comma - at);
    while (!m.empty() && m.front() == ' ') m.erase(0, 1);
    while (!m.empty() && m.back() == ' ') m.pop_back();
    if (!m.empty()) out.insert(m);
    at = comma + 1;
  }
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(errors, SeededFixture)

BOOST_AUTO_TEST_CASE(malformed_json_is_400) {
  for (const TableDesc& t : TheSchema().tables) {
    const std::string valid = BodyJson(t, Valid(t));
    for (const std::string& body :
         {std::string("{\"a\":"), std::string("{'a':1}"), std::string("nul"),
          std::string("{\"a\":1,}"), std::string("{\"a\" 1}"), valid + "x",
          valid + "}", valid.substr(0, valid.size() - 1), std::string("\xef\xbb\xbf{}")}) {
      CheckWriteRefused(t, body, 400);
    }
    BOOST_TEST_CONTEXT("an empty body") {
      CheckProblem(http().Post(TablePath(t), ""), 400);
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_an_object_is_400) {
  for (const TableDesc& t : TheSchema().tables)
    for (const char* body : {"[]", "[{}]", "\"x\"", "1", "null", "true"})
      CheckWriteRefused(t, body, 400);
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_field_of_the_wrong_type_is_400_naming_it) {
  for (const TableDesc& t : TheSchema().tables) {
    const Rec valid = Valid(t);
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      std::vector<std::string> wrong = WrongTypes(t.fields[f].type);
      if (t.fields[f].required) wrong.push_back("null");
      for (const std::string& json : wrong)
        CheckWriteRefused(t, BodyJson(t, valid, {}, {{f, json}}), 400, t.fields[f].name);
      // Numbers no double holds: refused, by the parser or as the field's.
      if (t.fields[f].type == FieldType::DOUBLE || t.fields[f].type == FieldType::INT64)
        for (const char* json : {"1e400", "-1e400"})
          CheckWriteRefused(t, BodyJson(t, valid, {}, {{f, json}}), 400);
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(an_unknown_field_is_400_naming_it) {
  for (const TableDesc& t : TheSchema().tables) {
    std::string body = BodyJson(t, Valid(t));
    body.insert(1, "\"no_such_field\":1,");
    CheckWriteRefused(t, body, 400, "no_such_field");
    // Names are case-sensitive: a field in another case is unknown.
    std::string upper = t.fields[0].name;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    if (upper != t.fields[0].name) {
      std::string dup = BodyJson(t, Valid(t));
      dup.insert(1, "\"" + upper + "\":1,");
      CheckWriteRefused(t, dup, 400, upper);
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_missing_required_field_is_400_naming_it) {
  for (const TableDesc& t : TheSchema().tables) {
    const Rec valid = Valid(t);
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (!t.fields[f].required) continue;
      // BodyJson only omits optional fields: drop this one by hand.
      TableDesc without = t;
      without.fields.erase(without.fields.begin() + f);
      Rec rec = valid;
      rec.fields.erase(rec.fields.begin() + f);
      CheckWriteRefused(t, BodyJson(without, rec), 400, t.fields[f].name);
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(an_invalid_date_timestamp_or_uuid_is_400_naming_the_field) {
  int checked = 0;
  for (const TableDesc& t : TheSchema().tables) {
    const Rec valid = Valid(t);
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      for (const std::string& text : InvalidTexts(t.fields[f].type)) {
        Rec rec = valid;
        rec.fields[f] = text;
        CheckWriteRefused(t, BodyJson(t, rec), 400, t.fields[f].name);
        ++checked;
      }
    }
  }
  BOOST_TEST_MESSAGE("errors: " << checked << " invalid texts refused");
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_bad_query_parameter_is_400) {
  for (const TableDesc& t : TheSchema().tables) {
    for (const std::string& base : {TablePath(t), TablePath(t) + "/get-record"}) {
      BOOST_TEST_CONTEXT("GET " << base << "?no_such_field=1") {
        CheckProblem(http().Get(base + "?no_such_field=1"), 400, "no_such_field");
      }
      for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
        for (const std::string& text : BadQueryTexts(t.fields[f].type)) {
          const std::string path = WithParam(base, t.fields[f].name, text);
          BOOST_TEST_CONTEXT("GET " << path) {
            CheckProblem(http().Get(path), 400, t.fields[f].name);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_index_key_over_511_bytes_is_400_naming_the_field) {
  int checked = 0;
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (t.fields[f].type != FieldType::STRING || !IsIndexKey(t, f)) continue;
      Rec rec = Valid(t);
      rec.fields[f] = std::string(600, 'k');
      CheckWriteRefused(t, BodyJson(t, rec), 400, t.fields[f].name);
      ++checked;
    }
  }
  BOOST_TEST(checked > 0, "the schema should index some STRING field");
  CheckNothingWritten();
}

// MAX_STRING_BYTES (the stack's worker runs with the default) and the
// schema's MAX_BYTES rows, through nginx: a value one byte over (a
// two-byte character across the limit) is 400 naming the field on every
// write route, and in a filter; one at the limit is stored whole.
BOOST_AUTO_TEST_CASE(a_string_over_its_byte_limit_is_400_naming_the_field) {
  int checked = 0, stored = 0;
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      const FieldDesc& field = t.fields[f];
      if (field.type != FieldType::STRING) continue;
      const std::size_t limit = StringLimit(field, http::kDefaultMaxStringBytes);
      BOOST_TEST_CONTEXT(t.name << "." << field.name << " limit " << limit) {
        Rec rec = Valid(t);
        const std::string over = std::string(limit - 1, 'k') + "\xc3\xa9";
        rec.fields[f] = over;
        const std::string body = BodyJson(t, rec);
        CheckWriteRefused(t, body, 400, field.name);
        rapidjson::Document d = ParseJson(http().Post(TablePath(t), body).body);
        BOOST_TEST_REQUIRE((d.IsObject() && d.HasMember("detail")));
        BOOST_TEST(d["detail"].GetString() ==
                   field.name + ": " + std::to_string(limit + 1) +
                       " bytes, more than the " + std::to_string(limit) +
                       " this field may hold (" +
                       (field.max_bytes != 0 ? "MAX_BYTES in the schema"
                                             : "MAX_STRING_BYTES") +
                       ")");
        // A query string this long is nginx's to refuse (414); a short
        // limit is checked on filters too.
        if (limit <= 1000)
          CheckProblem(http().Get(WithParam(TablePath(t), field.name, over)), 400,
                       field.name);
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 0);
  CheckNothingWritten();
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      const FieldDesc& field = t.fields[f];
      if (field.type != FieldType::STRING) continue;
      const std::size_t limit = StringLimit(field, http::kDefaultMaxStringBytes);
      if (IsIndexKey(t, f) && limit > 400) continue;  // LMDB's 511-byte keys
      BOOST_TEST_CONTEXT(t.name << "." << field.name << " at " << limit) {
        Rec rec = Valid(t);
        rec.fields[f] = std::string(limit - 2, 'k') + "\xc3\xa9";
        Rec got = InsertOk(http(), t, rec);
        rapidjson::Document d = ParseJson(http().Get(RecordPath(t, got.uuid)).body);
        BOOST_TEST(Mismatch(t, got, d) == "");
        if (limit <= 1000) {
          Response r = http().Get(WithParam(TablePath(t), field.name,
                                            std::get<std::string>(rec.fields[f])));
          BOOST_TEST(r.status == 200, r.Describe());
        }
        ++stored;
      }
    }
  }
  BOOST_TEST(stored > 0, "some STRING field should take its limit");
}

BOOST_AUTO_TEST_CASE(an_unknown_route_is_a_404_problem) {
  const TableDesc& t = TheSchema().tables.front();
  const std::string uuid = seeds.front().uuid;
  for (const std::string& path :
       {std::string("/api/no_such_table"), std::string("/api/no_such_table/") + kAbsentUuid,
        std::string("/api/"), RecordPath(t, uuid) + "/no_such_child",
        RecordPath(t, uuid) + "/" + t.name + "/extra", TablePath(t) + "/insert-record/x",
        TablePath(t) + "/range/x", std::string("/api/") + t.name + "s"}) {
    BOOST_TEST_CONTEXT("GET " << path) { CheckProblem(http().Get(path), 404); }
  }
  BOOST_TEST_CONTEXT("POST /api/no_such_table") {
    CheckProblem(http().Post("/api/no_such_table", "{}"), 404);
  }
  for (const char* path : {"/", "/index.html", "/apix"}) {
    Response r = http().Get(path);
    BOOST_TEST(r.status == 404, "outside /api/ nothing is served: " << r.Describe());
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_revision_out_of_the_documented_range_is_400_not_409) {
  // The document says revision is an int64 of at least 1: 0 or 2^63 is a
  // malformed body, not a stale revision.
  for (const TableDesc& t : TheSchema().tables) {
    const std::string path = RecordPath(t, seeds[t.position].uuid);
    for (const std::string rev : {"0", "9223372036854775808"}) {
      BOOST_TEST_CONTEXT("PUT " << path << " revision " << rev) {
        std::string body = BodyJson(t, Valid(t));
        body.insert(1, "\"revision\":" + rev + ",");
        CheckProblem(http().Put(path, body), 400, "revision");
      }
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_wrong_method_is_405_with_allow) {
  struct Case {
    std::string method, path;
    std::set<std::string> allowed;  // at least these
  };
  std::vector<Case> cases;
  for (const TableDesc& t : TheSchema().tables) {
    const std::string uuid = seeds[t.position].uuid;
    cases.push_back({"PATCH", TablePath(t) + "/delete/" + uuid, {"DELETE"}});
    cases.push_back({"POST", RecordPath(t, uuid), {"GET", "PUT", "PATCH", "DELETE"}});
    cases.push_back({"DELETE", TablePath(t), {"GET", "POST"}});
    cases.push_back({"PUT", TablePath(t), {"GET", "POST"}});
    cases.push_back({"GET", TablePath(t) + "/insert-record", {"POST"}});
    cases.push_back({"POST", TablePath(t) + "/get-record", {"GET"}});
    bool ranged = false;  // else /range is no route (404)
    for (const IndexDesc& i : t.indexes) ranged |= i.kind == IndexKind::RANGE;
    if (ranged) cases.push_back({"DELETE", TablePath(t) + "/range", {"GET"}});
    cases.push_back({"GET", TablePath(t) + "/update/" + uuid, {"PUT", "PATCH"}});
    cases.push_back({"GET", TablePath(t) + "/delete/" + uuid, {"DELETE"}});
    for (int c : t.children)
      cases.push_back({"POST", RecordPath(t, uuid) + "/" + TheSchema().tables[c].name, {"GET"}});
  }
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.method << " " << c.path) {
      const TableDesc& t = TheSchema().tables.front();
      Response r = http().Request(c.method, c.path,
                                  c.method == "GET" || c.method == "DELETE"
                                      ? std::string()
                                      : BodyJson(t, Valid(t)));
      CheckProblem(r, 405);
      const std::set<std::string> allow = AllowSet(r);
      for (const std::string& m : c.allowed)
        BOOST_TEST(allow.count(m) == 1u, "Allow should list " << m << "; got \""
                                                              << r.Header("Allow") << "\"");
      BOOST_TEST(allow.count(c.method) == 0u, "Allow should not list " << c.method);
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_unique_key_taken_is_409_and_freed_by_delete) {
  int checked = 0;
  for (const TableDesc& t : TheSchema().tables) {
    const std::set<int> unique = UniqueKeyFields(t);
    if (unique.empty()) continue;
    BOOST_TEST_CONTEXT("table " << t.name) {
      const Rec& taken = seeds[t.position];
      Rec clash = Valid(t);
      for (int f : unique) clash.fields[f] = taken.fields[f];
      CheckProblem(http().Post(TablePath(t), BodyJson(t, clash)), 409);
      // Another record updated onto the taken key.
      Rec other = InsertOk(http(), t, Valid(t));
      other.revision = 1;
      Rec onto = other;
      for (int f : unique) onto.fields[f] = taken.fields[f];
      CheckProblem(http().Put(RecordPath(t, other.uuid), BodyJson(t, onto)), 409);
      Response g = http().Get(RecordPath(t, other.uuid));
      rapidjson::Document d = ParseJson(g.body);
      BOOST_TEST(Mismatch(t, other, d) == "", "a refused update changes nothing");
      // Updating a record onto its own key is no clash.
      Rec same = taken;
      Response r = http().Put(RecordPath(t, taken.uuid), BodyJson(t, same));
      BOOST_TEST(r.status == 200, "rewriting a record with its own key: " << r.Describe());
      seeds[t.position].revision = 2;
      BOOST_TEST_REQUIRE(http().Delete(RecordPath(t, other.uuid)).status == 204);
      ++checked;
    }
  }
  BOOST_TEST(checked > 0, "the schema should have a UNIQUE index");
  CheckNothingWritten();
  // Once the holder is gone its key is free again.
  for (const TableDesc& t : TheSchema().tables) {
    const std::set<int> unique = UniqueKeyFields(t);
    if (unique.empty() || !t.is_main()) continue;
    BOOST_TEST_REQUIRE(http().Delete(RecordPath(t, seeds[t.position].uuid)).status == 204);
    Rec reuse = Valid(t);
    for (int f : unique) reuse.fields[f] = seeds[t.position].fields[f];
    InsertOk(http(), t, reuse);
  }
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_413) {
  const TableDesc& t = TheSchema().tables.front();
  int f = -1;
  for (int i = 0; i < static_cast<int>(t.fields.size()); ++i)
    if (t.fields[i].type == FieldType::STRING) f = i;
  BOOST_TEST_REQUIRE(f >= 0);
  Rec rec = Valid(t);
  rec.fields[f] = std::string(2 << 20, 'b');  // 2 MiB
  Response r = http().Post(TablePath(t), BodyJson(t, rec));
  CheckProblem(r, 413);
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(a_body_just_under_the_limit_is_accepted_whole) {
  const TableDesc& t = TheSchema().tables.front();
  const int f = UnindexedStringField(t);
  if (f < 0 || t.fields[f].max_bytes != 0) return;
  // One string may fill the body only when MAX_STRING_BYTES allows it.
  stack.Stop();
  StackOptions options;
  options.worker_env = {"MAX_STRING_BYTES=1048576"};
  stack.Start(options);
  Rec rec = Valid(t);
  rec.fields[f] = std::string(1000000, 'u');  // the body is just under 1 MiB
  BOOST_TEST_REQUIRE(BodyJson(t, rec).size() < (1u << 20));
  Rec got = InsertOk(http(), t, rec);
  Response r = http().Get(RecordPath(t, got.uuid));
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST(Mismatch(t, got, d) == "", "a 1 MB value reads back whole");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_by_content_type_is_415) {
  for (const TableDesc& t : TheSchema().tables) {
    const std::string body = BodyJson(t, Valid(t));
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                             "application/xml", "multipart/form-data; boundary=x"}) {
      BOOST_TEST_CONTEXT(t.name << " Content-Type: " << type) {
        CheckProblem(http().Request("POST", TablePath(t), body, {{"Content-Type", type}}), 415);
        CheckProblem(http().Request("PUT", RecordPath(t, seeds[t.position].uuid), body,
                                    {{"Content-Type", type}}),
                     415);
      }
    }
  }
  CheckNothingWritten();
}

BOOST_AUTO_TEST_CASE(json_with_a_charset_parameter_is_accepted) {
  const TableDesc& t = TheSchema().tables.front();
  for (const char* type : {"application/json; charset=utf-8", "application/json;charset=UTF-8",
                           "Application/JSON"}) {
    Response r = http().Request("POST", TablePath(t), BodyJson(t, Valid(t)),
                                {{"Content-Type", type}});
    BOOST_TEST(r.status == 201, "Content-Type \"" << type << "\" is JSON: " << r.Describe());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
