// SPDX-License-Identifier: Apache-2.0
// tests/store/record_codec_test.cc - stored record bytes: round trips for
// every table, old (shorter) records, and refusal of anything else.

#include "store/record_codec.h"

#include <bit>
#include <limits>
#include <memory>
#include <random>

#include <msgpack.hpp>
#include <boost/test/unit_test.hpp>

#include "lmdbapi/hex.h"
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



std::string FromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

std::string Encode(const Value& v) {
  std::string out;
  EncodeValue(v, &out);
  return out;
}

// Golden stored bytes, one value of each type (record_codec.h), written
// out by hand: a changed byte anywhere in EncodeValue fails a test.
std::string GoldenHex(FieldType type) {
  switch (type) {
    case FieldType::STRING: return "a3616263";                // "abc"
    case FieldType::INT64: return "d1ff7f";                   // -129
    case FieldType::DOUBLE: return "cb4000000000000000";      // 2.0
    case FieldType::BOOL: return "c3";                        // true
    case FieldType::DATE: return "d2fff506c6";                // 0001-01-01
    case FieldType::TIMESTAMP: return "cf00061763a5230200";   // 2024-05-01T12:30Z
    case FieldType::UUID: return "c410000102030405060708090a0b0c0d0e0f";
  }
  return "";
}

Value GoldenValue(FieldType type) {
  switch (type) {
    case FieldType::STRING: return std::string("abc");
    case FieldType::INT64: return std::int64_t{-129};
    case FieldType::DOUBLE: return 2.0;
    case FieldType::BOOL: return true;
    case FieldType::DATE: return Date{-719162};
    case FieldType::TIMESTAMP: return Timestamp{1714566600000000};
    case FieldType::UUID: {
      Uuid u;
      for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(i);
      return u;
    }
  }
  return {};
}

