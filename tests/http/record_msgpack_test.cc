// SPDX-License-Identifier: Apache-2.0
// tests/http/record_msgpack_test.cc - src/http/record_msgpack.cc.
//
// A table made here holds one field of every type, each also nullable, so
// every msgpack form is met whatever the compiled schema; the compiled
// schema's tables are round-tripped too.

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "http/config.h"
#include "json/record_json.h"
#include "http/record_msgpack.h"
#include "lmdbapi/schema.h"
#include "record_gen.h"
#include "store/record_codec.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::AppendRecordMsgpack;
using lmdbapi::http::AppendStoredRecordMsgpack;
using lmdbapi::http::FieldMask;
using lmdbapi::http::ForEachMsgpackRecord;
using lmdbapi::http::kDefaultMaxStringBytes;
using lmdbapi::http::MetaFields;
using lmdbapi::http::ParsePatchMsgpack;
using lmdbapi::http::ParseRecordMsgpack;

namespace {

// One required and one nullable field of each type.
TableDesc EveryType() {
  TableDesc t;
  t.name = "every";
  const std::pair<const char*, FieldType> types[] = {
      {"s", FieldType::STRING},    {"i", FieldType::INT64},
      {"d", FieldType::DOUBLE},    {"b", FieldType::BOOL},
      {"day", FieldType::DATE},    {"at", FieldType::TIMESTAMP},
      {"u", FieldType::UUID}};
  for (auto [name, type] : types) {
    FieldDesc f;
    f.name = name;
    f.type = type;
    f.default_value = testutil::SerialValue(type, 0);
    t.fields.push_back(f);
    FieldDesc n = f;
    n.name = std::string(name) + "_or_null";
    n.required = false;
    n.nullable = true;
    n.default_value = Null{};
    t.fields.push_back(n);
  }
  return t;
}

Uuid SomeUuid() {
  Uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(i * 17);
  u.bytes[6] = 0x70;
  u.bytes[8] = 0x80;
  return u;
}

Record Extremes(const TableDesc& t, bool low) {
  Record r;
  r.uuid = SomeUuid();
  r.revision = low ? 1 : static_cast<std::uint64_t>(INT64_MAX);
  auto at = [&](const char* name) -> Value& {
    return r.fields[static_cast<std::size_t>(t.FieldIndex(name))];
  };
  r.fields.resize(t.fields.size());
  at("s") = std::string(low ? "" : "Zoë 東京 \xF0\x9F\x8F\x97 \"q\"\n\\");
  at("i") = low ? std::numeric_limits<std::int64_t>::min()
                : std::numeric_limits<std::int64_t>::max();
  at("d") = low ? -0.0 : 1.7976931348623157e308;
  at("b") = !low;
  at("day") = Date{low ? -719162 : 2932896};  // 0001-01-01, 9999-12-31
  at("at") = Timestamp{low ? -62135596800000000 : 253402300799999999};
  at("u") = SomeUuid();
  for (const char* n : {"s_or_null", "i_or_null", "d_or_null", "b_or_null",
                        "day_or_null", "at_or_null", "u_or_null"}) {
    if (low) {
      at(n) = Null{};
    } else {
      std::string base(n);
      at(n) = at(base.substr(0, base.find("_or_null")).c_str());
    }
  }
  return r;
}

void ExpectSameRecord(const Record& got, const Record& want) {
  BOOST_TEST((got.uuid == want.uuid));
  BOOST_TEST(got.revision == want.revision);
  BOOST_TEST_REQUIRE(got.fields.size() == want.fields.size());
  for (std::size_t i = 0; i < want.fields.size(); ++i)
    BOOST_TEST((got.fields[i] == want.fields[i]), "field " << i);
}

msgpack::object_handle Unpack(const std::string& bytes) {
  return msgpack::unpack(bytes.data(), bytes.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(record_msgpack)

BOOST_AUTO_TEST_CASE(every_type_null_and_extreme_round_trips) {
  const TableDesc t = EveryType();
  for (bool low : {true, false}) {
    const Record r = Extremes(t, low);
    std::string bytes;
    AppendRecordMsgpack(r, t, &bytes);
    auto parsed = ParseRecordMsgpack(bytes, t, MetaFields::kAccept,
                                     kDefaultMaxStringBytes);
    REQUIRE_OK(parsed.status());
    BOOST_TEST(parsed->has_uuid);
    BOOST_TEST(parsed->revision.value_or(0) == r.revision);
    parsed->record.revision = *parsed->revision;
    ExpectSameRecord(parsed->record, r);

    // From the stored bytes, the same map.
    std::string stored;
    EncodeRecord(t, r, &stored);
    std::string from_store;
    REQUIRE_OK(AppendStoredRecordMsgpack(StoredRecord(t, r.uuid, stored),
                                         &from_store));
    BOOST_TEST(from_store == bytes);
  }
}

BOOST_AUTO_TEST_CASE(values_take_their_documented_msgpack_types) {
  const TableDesc t = EveryType();
  const Record r = Extremes(t, false);
  std::string bytes;
  AppendRecordMsgpack(r, t, &bytes);
  auto oh = Unpack(bytes);
  const msgpack::object& o = oh.get();
  BOOST_TEST_REQUIRE(o.type == msgpack::type::MAP);
  BOOST_TEST(o.via.map.size == 2 + t.fields.size());
  auto member = [&](const std::string& name) -> const msgpack::object& {
    for (std::uint32_t i = 0; i < o.via.map.size; ++i)
      if (o.via.map.ptr[i].key.as<std::string>() == name)
        return o.via.map.ptr[i].val;
    BOOST_FAIL("no member " << name);
    return o;
  };
  BOOST_TEST(o.via.map.ptr[0].key.as<std::string>() == "uuid");
  BOOST_TEST(o.via.map.ptr[1].key.as<std::string>() == "revision");
  BOOST_TEST(member("uuid").as<std::string>() == SomeUuid().ToString());
  BOOST_TEST(member("revision").as<std::uint64_t>() ==
             static_cast<std::uint64_t>(INT64_MAX));
  BOOST_TEST(member("i").as<std::int64_t>() == INT64_MAX);
  BOOST_TEST((member("d").type == msgpack::type::FLOAT64));
  BOOST_TEST(member("b").as<bool>());
  BOOST_TEST(member("day").as<std::string>() == "9999-12-31");
  BOOST_TEST(member("at").as<std::string>() == FormatTimestamp(Timestamp{253402300799999999}));
  BOOST_TEST(member("u").as<std::string>() == SomeUuid().ToString());
  BOOST_TEST(member("s").as<std::string>() ==
             std::get<std::string>(r.fields[0]));

  std::string low;
  AppendRecordMsgpack(Extremes(t, true), t, &low);
  auto oh_low = Unpack(low);
  for (std::uint32_t i = 2; i < oh_low.get().via.map.size; ++i) {
    const auto& kv = oh_low.get().via.map.ptr[i];
    if (kv.key.as<std::string>().ends_with("_or_null"))
      BOOST_TEST((kv.val.type == msgpack::type::NIL), kv.key.as<std::string>());
  }
}

BOOST_AUTO_TEST_CASE(compiled_tables_round_trip_like_json) {
  std::mt19937_64 rng(5);
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (std::uint64_t serial = 1; serial <= 20; ++serial) {
      Record r = testutil::RandomRecord(t, rng, serial, SomeUuid());
      r.uuid = SomeUuid();
      r.revision = serial;
      std::string bytes;
      AppendRecordMsgpack(r, t, &bytes);
      auto parsed = ParseRecordMsgpack(bytes, t, MetaFields::kAccept,
                                       kDefaultMaxStringBytes);
      REQUIRE_OK(parsed.status());
      parsed->record.revision = parsed->revision.value_or(0);
      ExpectSameRecord(parsed->record, r);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_mask_leaves_fields_out_of_the_map) {
  const TableDesc t = EveryType();
  const Record r = Extremes(t, false);
  std::string stored;
  EncodeRecord(t, r, &stored);
  FieldMask mask;
  mask.keep.assign(t.fields.size(), false);
  mask.keep[static_cast<std::size_t>(t.FieldIndex("b"))] = true;
  std::string bytes;
  REQUIRE_OK(AppendStoredRecordMsgpack(StoredRecord(t, r.uuid, stored), &bytes,
                                       nullptr, &mask));
  auto oh = Unpack(bytes);
  BOOST_TEST_REQUIRE(oh.get().via.map.size == 3u);
  BOOST_TEST(oh.get().via.map.ptr[2].key.as<std::string>() == "b");
  // And JSON with the same mask.
  std::string json;
  REQUIRE_OK(lmdbapi::http::AppendStoredRecordJson(
      StoredRecord(t, r.uuid, stored), &json, nullptr, &mask));
  BOOST_TEST(json == "{\"uuid\":\"" + r.uuid.ToString() +
                         "\",\"revision\":9223372036854775807,\"b\":true}");
}

BOOST_AUTO_TEST_CASE(bodies_are_checked_as_json_bodies_are) {
  const TableDesc t = EveryType();
  auto body = [](auto&& fill) {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    fill(pk);
    return std::string(buf.data(), buf.size());
  };
  struct Case {
    std::string bytes;
    std::string field;   // the problem's subject
    std::string words;   // in the message
  };
  const Case cases[] = {
      {body([](auto& pk) { pk.pack_map(1); pk.pack("i"); pk.pack(1.5); }),
       "i", "expected an integer"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("i"); pk.pack(std::uint64_t{1} << 63); }),
       "i", "out of range"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("s"); pk.pack(7); }),
       "s", "expected a string"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("s"); pk.pack_bin(2); pk.pack_bin_body("ab", 2); }),
       "s", "msgpack bin"},
      // Containers inside a record are refused before msgpack-c sets aside
      // room for their declared length (record_msgpack_fuzz found a
      // five-byte header asking for 256 GiB).
      {body([](auto& pk) { pk.pack_map(1); pk.pack("s"); pk.pack_array(0); }),
       "", "malformed msgpack"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("s"); pk.pack_array(0x7fffffff); }),
       "", "malformed msgpack"},
      {std::string("\x83\xa3\xdf\xdf\xdf\xdf\xdf"), "", "malformed msgpack"},
      {body([](auto& pk) { pk.pack_map(5000); }), "", "at most 4096 members"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("s"); pk.pack_str(2); pk.pack_str_body("\xff\xfe", 2); }),
       "s", "UTF-8"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("d"); pk.pack(std::numeric_limits<double>::infinity()); }),
       "d", "NaN and infinities"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("nope"); pk.pack(1); }),
       "nope", "unknown field"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack(1); pk.pack(1); }),
       "", "map key must be a string"},
      {body([](auto& pk) { pk.pack_array(1); pk.pack(1); }),
       "", "malformed msgpack"},
      {body([](auto& pk) { pk.pack(7); }), "", "must be a msgpack map"},
      {body([](auto& pk) { pk.pack_map(1); pk.pack("uuid"); pk.pack("x"); }),
       "uuid", "assigned by the server"},
      {std::string("\x81\xa1s"), "", "malformed msgpack"},  // truncated
      {std::string("\x80\x80"), "", "bytes follow"},
      {std::string("\xc1"), "", "malformed msgpack"},  // never used
  };
  for (const Case& c : cases) {
    auto r = ParseRecordMsgpack(c.bytes, t, MetaFields::kReject,
                                kDefaultMaxStringBytes);
    BOOST_TEST_REQUIRE(!r.ok(), c.words);
    BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
    BOOST_TEST(r.status().subject() == c.field, r.status().message());
    BOOST_TEST(r.status().message().find(c.words) != std::string::npos,
               r.status().message());
  }
  // A missing required field, as in JSON.
  auto empty = ParseRecordMsgpack(body([](auto& pk) { pk.pack_map(0); }), t,
                                  MetaFields::kReject, kDefaultMaxStringBytes);
  BOOST_TEST(!empty.ok());
  BOOST_TEST(empty.status().subject() == "s");
  // An int in a DOUBLE field is a number, as in JSON.
  auto patch = ParsePatchMsgpack(
      body([](auto& pk) { pk.pack_map(1); pk.pack("d"); pk.pack(3); }), t,
      kDefaultMaxStringBytes);
  REQUIRE_OK(patch.status());
  BOOST_TEST_REQUIRE(patch->fields.size() == 1u);
  BOOST_TEST((patch->fields[0].value == Value(3.0)));
}

