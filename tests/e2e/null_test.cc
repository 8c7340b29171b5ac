// SPDX-License-Identifier: Apache-2.0
// tests/e2e/null_test.cc - null through nginx and the worker: nullable
// fields (OPTIONAL_FIELD) store and read null, DEFAULT_FIELDs take their
// default for absent or null, required fields refuse null, and indexes
// treat null as key_codec.h says (UNIQUE holds many, RANGE skips them,
// ?f.is=null finds them).
//
// Schema-agnostic: every case walks the descriptors, so it runs on every
// schema; each schema must have nullable fields, one in an index.

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

std::set<int> NullableFields(const TableDesc& t) {
  std::set<int> out;
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
    if (t.fields[f].nullable) out.insert(f);
  return out;
}

// A generated record with every nullable field null.
Rec WithNulls(HttpClient& http, const TableDesc& t) {
  Rec rec = GenRecord(t, NextN(), MakeParent(http, t));
  for (int f : NullableFields(t)) rec.fields[f] = std::monostate{};
  return rec;
}

// GET of the record answers it as `want`, null members included.
void CheckGet(HttpClient& http, const TableDesc& t, const Rec& want) {
  Response r = http.Get(RecordPath(t, want.uuid));
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST_REQUIRE(!d.HasParseError(), r.Describe());
  BOOST_TEST(Mismatch(t, want, d) == "", Mismatch(t, want, d));
  for (int f : NullableFields(t)) {
    if (!IsNullVal(want.fields[f])) continue;
    const std::string& name = t.fields[f].name;
    BOOST_TEST((d.HasMember(name.c_str()) && d[name.c_str()].IsNull()),
               name << " should be a member holding null: " << r.body);
  }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(nulls, StackFixture)

BOOST_AUTO_TEST_CASE(every_schema_has_a_nullable_index_key) {
  int nullable = 0, indexed = 0;
  for (const TableDesc& t : TheSchema().tables)
    for (int f : NullableFields(t)) {
      ++nullable;
      indexed += IsIndexKey(t, f);
    }
  BOOST_TEST(nullable > 0);
  BOOST_TEST(indexed > 0);
}

BOOST_AUTO_TEST_CASE(absent_and_null_both_store_null_and_read_as_null) {
  for (const TableDesc& t : TheSchema().tables) {
    const std::set<int> nullable = NullableFields(t);
    if (nullable.empty()) continue;
    BOOST_TEST_CONTEXT("table " << t.name) {
      // Members left out...
      Rec absent = InsertOk(http(), t, WithNulls(http(), t), false, nullable);
      CheckGet(http(), t, absent);
      // ...and members sent as null.
      Rec sent = WithNulls(http(), t);
      Rec stored = InsertBodyOk(http(), t, TablePath(t), BodyJson(t, sent), sent);
      CheckGet(http(), t, stored);
      // A replace may set a value, and null again.
      Rec valued = GenRecord(t, NextN(), t.link_field >= 0
                                             ? std::get<std::string>(stored.fields[t.link_field])
                                             : std::string());
      valued.uuid = stored.uuid;
      Response r = http().Put(RecordPath(t, stored.uuid), BodyJson(t, valued));
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      CheckGet(http(), t, valued);
      r = http().Put(RecordPath(t, stored.uuid), BodyJson(t, stored));
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      stored.revision = 3;
      CheckGet(http(), t, stored);
    }
  }
}

BOOST_AUTO_TEST_CASE(required_fields_refuse_null_naming_the_field) {
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (!t.fields[f].required) continue;
      BOOST_TEST_CONTEXT(t.name << "." << t.fields[f].name) {
        Rec rec = GenRecord(t, NextN(), MakeParent(http(), t));
        Response r = http().Post(TablePath(t), BodyJson(t, rec, {}, {{f, "null"}}));
        CheckProblem(r, 400, t.fields[f].name);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(default_fields_take_their_default_when_absent_or_null) {
  int checked = 0;
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      const FieldDesc& fd = t.fields[f];
      if (fd.required || fd.nullable) continue;
      ++checked;
      BOOST_TEST_CONTEXT(t.name << "." << fd.name) {
        Rec rec = GenRecord(t, NextN(), MakeParent(http(), t));
        Rec want = rec;
        want.fields[f] = DefaultOf(fd);
        BOOST_TEST(!IsNullVal(want.fields[f]));
        Rec got = InsertBodyOk(http(), t, TablePath(t),
                               BodyJson(t, rec, {}, {{f, "null"}}), want);
        CheckGet(http(), t, got);
      }
    }
  }
  BOOST_TEST_MESSAGE(checked << " DEFAULT_FIELDs");
}

BOOST_AUTO_TEST_CASE(is_null_finds_exactly_the_nulls_with_or_without_an_index) {
  for (const TableDesc& t : TheSchema().tables) {
    for (int f : NullableFields(t)) {
      const std::string& name = t.fields[f].name;
      BOOST_TEST_CONTEXT(t.name << "." << name << (IsIndexKey(t, f) ? " (indexed)" : "")) {
        Rec with_null = InsertOk(http(), t, WithNulls(http(), t));
        Rec with_value = InsertGenerated(http(), t);
        BOOST_TEST_REQUIRE(!IsNullVal(with_value.fields[f]));
        Listing l = ListAll(http(), t, WithParam(TablePath(t), name + ".is", "null"), 7);
        BOOST_TEST_REQUIRE(l.ok, l.error);
        const std::set<std::string> got = Uuids(l.records);
        BOOST_TEST(got.count(with_null.uuid) == 1u);
        BOOST_TEST(got.count(with_value.uuid) == 0u);
        for (const Rec& r : l.records)
          BOOST_TEST(IsNullVal(r.fields[f]), r.uuid << " has a " << name);
        const std::set<std::string> plans = ExpectedPlans(t, {f});
        BOOST_TEST(plans.count(l.plan) == 1u, "plan " << l.plan);
        // The value filter does not mistake the text "null" for null.
        if (t.fields[f].type == FieldType::STRING) {
          Listing text = ListAll(http(), t, WithParam(TablePath(t), name, "null"));
          BOOST_TEST_REQUIRE(text.ok, text.error);
          BOOST_TEST(Uuids(text.records).count(with_null.uuid) == 0u);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(is_takes_only_null_and_only_on_nullable_fields) {
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      const std::string param = t.fields[f].name + ".is";
      BOOST_TEST_CONTEXT(t.name << " " << param) {
        if (t.fields[f].nullable) {
          for (const char* bad : {"NULL", "", "true", "none"})
            CheckProblem(http().Get(WithParam(TablePath(t), param, bad)), 400, param);
        } else {
          CheckProblem(http().Get(WithParam(TablePath(t), param, "null")), 400, param);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_unique_index_holds_any_number_of_nulls) {
  int checked = 0;
  for (const TableDesc& t : TheSchema().tables) {
    for (const IndexDesc& index : t.indexes) {
      if (index.kind != IndexKind::UNIQUE) continue;
      bool nullable = false;
      for (int k : index.key_fields) nullable = nullable || t.fields[k].nullable;
      if (!nullable) continue;
      ++checked;
      BOOST_TEST_CONTEXT(index.db_name) {
        Rec a = InsertOk(http(), t, WithNulls(http(), t));
        Rec b = InsertOk(http(), t, WithNulls(http(), t));
        BOOST_TEST(a.uuid != b.uuid);
        // A value still may not repeat.
        Rec first = InsertGenerated(http(), t);
        Rec twin = GenRecord(t, NextN(), MakeParent(http(), t));
        for (int k : index.key_fields) twin.fields[k] = first.fields[k];
        CheckProblem(http().Post(TablePath(t), BodyJson(t, twin)), 409);
      }
    }
  }
  BOOST_TEST_MESSAGE(checked << " UNIQUE indexes with a nullable key");
}

BOOST_AUTO_TEST_CASE(a_range_never_returns_nulls) {
  for (const TableDesc& t : TheSchema().tables) {
    for (const IndexDesc& index : t.indexes) {
      const int f = index.key_fields.front();
      if (index.kind != IndexKind::RANGE || !t.fields[f].nullable) continue;
      BOOST_TEST_CONTEXT(index.db_name) {
        Rec with_null = InsertOk(http(), t, WithNulls(http(), t));
        Rec with_value = InsertGenerated(http(), t);
        const std::string path =
            WithParam(TablePath(t) + "/range", "field", t.fields[f].name);
        Listing all = ListAll(http(), t, path);
        BOOST_TEST_REQUIRE(all.ok, all.error);
        BOOST_TEST(Uuids(all.records).count(with_value.uuid) == 1u);
        BOOST_TEST(Uuids(all.records).count(with_null.uuid) == 0u);
        for (const Rec& r : all.records) BOOST_TEST(!IsNullVal(r.fields[f]));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