// A record in the offset-table layout from each field's stored bytes as
// given, built by hand from record_codec.h's description (two-byte
// offsets, revision < 128), and the bare array of the older
// layout: records the landed version wrote.
std::string Assemble(std::uint8_t revision, const std::vector<std::string>& fields,
                     std::string* bare_array = nullptr) {
  std::string array;
  const std::size_t items = fields.size() + 1;
  if (items < 16) {
    array += static_cast<char>(0x90 | items);  // fixarray
  } else {
    array += "\xdc";  // array 16
    array += static_cast<char>(items >> 8);
    array += static_cast<char>(items & 0xff);
  }
  array += static_cast<char>(revision);  // positive fixint
  std::string offsets;
  for (const std::string& f : fields) {
    offsets += static_cast<char>(array.size() & 0xff);
    offsets += static_cast<char>(array.size() >> 8);
    array += f;
  }
  if (bare_array != nullptr) *bare_array = array;
  std::string out = "\xc1\x02";
  out += static_cast<char>(fields.size());
  out += '\0';
  return out + offsets + array;
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
    void Null(int f) override { seen.emplace_back(f, lmdbapi::Null{}); }
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

// ---- golden bytes: the stored encoding is ours, not msgpack-c's ----------

BOOST_AUTO_TEST_CASE(golden_bytes_double_is_always_float64) {
  const std::pair<double, const char*> cases[] = {
      {2.0, "cb4000000000000000"},  // msgpack-c 4.1 wrote 02
      {0.0, "cb0000000000000000"},
      {-0.0, "cb8000000000000000"},  // the sign is kept
      {-3.0, "cbc008000000000000"},
      {0.1, "cb3fb999999999999a"},
      {-12345678.875, "cbc1678c29dc000000"},
      {1e15, "cb430c6bf526340000"},
      {1.7976931348623157e308, "cb7fefffffffffffff"},
      {4.9406564584124654e-324, "cb0000000000000001"},
      {std::numeric_limits<double>::infinity(), "cb7ff0000000000000"},
  };
  for (const auto& [v, hex] : cases) BOOST_TEST(HexBytes(Encode(v)) == hex, v);
}

BOOST_AUTO_TEST_CASE(golden_bytes_every_nan_is_the_one_quiet_nan) {
  const std::uint64_t nans[] = {0x7ff8000000000000, 0xfff8000000000000,
                                0x7ff0000000000001, 0x7fffffffffffffff,
                                0xfff4000000000123};
  for (std::uint64_t bits : nans)
    BOOST_TEST(HexBytes(Encode(std::bit_cast<double>(bits))) == "cb7ff8000000000000");
}

BOOST_AUTO_TEST_CASE(golden_bytes_int64_takes_the_smallest_form) {
  const std::pair<std::int64_t, const char*> cases[] = {
      {0, "00"}, {1, "01"}, {127, "7f"}, {128, "cc80"}, {255, "ccff"},
      {256, "cd0100"}, {65535, "cdffff"}, {65536, "ce00010000"},
      {4294967295, "ceffffffff"}, {4294967296, "cf0000000100000000"},
      {std::numeric_limits<std::int64_t>::max(), "cf7fffffffffffffff"},
      {-1, "ff"}, {-32, "e0"}, {-33, "d0df"}, {-128, "d080"},
      {-129, "d1ff7f"}, {-32768, "d18000"}, {-32769, "d2ffff7fff"},
      {std::numeric_limits<std::int32_t>::min(), "d280000000"},
      {std::int64_t{std::numeric_limits<std::int32_t>::min()} - 1,
       "d3ffffffff7fffffff"},
      {std::numeric_limits<std::int64_t>::min(), "d38000000000000000"},
  };
  for (const auto& [v, hex] : cases) BOOST_TEST(HexBytes(Encode(v)) == hex, v);
}

BOOST_AUTO_TEST_CASE(golden_bytes_string_header_goes_by_length) {
  const std::pair<std::size_t, const char*> cases[] = {
      {0, "a0"},         {1, "a1"},         {31, "bf"},
      {32, "d920"},      {255, "d9ff"},     {256, "da0100"},
      {65535, "daffff"}, {65536, "db00010000"},
  };
  for (const auto& [n, hex] : cases) {
    const std::string s(n, 'z');
    const std::string bytes = Encode(s);
    const std::size_t head = std::string_view(hex).size() / 2;
    BOOST_TEST_REQUIRE(bytes.size() == head + n, n);
    BOOST_TEST(HexBytes(bytes.substr(0, head)) == hex, n);
    BOOST_TEST((bytes.substr(head) == s), n);
  }
  // UTF-8 and NUL bytes are stored as they are.
  BOOST_TEST(HexBytes(Encode(std::string("\xc3\xa9\0x", 4))) == "a4c3a90078");
}

BOOST_AUTO_TEST_CASE(golden_bytes_bool_date_timestamp_uuid) {
  BOOST_TEST(HexBytes(Encode(true)) == "c3");
  BOOST_TEST(HexBytes(Encode(false)) == "c2");
  BOOST_TEST(HexBytes(Encode(Date{0})) == "00");
  BOOST_TEST(HexBytes(Encode(Date{-719162})) == "d2fff506c6");     // 0001-01-01
  BOOST_TEST(HexBytes(Encode(Date{2932896})) == "ce002cc0a0");     // 9999-12-31
  BOOST_TEST(HexBytes(Encode(Timestamp{0})) == "00");
  BOOST_TEST(HexBytes(Encode(Timestamp{-1})) == "ff");
  BOOST_TEST(HexBytes(Encode(Timestamp{1714566600000000})) == "cf00061763a5230200");
  for (FieldType type : {FieldType::STRING, FieldType::INT64, FieldType::DOUBLE,
                         FieldType::BOOL, FieldType::DATE, FieldType::TIMESTAMP,
                         FieldType::UUID})
    BOOST_TEST(HexBytes(Encode(GoldenValue(type))) == GoldenHex(type), TypeName(type));
}

// The whole record, header and offsets included, for every table: built
// from the golden field bytes above, never from EncodeValue.
BOOST_AUTO_TEST_CASE(golden_bytes_whole_record) {
  for (const TableDesc& t : S().tables) {
    Record r;
    r.revision = 5;
    std::vector<std::string> fields;
    for (const FieldDesc& f : t.fields) {
      r.fields.push_back(GoldenValue(f.type));
      fields.push_back(FromHex(GoldenHex(f.type)));
    }
    std::string bytes;
    EncodeRecord(t, r, &bytes);
    BOOST_TEST(HexBytes(bytes) == HexBytes(Assemble(5, fields)), t.name);
    ExpectReadsBack(t, bytes, r);
    REQUIRE_OK(CheckFieldOffsets(t, bytes, r));
  }
}

// Records the landed version wrote (msgpack-c 4.1 chose the forms) hold a
// whole DOUBLE as an integer; they read, filter and pass check as before.
BOOST_AUTO_TEST_CASE(landed_whole_doubles_still_read_filter_and_check) {
  const std::pair<double, const char*> legacy[] = {
      {2.0, "02"},        {-3.0, "fd"},        {0.0, "00"},
      {300.0, "cd012c"},  {-200.0, "d1ff38"},  {1e15, "cf00038d7ea4c68000"},
      {9223372036854775808.0, "cf8000000000000000"},
      {-9223372036854775808.0, "d38000000000000000"},
  };
  int tried = 0;
  for (const TableDesc& t : S().tables) {
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      if (t.fields[f].type != FieldType::DOUBLE) continue;
      for (const auto& [value, hex] : legacy) {
        BOOST_TEST_CONTEXT(t.name << "." << t.fields[f].name << " = " << value) {
          Record want;
          want.revision = 3;
          std::vector<std::string> fields;
          for (const FieldDesc& d : t.fields) {
            want.fields.push_back(GoldenValue(d.type));
            fields.push_back(Encode(want.fields.back()));
          }
          want.fields[f] = value;
          fields[f] = FromHex(hex);
          std::string old_array;
          const std::string bytes = Assemble(3, fields, &old_array);
          for (const std::string& b : {bytes, old_array}) {
            ExpectReadsBack(t, b, want);
            REQUIRE_OK(CheckFieldOffsets(t, b, want));
            for (double probe : {value, -value, value + 1}) {
              std::vector<Filter> filters = {{static_cast<int>(f), probe}};
              StoredFilter filter(t, filters, {0});
              bool got = false;
              REQUIRE_OK(filter.Matches(b, &got));
              BOOST_TEST(got == (probe == value), "filter " << probe);
            }
          }
          // Replaced, it takes the canonical float64.
          std::string now;
          EncodeRecord(t, want, &now);
          BOOST_TEST(now != bytes);
          ExpectReadsBack(t, now, want);
          ++tried;
        }
      }
    }
  }
  BOOST_TEST_MESSAGE(tried << " landed-version DOUBLE fields checked");
}