BOOST_AUTO_TEST_CASE(bulk_bodies_are_maps_back_to_back) {
  auto map = [](int v) {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    pk.pack_map(1);
    pk.pack("i");
    pk.pack(v);
    return std::string(buf.data(), buf.size());
  };
  std::string stream = map(1) + map(2) + map(3);
  for (const std::string& body : {stream}) {
    std::vector<std::string> seen;
    REQUIRE_OK(ForEachMsgpackRecord(
        body, [&](std::string_view json, std::size_t index) {
          BOOST_TEST(index == seen.size());
          seen.emplace_back(json);
          return Status();
        }));
    BOOST_TEST((seen == std::vector<std::string>{"{\"i\":1}", "{\"i\":2}",
                                                 "{\"i\":3}"}));
  }
  // A broken third record names it.
  Status s = ForEachMsgpackRecord(
      map(1) + map(2) + "\x81\xa1", [](std::string_view, std::size_t) {
        return Status();
      });
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message().starts_with("index 2: malformed msgpack"),
             s.message());
  // One array of maps is not a bulk body (its declared length would be
  // allocated up front).
  s = ForEachMsgpackRecord("\x93" + stream, [](std::string_view, std::size_t) {
    return Status();
  });
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message().starts_with("index 0: malformed msgpack"),
             s.message());
}

BOOST_AUTO_TEST_CASE(a_count_is_a_one_member_map) {
  std::string bytes;
  lmdbapi::http::AppendCountMsgpack(std::uint64_t{1} << 40, &bytes);
  std::string json;
  REQUIRE_OK(lmdbapi::http::MsgpackRecordToJson(bytes, &json));
  BOOST_TEST(json == "{\"count\":1099511627776}");
}

BOOST_AUTO_TEST_SUITE_END()
