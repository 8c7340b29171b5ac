// tests/store/record_codec_test.cc - stored record bytes: round trips for
// every table, old (shorter) records, and refusal of anything else.

#include "store/record_codec.h"

#include <limits>
#include <memory>
#include <random>

#include <msgpack.hpp>
#include <boost/test/unit_test.hpp>

#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;

namespace {
const Schema& S() { return Schema::Compiled(); }

std::string Pack(const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& f) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  f(pk);
  return std::string(buf.data(), buf.size());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(record_codec)

BOOST_AUTO_TEST_CASE(every_table_round_trips) {
  std::mt19937_64 rng(42);
  for (const TableDesc& t : S().tables) {
    for (int i = 0; i < 500; ++i) {
      Record r = testutil::RandomRecord(t, rng, i, Uuid::New(), 1000);
      r.revision = 1 + rng() % 100000;
      REQUIRE_OK(CheckRecordShape(t, r));
      std::string bytes;
      EncodeRecord(t, r, &bytes);
      Record back;
      REQUIRE_OK(DecodeRecord(t, bytes, &back));
      BOOST_TEST(back.revision == r.revision);
      BOOST_TEST_REQUIRE((back.fields == r.fields), t.name);
      for (std::size_t f = 0; f < t.fields.size(); ++f) {
        Value v;
        REQUIRE_OK(DecodeField(t, bytes, static_cast<int>(f), &v));
        BOOST_TEST((v == r.fields[f]));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(extreme_values_round_trip) {
  for (const TableDesc& t : S().tables) {
    std::mt19937_64 rng(1);
    Record r = testutil::RandomRecord(t, rng, 1);
    r.revision = 1;
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      switch (t.fields[f].type) {
        case FieldType::STRING: r.fields[f] = std::string("a\0b\xff", 4); break;
        case FieldType::INT64: r.fields[f] = std::numeric_limits<std::int64_t>::min(); break;
        case FieldType::DOUBLE: r.fields[f] = -1e308; break;
        case FieldType::BOOL: r.fields[f] = true; break;
        case FieldType::DATE: r.fields[f] = Date{-719162}; break;
        case FieldType::TIMESTAMP: r.fields[f] = Timestamp{253402300799999999}; break;
        case FieldType::UUID: r.fields[f] = Uuid::New(); break;
      }
    }
    std::string bytes;
    EncodeRecord(t, r, &bytes);
    Record back;
    REQUIRE_OK(DecodeRecord(t, bytes, &back));
    BOOST_TEST((back.fields == r.fields));
  }
}

BOOST_AUTO_TEST_CASE(short_records_read_defaults_for_missing_fields) {
  for (const TableDesc& t : S().tables) {
    // Only the revision: every field takes its default.
    std::string bytes = Pack([](auto& pk) {
      pk.pack_array(1);
      pk.pack_uint64(3);
    });
    Record back;
    REQUIRE_OK(DecodeRecord(t, bytes, &back));
    BOOST_TEST(back.revision == 3u);
    for (std::size_t f = 0; f < t.fields.size(); ++f)
      BOOST_TEST((back.fields[f] == t.fields[f].default_value));
  }
}

BOOST_AUTO_TEST_CASE(anything_else_is_corruption_never_a_guess) {
  const TableDesc& t = S().tables[0];
  std::vector<std::string> bad = {
      "",
      "\xc1",                                       // never-used byte
      Pack([](auto& pk) { pk.pack_map(0); }),       // not an array
      Pack([](auto& pk) { pk.pack_array(0); }),     // no revision
      Pack([](auto& pk) { pk.pack_array(1); pk.pack_int64(-1); }),
      Pack([&](auto& pk) {                          // too many values
        pk.pack_array(static_cast<std::uint32_t>(t.fields.size() + 2));
        pk.pack_uint64(1);
        for (std::size_t i = 0; i <= t.fields.size(); ++i) pk.pack_nil();
      }),
      Pack([](auto& pk) { pk.pack_array(2); pk.pack_uint64(1); pk.pack_nil(); }),
      Pack([](auto& pk) { pk.pack_array(3); pk.pack_uint64(1); }),  // truncated
  };
  for (const std::string& b : bad) {
    Record r;
    Status s = DecodeRecord(t, b, &r);
    BOOST_TEST((s.code() == Status::Code::kCorruption), s.message());
  }
  // A field stored with another type is refused (the fields before it
  // are nil, which is refused too, so each record fails at some field).
  for (std::size_t f = 0; f < t.fields.size(); ++f) {
    std::string bytes = Pack([&](auto& pk) {
      pk.pack_array(static_cast<std::uint32_t>(f + 2));
      pk.pack_uint64(1);
      for (std::size_t i = 0; i < f; ++i) pk.pack_nil();
      if (t.fields[f].type == FieldType::STRING) pk.pack_true(); else pk.pack_str(0);
    });
    Record r;
    BOOST_TEST((DecodeRecord(t, bytes, &r).code() == Status::Code::kCorruption));
  }
}

BOOST_AUTO_TEST_CASE(shape_check_names_the_field) {
  for (const TableDesc& t : S().tables) {
    std::mt19937_64 rng(5);
    Record r = testutil::RandomRecord(t, rng, 1);
    int last = static_cast<int>(t.fields.size()) - 1;
    r.fields[last] = t.fields[last].type == FieldType::BOOL ? Value(1.0) : Value(false);
    Status s = CheckRecordShape(t, r);
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument));
    BOOST_TEST(s.subject() == t.fields[last].name);
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      if (t.fields[f].type != FieldType::DOUBLE) continue;
      Record n = testutil::RandomRecord(t, rng, 1);
      n.fields[f] = std::numeric_limits<double>::quiet_NaN();
      BOOST_TEST(CheckRecordShape(t, n).subject() == t.fields[f].name);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