// Check takes exactly the forms filters take: a DOUBLE stored in any other
// form (float32, a wider integer than msgpack-c chose) still reads, but a
// filter would miss it, so lmdbapi-admin check reports it.
BOOST_AUTO_TEST_CASE(check_refuses_forms_that_filters_would_miss) {
  for (const TableDesc& t : S().tables) {
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      std::vector<std::string> odd;
      switch (t.fields[f].type) {
        case FieldType::DOUBLE: odd = {"ca40000000", "cd0002", "d002"}; break;
        case FieldType::INT64: odd = {"cd0001", "d0ff", "cf0000000000000005"}; break;
        case FieldType::STRING: odd = {"d903616263"}; break;  // "abc" as str 8
        default: continue;
      }
      for (const std::string& hex : odd) {
        BOOST_TEST_CONTEXT(t.name << "." << t.fields[f].name << " as " << hex) {
          std::vector<std::string> fields;
          for (const FieldDesc& d : t.fields) fields.push_back(Encode(GoldenValue(d.type)));
          fields[f] = FromHex(hex);
          const std::string bytes = Assemble(1, fields);
          Record back;
          REQUIRE_OK(DecodeRecord(t, bytes, &back));
          BOOST_TEST((CheckFieldOffsets(t, bytes, back).code() ==
                      Status::Code::kCorruption));
        }
      }
    }
  }
}


