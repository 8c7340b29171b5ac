// SPDX-License-Identifier: Apache-2.0
// tests/json/record_json_test.cc - src/json/record_json.cc.
//
// Schema-generic: every table of Schema::Compiled(), values made per
// FieldType (tests/record_gen.h), so it holds for every schema.

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "http/config.h"
#include "json/record_json.h"
#include "lmdbapi/schema.h"
#include "record_gen.h"
#include "store/record_codec.h"

using lmdbapi::FieldDesc;
using lmdbapi::FieldType;
using lmdbapi::Record;
using lmdbapi::Schema;
using lmdbapi::TableDesc;
using lmdbapi::Uuid;
using lmdbapi::http::AppendRecordJson;
using lmdbapi::http::MetaFields;
using lmdbapi::http::kDefaultMaxStringBytes;
using lmdbapi::http::ParsePatchJson;
using lmdbapi::http::ParseRecordJson;

namespace {

constexpr unsigned kSeed = 7;

Record Sample(const TableDesc& t, std::uint64_t serial = 1) {
  std::mt19937_64 rng(kSeed + serial);
  Uuid parent;
  parent.bytes[0] = 0x01;
  parent.bytes[6] = 0x70;
  return lmdbapi::testutil::RandomRecord(t, rng, serial, parent);
}

std::string Serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// The request body a client would send for `r`: its JSON without the
// read-only members.
std::string BodyFor(const Record& r, const TableDesc& t) {
  std::string json;
  AppendRecordJson(r, t, &json);
  rapidjson::Document d;
  d.Parse(json.c_str());
  BOOST_TEST_REQUIRE(!d.HasParseError(), json);
  d.RemoveMember("uuid");
  d.RemoveMember("revision");
  return Serialize(d);
}

// BodyFor(Sample(t)) with member `name` set to the JSON text `value`,
// spliced in verbatim (added if absent), so numbers keep their spelling.
std::string BodyWith(const TableDesc& t, const std::string& name,
                     const std::string& value) {
  rapidjson::Document d;
  std::string body = BodyFor(Sample(t), t);
  d.Parse(body.c_str());
  const char* kMark = "@@VALUE@@";
  if (d.HasMember(name.c_str())) {
    d[name.c_str()].SetString(rapidjson::StringRef(kMark));
  } else {
    d.AddMember(rapidjson::Value(name.c_str(), d.GetAllocator()),
                rapidjson::Value(rapidjson::StringRef(kMark)),
                d.GetAllocator());
  }
  std::string out = Serialize(d);
  out.replace(out.find("\"@@VALUE@@\""), 11, value);
  return out;
}

std::string BodyWithout(const TableDesc& t, const std::string& name) {
  rapidjson::Document d;
  std::string body = BodyFor(Sample(t), t);
  d.Parse(body.c_str());
  d.RemoveMember(name.c_str());
  return Serialize(d);
}

void ExpectRefused(const std::string& body, const TableDesc& t,
                   const std::string& subject,
                   const std::string& in_message = "",
                   MetaFields meta = MetaFields::kReject) {
  auto r = ParseRecordJson(body, t, meta, kDefaultMaxStringBytes);
  BOOST_TEST_REQUIRE(!r.ok(), t.name << ": accepted " << body);
  BOOST_TEST((r.status().code() == lmdbapi::Status::Code::kInvalidArgument));
  BOOST_TEST(r.status().subject() == subject,
             t.name << ": " << body << " -> " << r.status().message());
  BOOST_TEST(r.status().message().find(in_message) != std::string::npos,
             r.status().message());
}

void ExpectRefusedWith(const std::string& body, const TableDesc& t,
                       std::size_t max_string_bytes,
                       const std::string& subject,
                       const std::string& in_message) {
  auto r = ParseRecordJson(body, t, MetaFields::kReject, max_string_bytes);
  BOOST_TEST_REQUIRE(!r.ok(), t.name << ": accepted " << body.substr(0, 80));
  BOOST_TEST((r.status().code() == lmdbapi::Status::Code::kInvalidArgument));
  BOOST_TEST(r.status().subject() == subject);
  BOOST_TEST(r.status().message().find(in_message) != std::string::npos,
             r.status().message());
}

const FieldDesc* FirstOfType(const TableDesc** table, FieldType type) {
  for (const TableDesc& t : Schema::Compiled().tables)
    for (const FieldDesc& f : t.fields)
      if (f.type == type && !f.is_parent_link) {
        *table = &t;
        return &f;
      }
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(record_json)

BOOST_AUTO_TEST_CASE(every_table_round_trips) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (std::uint64_t serial = 1; serial <= 20; ++serial) {
      Record r = Sample(t, serial);
      auto back = ParseRecordJson(BodyFor(r, t), t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
      BOOST_TEST_REQUIRE(back.ok(), t.name << " seed " << kSeed + serial
                                           << ": " << back.status().message());
      BOOST_TEST((back->record.fields == r.fields),
                 t.name << " seed " << kSeed + serial);
      BOOST_TEST(!back->has_uuid);
    }
  }
}

// Pages and GETs are written from stored bytes; the JSON must be the very
// bytes AppendRecordJson writes for the decoded record, for every table,
// including strings that need escaping.
BOOST_AUTO_TEST_CASE(stored_records_write_the_same_json) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (std::uint64_t serial = 1; serial <= 50; ++serial) {
      Record r = Sample(t, serial);
      r.uuid = Uuid::New();
      r.revision = serial;
      for (std::size_t f = 0; f < t.fields.size(); ++f)
        if (t.fields[f].type == FieldType::STRING && serial % 5 == 0)
          r.fields[f] = std::string("quote\" back\\slash \x01 tab\t \xc3\xa9", 27);
      std::string stored;
      lmdbapi::EncodeRecord(t, r, &stored);
      std::string want, got = "[";
      AppendRecordJson(r, t, &want);
      std::uint64_t revision = 0;
      lmdbapi::StoredRecord view(t, r.uuid, stored);
      BOOST_TEST_REQUIRE(
          lmdbapi::http::AppendStoredRecordJson(view, &got, &revision).ok());
      BOOST_TEST(got == "[" + want);
      BOOST_TEST(revision == serial);
    }
  }
}

