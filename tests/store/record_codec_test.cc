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

// DecodeRecord and DecodeField of every field give back r's values.
void ExpectReadsBack(const TableDesc& t, std::string_view bytes, const Record& r) {
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

// The bare msgpack array of a record in the layout written before field
// offsets existed (record_codec.h): what follows the offset table.
std::string OldLayout(const TableDesc& t, const Record& r) {
  std::string bytes;
  EncodeRecord(t, r, &bytes);
  std::size_t width = static_cast<unsigned char>(bytes[1]);
  return bytes.substr(4 + width * t.fields.size());
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
      ExpectReadsBack(t, bytes, r);
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

BOOST_AUTO_TEST_CASE(records_carry_field_offsets_and_old_ones_still_read) {
  std::mt19937_64 rng(7);
  for (const TableDesc& t : S().tables) {
    Record r = testutil::RandomRecord(t, rng, 1);
    r.revision = 9;
    std::string bytes;
    EncodeRecord(t, r, &bytes);
    BOOST_TEST(static_cast<unsigned char>(bytes[0]) == 0xc1);
    BOOST_TEST(static_cast<unsigned char>(bytes[1]) == 2);
    std::string old = OldLayout(t, r);
    BOOST_TEST((static_cast<unsigned char>(old[0]) & 0xf0) == 0x90);  // fixarray
    ExpectReadsBack(t, old, r);
  }
}

BOOST_AUTO_TEST_CASE(records_over_64k_use_four_byte_offsets) {
  std::mt19937_64 rng(8);
  for (const TableDesc& t : S().tables) {
    int text = -1;
    for (std::size_t f = 0; f < t.fields.size(); ++f)
      if (t.fields[f].type == FieldType::STRING) text = static_cast<int>(f);
    if (text < 0) continue;
    Record r = testutil::RandomRecord(t, rng, 1);
    r.revision = 1;
    r.fields[text] = std::string(70'000, 'y');
    std::string bytes;
    EncodeRecord(t, r, &bytes);
    BOOST_TEST(static_cast<unsigned char>(bytes[1]) == 4);
    ExpectReadsBack(t, bytes, r);
  }
}

// The filter on stored bytes agrees with comparing decoded values, for
// both layouts, values that match and values that do not.
BOOST_AUTO_TEST_CASE(stored_filter_agrees_with_decoded_comparison) {
  std::mt19937_64 rng(9);
  for (const TableDesc& t : S().tables) {
    std::vector<Record> records;
    for (int i = 0; i < 200; ++i) {
      Record r = testutil::RandomRecord(t, rng, i % 7);  // repeats values
      r.revision = 1;
      records.push_back(std::move(r));
    }
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      for (int probe = 0; probe < 10; ++probe) {
        std::vector<Filter> filters = {
            {static_cast<int>(f), records[rng() % records.size()].fields[f]}};
        StoredFilter filter(t, filters, {0});
        for (const Record& r : records) {
          bool want = r.fields[f] == filters[0].value;
          std::string bytes;
          EncodeRecord(t, r, &bytes);
          bool got = !want;
          REQUIRE_OK(filter.Matches(bytes, &got));
          BOOST_TEST_REQUIRE(got == want, t.name << "." << t.fields[f].name);
          got = !want;
          REQUIRE_OK(filter.Matches(OldLayout(t, r), &got));
          BOOST_TEST_REQUIRE(got == want, t.name << "." << t.fields[f].name);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(stored_filter_matches_both_zeros_and_short_records) {
  std::mt19937_64 rng(10);
  for (const TableDesc& t : S().tables) {
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      if (t.fields[f].type != FieldType::DOUBLE) continue;
      Record r = testutil::RandomRecord(t, rng, 1);
      r.revision = 1;
      for (double stored : {0.0, -0.0}) {
        r.fields[f] = stored;
        std::string bytes;
        EncodeRecord(t, r, &bytes);
        for (double wanted : {0.0, -0.0}) {
          std::vector<Filter> filters = {{static_cast<int>(f), wanted}};
          StoredFilter filter(t, filters, {0});
          bool got = false;
          REQUIRE_OK(filter.Matches(bytes, &got));
          BOOST_TEST(got);
        }
      }
    }
    // A record stored before the trailing fields existed matches their
    // defaults.
    std::string bytes = Pack([](auto& pk) {
      pk.pack_array(1);
      pk.pack_uint64(3);
    });
    int last = static_cast<int>(t.fields.size()) - 1;
    std::vector<Filter> filters = {{last, t.fields[last].default_value}};
    StoredFilter filter(t, filters, {0});
    bool got = false;
    REQUIRE_OK(filter.Matches(bytes, &got));
    BOOST_TEST(got);
  }
}

BOOST_AUTO_TEST_CASE(bad_offset_tables_are_corruption) {
  std::mt19937_64 rng(11);
  const TableDesc& t = S().tables[0];
  Record r = testutil::RandomRecord(t, rng, 1);
  r.revision = 1;
  std::string good;
  EncodeRecord(t, r, &good);
  std::vector<std::string> bad;
  std::string b = good;
  b[1] = 3;  // width
  bad.push_back(b);
  b = good;
  b[2] = static_cast<char>(t.fields.size() + 1);  // more fields than the table
  bad.push_back(b);
  b = good;
  b[2] = static_cast<char>(t.fields.size() - 1);  // disagrees with the array
  bad.push_back(b);
  b = good;
  b[4] = b[5] = static_cast<char>(0xff);  // first offset past the end
  bad.push_back(b);
  b = good;
  std::swap(b[4], b[6]);  // out of order
  std::swap(b[5], b[7]);
  bad.push_back(b);
  bad.push_back(good.substr(0, 3));
  bad.push_back(good.substr(0, 4 + 2 * t.fields.size()));
  // Offsets in range and in order but pointing at the wrong values: only
  // CheckFieldOffsets sees it.
  {
    b = good;
    b[4] = static_cast<char>(static_cast<unsigned char>(b[4]) + 1);
    Record back;
    REQUIRE_OK(DecodeRecord(t, b, &back));
    BOOST_TEST((CheckFieldOffsets(t, b, back).code() ==
                Status::Code::kCorruption));
    REQUIRE_OK(CheckFieldOffsets(t, good, r));
    REQUIRE_OK(CheckFieldOffsets(t, OldLayout(t, r), r));
  }
  for (const std::string& x : bad) {
    Record back;
    Status s = DecodeRecord(t, x, &back);
    BOOST_TEST((s.code() == Status::Code::kCorruption), s.message());
    std::vector<Filter> filters = {{0, r.fields[0]}};
    StoredFilter filter(t, filters, {0});
    bool match = false;
    Status m = filter.Matches(x, &match);  // an error or an answer, no crash
    (void)m;
  }
}

// StoredRecord::Visit sees what DecodeRecord builds, in field order.
BOOST_AUTO_TEST_CASE(visit_sees_revision_then_every_field_in_order) {
  struct Collect : FieldVisitor {
    std::uint64_t revision = 0;
    std::vector<std::pair<int, Value>> seen;
    void Revision(std::uint64_t r) override { revision = r; }
    void String(int f, std::string_view v) override { seen.emplace_back(f, std::string(v)); }
    void Int64(int f, std::int64_t v) override { seen.emplace_back(f, v); }
    void Double(int f, double v) override { seen.emplace_back(f, v); }
    void Bool(int f, bool v) override { seen.emplace_back(f, v); }
    void Date(int f, lmdbapi::Date v) override { seen.emplace_back(f, v); }
    void Timestamp(int f, lmdbapi::Timestamp v) override { seen.emplace_back(f, v); }
    void Uuid(int f, const lmdbapi::Uuid& v) override { seen.emplace_back(f, v); }
  };
  std::mt19937_64 rng(12);
  for (const TableDesc& t : S().tables) {
    Record r = testutil::RandomRecord(t, rng, 3);
    r.revision = 42;
    std::string bytes;
    EncodeRecord(t, r, &bytes);
    Collect c;
    REQUIRE_OK(StoredRecord(t, Uuid::New(), bytes).Visit(c));
    BOOST_TEST(c.revision == 42u);
    BOOST_TEST_REQUIRE(c.seen.size() == t.fields.size());
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      BOOST_TEST(c.seen[f].first == static_cast<int>(f));
      BOOST_TEST((c.seen[f].second == r.fields[f]));
    }
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