// A table of every kind of field: required, nullable, DEFAULT.
TableDesc KindsTable() {
  TableDesc t;
  t.name = "kinds";
  FieldDesc required, nullable, dflt;
  required.name = "required";
  required.type = FieldType::INT64;
  required.default_value = std::int64_t{0};
  nullable.name = "nullable";
  nullable.type = FieldType::STRING;
  nullable.required = false;
  nullable.nullable = true;
  nullable.default_value = Null{};
  dflt.name = "dflt";
  dflt.type = FieldType::INT64;
  dflt.required = false;
  dflt.default_value = std::int64_t{5};
  t.fields = {required, nullable, dflt};
  return t;
}

BOOST_AUTO_TEST_CASE(null_is_stored_as_nil_and_reads_back_as_null) {
  const TableDesc t = KindsTable();
  std::string bytes;
  EncodeValue(Null{}, &bytes);
  BOOST_TEST(HexBytes(bytes) == "c0");
  Record r;
  r.revision = 1;
  r.fields = {std::int64_t{1}, Null{}, std::int64_t{0}};
  REQUIRE_OK(CheckRecordShape(t, r));
  bytes.clear();
  EncodeRecord(t, r, &bytes);
  // marker, width 2, 3 fields, offsets 2 3 4; [1, 1, nil, 0]
  BOOST_TEST(HexBytes(bytes) == "c10203000200030004009401" "01c000");
  Record back;
  REQUIRE_OK(DecodeRecord(t, bytes, &back));
  BOOST_TEST(IsNull(back.fields[1]));
  BOOST_TEST((back.fields[2] == Value(std::int64_t{0})));  // a stored 0 stays 0
  REQUIRE_OK(CheckFieldOffsets(t, bytes, back));
  Value one;
  REQUIRE_OK(DecodeField(t, bytes, 1, &one));
  BOOST_TEST(IsNull(one));
  // A filter for null matches nil, and a value does not.
  std::vector<Filter> filters = {{1, Null{}}};
  StoredFilter null_filter(t, filters, {0});
  bool match = false;
  REQUIRE_OK(null_filter.Matches(bytes, &match));
  BOOST_TEST(match);
  filters[0].value = std::string();
  StoredFilter empty_filter(t, filters, {0});
  REQUIRE_OK(empty_filter.Matches(bytes, &match));
  BOOST_TEST(!match);
}

BOOST_AUTO_TEST_CASE(nil_where_null_is_not_allowed_is_corruption) {
  const TableDesc t = KindsTable();
  // [1, nil, "", 0] and [1, 1, "", nil]: the required and the DEFAULT field.
  for (const char* hex : {"9401c0a000", "9401" "01a0c0"}) {
    std::string bytes;
    for (const char* p = hex; *p; p += 2)
      bytes.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
    Record back;
    Status s = DecodeRecord(t, bytes, &back);
    BOOST_TEST((s.code() == Status::Code::kCorruption), hex);
    BOOST_TEST(s.message().find("not nullable") != std::string::npos, s.message());
  }
  Record r;
  r.fields = {Null{}, Null{}, std::int64_t{1}};
  BOOST_TEST(CheckRecordShape(t, r).subject() == "required");
  r.fields = {std::int64_t{1}, Null{}, Null{}};
  BOOST_TEST(CheckRecordShape(t, r).subject() == "dflt");
}

BOOST_AUTO_TEST_CASE(fields_a_record_predates_read_as_null_or_their_default) {
  const TableDesc t = KindsTable();
  // [1, 7]: written when the table had only "required".
  const std::string bytes("\x92\x01\x07", 3);
  Record back;
  REQUIRE_OK(DecodeRecord(t, bytes, &back));
  BOOST_TEST(IsNull(back.fields[1]));
  BOOST_TEST((back.fields[2] == Value(std::int64_t{5})));
  std::vector<Filter> filters = {{1, Null{}}};
  StoredFilter f(t, filters, {0});
  bool match = false;
  REQUIRE_OK(f.Matches(bytes, &match));
  BOOST_TEST(match);
}

BOOST_AUTO_TEST_SUITE_END()