BOOST_AUTO_TEST_CASE(output_has_uuid_revision_then_fields_in_order) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    Record r = Sample(t);
    r.uuid.bytes[15] = 9;
    r.revision = 42;
    std::string json;
    AppendRecordJson(r, t, &json);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str());
    BOOST_TEST_REQUIRE(d.IsObject(), json);
    BOOST_TEST_REQUIRE(d.MemberCount() == t.fields.size() + 2);
    auto m = d.MemberBegin();
    BOOST_TEST(m->name.GetString() == std::string("uuid"));
    BOOST_TEST(m->value.GetString() == r.uuid.ToString());
    ++m;
    BOOST_TEST(m->name.GetString() == std::string("revision"));
    BOOST_TEST(m->value.GetUint64() == 42u);
    for (const FieldDesc& f : t.fields) {
      ++m;
      BOOST_TEST(m->name.GetString() == f.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(json_types_follow_field_types) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    std::string json;
    AppendRecordJson(Sample(t), t, &json);
    rapidjson::Document d;
    d.Parse(json.c_str());
    for (const FieldDesc& f : t.fields) {
      const rapidjson::Value& v = d[f.name.c_str()];
      switch (f.type) {
        case FieldType::STRING:
        case FieldType::DATE:
        case FieldType::TIMESTAMP:
        case FieldType::UUID:   BOOST_TEST(v.IsString(), f.name); break;
        case FieldType::INT64:  BOOST_TEST(v.IsInt64(), f.name); break;
        case FieldType::DOUBLE: BOOST_TEST(v.IsNumber(), f.name); break;
        case FieldType::BOOL:   BOOST_TEST(v.IsBool(), f.name); break;
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(absent_or_null_optional_fields_take_defaults) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDesc& f = t.fields[i];
      if (f.required) continue;
      for (const std::string& body :
           {BodyWithout(t, f.name), BodyWith(t, f.name, "null")}) {
        auto r = ParseRecordJson(body, t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
        BOOST_TEST_REQUIRE(r.ok(), r.status().message());
        BOOST_TEST((r->record.fields[i] == f.default_value), f.name);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(required_fields_must_be_present_and_not_null) {
  for (const TableDesc& t : Schema::Compiled().tables)
    for (const FieldDesc& f : t.fields)
      if (f.required) {
        ExpectRefused(BodyWithout(t, f.name), t, f.name, "missing required");
        ExpectRefused(BodyWith(t, f.name, "null"), t, f.name, "null");
      }
}

BOOST_AUTO_TEST_CASE(unknown_and_repeated_members_are_refused) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    ExpectRefused(BodyWith(t, "no_such_field", "1"), t, "no_such_field",
                  "unknown field");
    const std::string& f = t.fields.front().name;
    std::string body = BodyFor(Sample(t), t);
    std::string twice = body.substr(0, body.size() - 1) + ",\"" + f +
                        "\":" + body.substr(body.find(':') + 1);
    ExpectRefused(twice, t, f, "twice");
  }
}

BOOST_AUTO_TEST_CASE(uuid_and_revision_are_read_only_unless_accepted) {
  const TableDesc& t = Schema::Compiled().tables.front();
  const std::string id = "\"0190a5c4-7e2b-7c3d-8e4f-0123456789ab\"";
  ExpectRefused(BodyWith(t, "uuid", id), t, "uuid", "assigned by the server");
  ExpectRefused(BodyWith(t, "revision", "3"), t, "revision");

  std::string body = BodyWith(t, "uuid", id);
  body = body.substr(0, body.size() - 1) + ",\"revision\":3}";
  auto r = ParseRecordJson(body, t, MetaFields::kAccept, kDefaultMaxStringBytes);
  BOOST_TEST_REQUIRE(r.ok(), r.status().message());
  BOOST_TEST(r->has_uuid);
  BOOST_TEST(r->record.uuid.ToString() == id.substr(1, 36));
  BOOST_TEST(*r->revision == 3u);

  ExpectRefused(BodyWith(t, "uuid", "\"nope\""), t, "uuid", "not a uuid",
                MetaFields::kAccept);
  ExpectRefused(BodyWith(t, "revision", "-1"), t, "revision", "",
                MetaFields::kAccept);
  ExpectRefused(BodyWith(t, "revision", "1.5"), t, "revision", "",
                MetaFields::kAccept);
  // The document's minimum (1) and format (int64), not a stale revision.
  ExpectRefused(BodyWith(t, "revision", "0"), t, "revision",
                "positive integer", MetaFields::kAccept);
  ExpectRefused(BodyWith(t, "revision", "9223372036854775808"), t, "revision",
                "positive integer", MetaFields::kAccept);
  ExpectRefused(BodyWith(t, "revision", "\"3\""), t, "revision", "",
                MetaFields::kAccept);
}

BOOST_AUTO_TEST_CASE(wrong_json_kinds_are_refused_naming_the_field) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (const FieldDesc& f : t.fields) {
      std::vector<std::string> wrong = {"[]", "{}", "[1]", "{\"a\":1}"};
      switch (f.type) {
        case FieldType::STRING:
          wrong.insert(wrong.end(), {"1", "true", "1.5"});
          break;
        case FieldType::INT64:
          wrong.insert(wrong.end(),
                       {"\"1\"", "1.5", "1.0", "1e3", "true", "-0.5"});
          break;
        case FieldType::DOUBLE:
          wrong.insert(wrong.end(), {"\"1\"", "true", "1e400", "-1e400"});
          break;
        case FieldType::BOOL:
          wrong.insert(wrong.end(), {"1", "0", "\"true\""});
          break;
        case FieldType::DATE:
          wrong.insert(wrong.end(),
                       {"20240501", "\"2024-13-01\"", "\"2024-02-30\"",
                        "\"yesterday\"", "\"\""});
          break;
        case FieldType::TIMESTAMP:
          wrong.insert(wrong.end(),
                       {"1714550400", "\"2024-05-01\"", "\"noon\""});
          break;
        case FieldType::UUID:
          wrong.insert(wrong.end(), {"1", "\"nope\"", "\"\""});
          break;
      }
      for (const std::string& v : wrong)
        ExpectRefused(BodyWith(t, f.name, v), t, f.name);
    }
  }
}

// A JSON string literal of exactly `bytes` bytes of UTF-8: `unit` (one
// character) repeated, padded with 'a' where unit does not divide bytes.
std::string JsonStringOf(std::size_t bytes, const std::string& unit) {
  std::string s(bytes % unit.size(), 'a');
  while (s.size() < bytes) s += unit;
  return "\"" + s + "\"";
}

BOOST_AUTO_TEST_CASE(strings_are_limited_in_bytes_by_the_setting_or_the_field) {
  int checked = 0;
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (const FieldDesc& f : t.fields) {
      if (f.type != FieldType::STRING) continue;
      // A small setting, so that fields without MAX_BYTES are tested too.
      const std::size_t setting = 40;
      const std::size_t limit = f.max_bytes != 0 ? f.max_bytes : setting;
      const std::string source =
          f.max_bytes != 0 ? "(MAX_BYTES in the schema)" : "(MAX_STRING_BYTES)";
      // One, two, three and four-byte characters up to the limit; a
      // character that would cross it makes the value one byte too long
      // at least. An escape counts as the bytes it stands for.
      for (const char* u : {"x", "\xc3\xa9", "\xe2\x82\xac",
                            "\xf0\x9f\x98\x80", "\\u00e9"}) {
        const std::string unit = u;
        const bool escape = unit[0] == '\\';
        const std::size_t unit_bytes = escape ? 2 : unit.size();
        std::string at = "\"" + std::string(limit % unit_bytes, 'a');
        for (std::size_t n = limit % unit_bytes; n < limit; n += unit_bytes)
          at += unit;
        at += "\"";
        BOOST_TEST_CONTEXT(t.name << "." << f.name << " limit " << limit
                                  << ", unit " << unit) {
          auto ok = ParseRecordJson(BodyWith(t, f.name, at), t,
                                    MetaFields::kReject, setting);
          BOOST_TEST_REQUIRE(ok.ok(), ok.status().message());
          const std::string& got =
              std::get<std::string>(ok->record.fields[t.FieldIndex(f.name)]);
          BOOST_TEST(got.size() == limit);
          const std::string over = at.substr(0, at.size() - 1) + "b\"";
          ExpectRefusedWith(BodyWith(t, f.name, over), t, setting, f.name,
                            f.name + ": " + std::to_string(limit + 1) +
                                " bytes, more than the " +
                                std::to_string(limit) +
                                " this field may hold " + source);
        }
      }
      // A two-byte character whose second byte is the one too many.
      ExpectRefusedWith(
          BodyWith(t, f.name,
                   "\"" + std::string(limit - 1, 'a') + "\xc3\xa9\""),
          t, setting, f.name,
          std::to_string(limit + 1) + " bytes, more than the " +
              std::to_string(limit));
      ++checked;
    }
  }
  BOOST_TEST(checked > 0);
}

BOOST_AUTO_TEST_CASE(a_fields_max_bytes_wins_over_the_setting_both_ways) {
  for (const TableDesc& compiled : Schema::Compiled().tables) {
    for (const FieldDesc& f : compiled.fields) {
      if (f.type != FieldType::STRING || f.is_parent_link) continue;
      TableDesc t = compiled;
      FieldDesc& field = t.fields[t.FieldIndex(f.name)];
      field.max_bytes = 100;  // above the setting: 100 bytes pass
      auto r = ParseRecordJson(BodyWith(t, f.name, JsonStringOf(100, "x")), t,
                               MetaFields::kReject, 10);
      BOOST_TEST_REQUIRE(r.ok(), r.status().message());
      field.max_bytes = 5;  // below it: 6 are refused
      ExpectRefusedWith(BodyWith(t, f.name, JsonStringOf(6, "x")), t, 10,
                        f.name, "more than the 5 this field may hold");
      field.max_bytes = 0;  // none, and no setting (0): no limit
      r = ParseRecordJson(BodyWith(t, f.name, JsonStringOf(200000, "x")), t,
                          MetaFields::kReject, 0);
      BOOST_TEST_REQUIRE(r.ok(), r.status().message());
      return;  // one field shows it
    }
  }
}

BOOST_AUTO_TEST_CASE(int64_takes_exactly_its_range) {
  const TableDesc* t = nullptr;
  const FieldDesc* f = FirstOfType(&t, FieldType::INT64);
  if (f == nullptr) return;  // this schema has no INT64 field
  int i = t->FieldIndex(f->name);
  for (const char* ok : {"9223372036854775807", "-9223372036854775808", "0",
                         "-0"}) {
    auto r = ParseRecordJson(BodyWith(*t, f->name, ok), *t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(r.ok(), ok << ": " << r.status().message());
    BOOST_TEST(std::get<std::int64_t>(r->record.fields[i]) ==
               std::stoll(ok));
  }
  ExpectRefused(BodyWith(*t, f->name, "9223372036854775808"), *t, f->name,
                "out of range");
  ExpectRefused(BodyWith(*t, f->name, "-9223372036854775809"), *t, f->name,
                "out of range");
  ExpectRefused(BodyWith(*t, f->name, "123456789012345678901234567890"), *t,
                f->name, "out of range");
}

BOOST_AUTO_TEST_CASE(double_takes_integers_and_keeps_precision) {
  const TableDesc* t = nullptr;
  const FieldDesc* f = FirstOfType(&t, FieldType::DOUBLE);
  if (f == nullptr) return;  // this schema has no DOUBLE field
  int i = t->FieldIndex(f->name);
  struct Case {
    const char* json;
    double value;
  } cases[] = {{"3", 3.0},
               {"-7", -7.0},
               {"0.1", 0.1},
               {"1e-300", 1e-300},
               {"1.7976931348623157e308", 1.7976931348623157e308},
               {"0.30000000000000004", 0.30000000000000004}};
  for (const Case& c : cases) {
    auto r =
        ParseRecordJson(BodyWith(*t, f->name, c.json), *t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(r.ok(), c.json << ": " << r.status().message());
    BOOST_TEST(std::get<double>(r->record.fields[i]) == c.value, c.json);
  }
}

BOOST_AUTO_TEST_CASE(strings_keep_any_unicode_and_escapes) {
  const TableDesc* t = nullptr;
  const FieldDesc* f = FirstOfType(&t, FieldType::STRING);
  BOOST_TEST_REQUIRE(f != nullptr);
  int i = t->FieldIndex(f->name);
  auto r = ParseRecordJson(
      BodyWith(*t, f->name, "\"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\u0000 \\n\""),
      *t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
  BOOST_TEST_REQUIRE(r.ok(), r.status().message());
  BOOST_TEST(std::get<std::string>(r->record.fields[i]) ==
             std::string("\xC3\xA9\xF0\x9F\x98\x80 \"q\" \0 \n", 14));
  // And back out: the writer escapes what needs escaping.
  Record rec = r->record;
  std::string json;
  AppendRecordJson(rec, *t, &json);
  auto again = ParseRecordJson(BodyFor(rec, *t), *t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
  BOOST_TEST_REQUIRE(again.ok(), again.status().message());
  BOOST_TEST((again->record.fields[i] == rec.fields[i]));
}

BOOST_AUTO_TEST_CASE(ill_formed_utf8_is_refused) {
  const TableDesc* t = nullptr;
  const FieldDesc* f = FirstOfType(&t, FieldType::STRING);
  BOOST_TEST_REQUIRE(f != nullptr);
  std::string valid = BodyWith(*t, f->name, "\"MARK\"");
  for (const std::string& bad :
       {std::string("\xFF"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
        std::string("\xC3"), std::string("\\udc00"), std::string("\\ud800x")}) {
    std::string body = valid;
    body.replace(body.find("MARK"), 4, bad);
    auto r = ParseRecordJson(body, *t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
    BOOST_TEST(!r.ok(), "accepted " << body);
  }
}

BOOST_AUTO_TEST_CASE(syntax_errors_give_the_offset) {
  const TableDesc& t = Schema::Compiled().tables.front();
  const std::string f = "\"" + t.fields.front().name + "\"";
  for (const std::string& body :
       {std::string(""), std::string(" "), std::string("{"), "{" + f,
        "{" + f + ":}", "{" + f + ":\"x\",}",
        "{" + f + ":NaN}", "{" + f + ":Infinity}", std::string("{} {}"),
        std::string("{}x"), std::string("{'a':1}")}) {
    auto r = ParseRecordJson(body, t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(!r.ok(), "accepted " << body);
    BOOST_TEST(r.status().message().find("at offset") != std::string::npos,
               body << " -> " << r.status().message());
  }
  auto r = ParseRecordJson("{" + f + " 1}", t, MetaFields::kReject,
                             kDefaultMaxStringBytes);
  std::string at = "offset " + std::to_string(f.size() + 2);
  BOOST_TEST(r.status().message().find(at) != std::string::npos,
             r.status().message());
}

BOOST_AUTO_TEST_CASE(nul_bytes_and_non_objects_are_refused) {
  const TableDesc& t = Schema::Compiled().tables.front();
  std::string body = BodyFor(Sample(t), t);
  ExpectRefused(body + std::string("\0junk", 5), t, "", "NUL");
  for (const char* v : {"[]", "\"x\"", "1", "null", "true", "[{}]"})
    ExpectRefused(v, t, "", "must be a JSON object");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_recursion) {
  const TableDesc& t = Schema::Compiled().tables.front();
  std::string deep(200000, '[');
  ExpectRefused(deep, t, "", "must be a JSON object");
  const std::string& f = t.fields.front().name;
  ExpectRefused("{\"" + f + "\":" + deep, t, f);
}

BOOST_AUTO_TEST_CASE(a_merge_patch_carries_any_subset_of_the_fields) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    Record sample = Sample(t);
    // The whole record, then each field alone.
    auto all = ParsePatchJson(BodyFor(sample, t), t, kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(all.ok(), all.status().message());
    BOOST_TEST(all->fields.size() == t.fields.size());
    for (std::size_t i = 0; i < all->fields.size(); ++i) {
      BOOST_TEST(all->fields[i].field == static_cast<int>(i));
      BOOST_TEST((all->fields[i].value == sample.fields[i]), t.fields[i].name);
    }
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDesc& f = t.fields[i];
      rapidjson::Document d;
      d.Parse(BodyFor(sample, t).c_str());
      rapidjson::Document one(rapidjson::kObjectType);
      one.AddMember(rapidjson::Value(f.name.c_str(), one.GetAllocator()),
                    rapidjson::Value(d[f.name.c_str()], one.GetAllocator()),
                    one.GetAllocator());
      auto r = ParsePatchJson(Serialize(one), t, kDefaultMaxStringBytes);
      BOOST_TEST_REQUIRE(r.ok(), r.status().message());
      BOOST_TEST_REQUIRE(r->fields.size() == 1u);
      BOOST_TEST(r->fields[0].field == static_cast<int>(i));
      BOOST_TEST((r->fields[0].value == sample.fields[i]), f.name);
    }
    auto empty = ParsePatchJson("{}", t, kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(empty.ok());
    BOOST_TEST(empty->fields.empty());
    BOOST_TEST(!empty->revision.has_value());
  }
}

BOOST_AUTO_TEST_CASE(a_merge_patch_null_is_the_default_and_refused_on_required_fields) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDesc& f = t.fields[i];
      const std::string body = "{\"" + f.name + "\":null}";
      auto r = ParsePatchJson(body, t, kDefaultMaxStringBytes);
      if (f.required) {
        BOOST_TEST_REQUIRE(!r.ok(), body);
        BOOST_TEST(r.status().subject() == f.name);
        continue;
      }
      BOOST_TEST_REQUIRE(r.ok(), r.status().message());
      BOOST_TEST_REQUIRE(r->fields.size() == 1u);
      BOOST_TEST((r->fields[0].value == f.default_value), f.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_merge_patch_refuses_uuid_and_reads_revision_as_a_precondition) {
  const TableDesc& t = Schema::Compiled().tables.front();
  auto uuid = ParsePatchJson(
      "{\"uuid\":\"0190a5c4-7e2b-7c3d-8e4f-0123456789ab\"}", t,
      kDefaultMaxStringBytes);
  BOOST_TEST_REQUIRE(!uuid.ok());
  BOOST_TEST(uuid.status().subject() == "uuid");
  BOOST_TEST(uuid.status().message().find("cannot be patched") !=
             std::string::npos);
  auto rev = ParsePatchJson("{\"revision\":3}", t, kDefaultMaxStringBytes);
  BOOST_TEST_REQUIRE(rev.ok());
  BOOST_TEST(rev->fields.empty());
  BOOST_TEST(rev->revision.value() == 3u);
}

BOOST_AUTO_TEST_CASE(a_merge_patch_is_checked_as_a_record_body_is) {
  const TableDesc& t = Schema::Compiled().tables.front();
  const std::string& f = t.fields.front().name;
  for (const char* bad : {"[]", "null", "3", "\"x\"", "{\"a\":{}}", "{"}) {
    auto r = ParsePatchJson(bad, t, kDefaultMaxStringBytes);
    BOOST_TEST(!r.ok(), bad);
  }
  auto unknown = ParsePatchJson("{\"no_such_field\":1}", t,
                                kDefaultMaxStringBytes);
  BOOST_TEST(unknown.status().subject() == "no_such_field");
  auto twice = ParsePatchJson("{\"" + f + "\":null,\"" + f + "\":null}", t,
                              kDefaultMaxStringBytes);
  BOOST_TEST(twice.status().subject() == f);
  // String limits: the setting applies to fields without MAX_BYTES.
  for (const FieldDesc& fd : t.fields) {
    if (fd.type != FieldType::STRING || fd.max_bytes != 0) continue;
    auto r = ParsePatchJson("{\"" + fd.name + "\":\"" + std::string(11, 'x') +
                                "\"}",
                            t, 10);
    BOOST_TEST(!r.ok(), fd.name);
    BOOST_TEST(r.status().subject() == fd.name);
  }
}

BOOST_AUTO_TEST_CASE(null_is_written_as_a_null_member_and_reads_back) {
  int nullable = 0;
  for (const TableDesc& t : Schema::Compiled().tables) {
    Record r = Sample(t);
    r.revision = 1;  // as stored
    for (std::size_t i = 0; i < t.fields.size(); ++i)
      if (t.fields[i].nullable) {
        r.fields[i] = lmdbapi::Null{};
        ++nullable;
      }
    std::string json;
    AppendRecordJson(r, t, &json);
    std::string bytes;
    lmdbapi::EncodeRecord(t, r, &bytes);
    std::string stored;
    BOOST_TEST_REQUIRE(lmdbapi::http::AppendStoredRecordJson(
                           lmdbapi::StoredRecord(t, r.uuid, bytes), &stored)
                           .ok());
    BOOST_TEST(stored == json);
    rapidjson::Document d;
    d.Parse(json.c_str());
    for (const FieldDesc& f : t.fields)
      if (f.nullable) {
        BOOST_TEST_REQUIRE(d.HasMember(f.name.c_str()), f.name);
        BOOST_TEST(d[f.name.c_str()].IsNull(), f.name);
      }
    auto back = ParseRecordJson(json, t, MetaFields::kAccept, kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(back.ok(), back.status().message());
    BOOST_TEST((back->record.fields == r.fields));
  }
  BOOST_TEST(nullable > 0);
}

BOOST_AUTO_TEST_SUITE_END()
