// SPDX-License-Identifier: Apache-2.0
// tests/store/key_codec_test.cc - tests src/store/key_codec.cc.
//
// LMDB orders index keys by memcmp alone, so the claim that matters is
// "memcmp of the encodings orders exactly as the values do", for single
// parts and for composite keys. It is checked on many random pairs drawn
// from a fixed seed and skewed towards the values that break naive
// encodings: NUL and 0xFF bytes, strings that are prefixes of each other,
// negative and subnormal doubles, -0.0, the int64 extremes. A failure
// prints the seed and the pair.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/value.h"
#include "store/key_codec.h"

namespace lmdbapi {
namespace {

constexpr std::uint64_t kSeed = 0x6C6D6462;  // "lmdb"
constexpr int kPairs = 20000;

std::string Encode(const Value& v) {
  std::string out;
  AppendKeyPart(v, &out);
  return out;
}

// -1, 0 or 1, as memcmp orders the bytes (std::string compares bytes as
// unsigned char, like memcmp, and a proper prefix sorts first, as in LMDB).
int ByteOrder(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return (c > 0) - (c < 0);
}

template <typename T>
int Order(const T& a, const T& b) {
  return (b < a) - (a < b);
}

// Every value as the test prints it: strings with each byte visible.
std::string Show(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::ostringstream out;
    out << '"';
    for (const unsigned char c : *s) {
      if (c >= 0x20 && c < 0x7F && c != '\\') {
        out << c;
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        out << "\\x" << kHex[c >> 4] << kHex[c & 0xF];
      }
    }
    return out.str() + '"';
  }
  if (const auto* d = std::get_if<double>(&v)) {
    std::ostringstream out;
    out.precision(17);
    out << *d;
    return out.str();
  }
  return FormatValue(v);
}

// Random values, weighted towards edges. Each draws from the same engine so
// one seed reproduces a whole run.
class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t Bits() { return rng_(); }
  int Below(int n) {
    return static_cast<int>(rng_() % static_cast<unsigned>(n));
  }

  std::string String() {
    // Bytes from a tiny alphabet, so equal strings, shared prefixes and
    // NUL/0x01/0xFF neighbours (the escape and terminator bytes) are common.
    static constexpr char kAlphabet[] = {'\0', '\x01', '\x02', 'a',
                                         'b',  '\x7F', '\xFE', '\xFF'};
    std::string s(static_cast<std::size_t>(Below(7)), '\0');
    for (char& c : s) c = kAlphabet[Below(sizeof kAlphabet)];
    return s;
  }

  // Half the time a string close to a: equal, a prefix of it, or a with a
  // byte or two appended.
  std::string StringNear(const std::string& a) {
    switch (Below(6)) {
      case 0: return a;
      case 1:
        return a.substr(
            0, static_cast<std::size_t>(Below(static_cast<int>(a.size()) + 1)));
      case 2:
        return a + String().substr(0, 1 + static_cast<std::size_t>(Below(2)));
      default: return String();
    }
  }

  std::int64_t Int64() {
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    static constexpr std::int64_t kEdges[] = {
        kMin, kMin + 1, -256, -255, -1, 0, 1, 255, 256, kMax - 1, kMax};
    switch (Below(4)) {
      case 0: return kEdges[Below(std::size(kEdges))];
      case 1: return static_cast<std::int64_t>(Bits() % 2001) - 1000;
      default: return static_cast<std::int64_t>(Bits());
    }
  }

  double Double() {
    using Limits = std::numeric_limits<double>;
    // Each with either sign, so -0.0 and the negative subnormals come up.
    static constexpr double kEdges[] = {
        0.0, Limits::denorm_min(), Limits::min(), Limits::max(), 1.0, 0.5,
        2.5, Limits::epsilon(),    1e-300,        1e300};
    switch (Below(5)) {
      case 0: {
        const double d = kEdges[Below(std::size(kEdges))];
        return Below(2) ? -d : d;
      }
      case 1:
        return static_cast<double>(static_cast<int>(Bits() % 21) - 10) / 4;
      case 2:  // subnormal (or zero), either sign
        return std::bit_cast<double>(Bits() & 0x800FFFFFFFFFFFFFull);
      default: {
        // Any bit pattern but NaN; +-inf included: the codec orders those too.
        double d = std::bit_cast<double>(Bits());
        while (std::isnan(d)) d = std::bit_cast<double>(Bits());
        return d;
      }
    }
  }

  Date AnyDate() {
    if (Below(2) == 0) return Date{static_cast<std::int32_t>(Bits())};
    return Date{static_cast<std::int32_t>(Bits() % 20001) - 10000};
  }

  Timestamp AnyTimestamp() { return Timestamp{Int64()}; }

  Uuid AnyUuid() {
    Uuid u;
    for (auto& b : u.bytes)
      b = static_cast<std::uint8_t>(Below(3) == 0 ? 0 : Bits());
    return u;
  }

 private:
  std::mt19937_64 rng_;
};

// Checks memcmp order == value order on kPairs pairs: half of them two
// independent values, half a value and make_near's variation of it. Stops at
// the first mismatch: one clear failure beats 20,000.
template <typename T>
void CheckOrder(std::string_view what, const std::function<T(Gen&)>& make,
                const std::function<T(Gen&, const T&)>& make_near) {
  Gen gen(kSeed);
  for (int i = 0; i < kPairs; ++i) {
    const T a = make(gen);
    const T b = i % 2 ? make_near(gen, a) : make(gen);
    const int want = Order(a, b);
    const int got = ByteOrder(Encode(Value(a)), Encode(Value(b)));
    if (want != got) {
      BOOST_ERROR(what << " pair " << i << " (seed " << kSeed
                       << "): " << Show(Value(a)) << " vs " << Show(Value(b))
                       << ": values order " << want << ", bytes " << got);
      return;
    }
  }
}

BOOST_AUTO_TEST_SUITE(key_codec)

BOOST_AUTO_TEST_CASE(encodings_have_the_documented_bytes) {
  using namespace std::string_literals;
  BOOST_TEST(Encode(std::int64_t{0}) == "\x80\0\0\0\0\0\0\0"s);
  BOOST_TEST(Encode(std::int64_t{-1}) == "\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF"s);
  BOOST_TEST(Encode(Date{1}) == "\x80\0\0\x01"s);
  BOOST_TEST(Encode(Timestamp{-1}) == "\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF"s);
  BOOST_TEST(Encode(1.0) == "\xBF\xF0\0\0\0\0\0\0"s);
  BOOST_TEST(Encode(-1.0) == "\x40\x0F\xFF\xFF\xFF\xFF\xFF\xFF"s);
  BOOST_TEST(Encode(-0.0) == Encode(0.0));
  BOOST_TEST(Encode(0.0) == "\x80\0\0\0\0\0\0\0"s);
  BOOST_TEST(Encode(false) == "\0"s);
  BOOST_TEST(Encode(true) == "\x01"s);
  BOOST_TEST(Encode(std::string("a\0b", 3)) ==
             "a\0\xFF"
             "b\0\x01"s);
  BOOST_TEST(Encode(std::string()) == "\0\x01"s);
  Uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(i * 17);
  BOOST_TEST(Encode(u) == u.AsBytes());
}

BOOST_AUTO_TEST_CASE(every_type_round_trips) {
  Gen gen(kSeed);
  for (int i = 0; i < 2000; ++i) {
    const Value values[] = {
        gen.String(),  gen.Int64(),        gen.Double(), gen.Below(2) == 1,
        gen.AnyDate(), gen.AnyTimestamp(), gen.AnyUuid()};
    for (const Value& v : values) {
      const std::string bytes = Encode(v) + "tail";
      BOOST_TEST_REQUIRE(KeyPartSize(v) == bytes.size() - 4, Show(v));
      std::string_view in = bytes;
      Value back;
      BOOST_TEST_REQUIRE(ReadKeyPart(TypeOf(v), &in, &back), Show(v));
      BOOST_TEST_REQUIRE(in == "tail", Show(v));
      BOOST_TEST_REQUIRE((TypeOf(back) == TypeOf(v)));
      // -0.0 is stored as +0.0; everything else comes back bit for bit.
      if (const double* d = std::get_if<double>(&v)) {
        const double expect = *d == 0 ? 0.0 : *d;
        BOOST_TEST_REQUIRE(std::bit_cast<std::uint64_t>(std::get<double>(
                               back)) == std::bit_cast<std::uint64_t>(expect),
                           Show(v));
      } else {
        BOOST_TEST_REQUIRE((back == v), Show(v));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(string_byte_order_matches_value_order) {
  CheckOrder<std::string>(
      "STRING", [](Gen& g) { return g.String(); },
      [](Gen& g, const std::string& a) { return g.StringNear(a); });
}

BOOST_AUTO_TEST_CASE(int64_byte_order_matches_value_order) {
  CheckOrder<std::int64_t>(
      "INT64", [](Gen& g) { return g.Int64(); },
      [](Gen& g, const std::int64_t& a) {
        // A neighbour: the byte patterns of a and a +- 1 differ least.
        const int delta = g.Below(3) - 1;
        if ((delta > 0 && a == std::numeric_limits<std::int64_t>::max()) ||
            (delta < 0 && a == std::numeric_limits<std::int64_t>::min())) {
          return a;
        }
        return a + delta;
      });
}

BOOST_AUTO_TEST_CASE(double_byte_order_matches_value_order) {
  CheckOrder<double>(
      "DOUBLE", [](Gen& g) { return g.Double(); },
      [](Gen& g, const double& a) {
        switch (g.Below(4)) {
          case 0: return a;
          case 1: return -a;
          case 2: return std::nextafter(a, g.Below(2) ? 1e308 : -1e308);
          default: return g.Double();
        }
      });
}

BOOST_AUTO_TEST_CASE(bool_byte_order_matches_value_order) {
  for (bool a : {false, true}) {
    for (bool b : {false, true}) {
      BOOST_TEST(ByteOrder(Encode(a), Encode(b)) == Order(a, b));
    }
  }
}

BOOST_AUTO_TEST_CASE(date_byte_order_matches_value_order) {
  CheckOrder<Date>(
      "DATE", [](Gen& g) { return g.AnyDate(); },
      [](Gen& g, const Date& a) {
        const int delta = g.Below(3) - 1;
        const std::int32_t d = a.days_since_epoch;
        if ((delta > 0 && d == std::numeric_limits<std::int32_t>::max()) ||
            (delta < 0 && d == std::numeric_limits<std::int32_t>::min())) {
          return a;
        }
        return Date{d + delta};
      });
}

BOOST_AUTO_TEST_CASE(timestamp_byte_order_matches_value_order) {
  CheckOrder<Timestamp>(
      "TIMESTAMP", [](Gen& g) { return g.AnyTimestamp(); },
      [](Gen& g, const Timestamp& a) {
        const std::int64_t m = a.micros_since_epoch;
        const int delta = g.Below(3) - 1;
        if ((delta > 0 && m == std::numeric_limits<std::int64_t>::max()) ||
            (delta < 0 && m == std::numeric_limits<std::int64_t>::min())) {
          return a;
        }
        return Timestamp{m + delta};
      });
}

BOOST_AUTO_TEST_CASE(uuid_byte_order_matches_value_order) {
  CheckOrder<Uuid>(
      "UUID", [](Gen& g) { return g.AnyUuid(); },
      [](Gen& g, const Uuid& a) {
        Uuid b = a;
        b.bytes[static_cast<std::size_t>(g.Below(16))] ^= 1;
        return g.Below(2) ? a : b;
      });
}

BOOST_AUTO_TEST_CASE(double_edges_sort_in_value_order) {
  // The whole ladder at once, in increasing order.
  constexpr auto lim = std::numeric_limits<double>{};
  const double kLadder[] = {-lim.infinity(),
                            -lim.max(),
                            -1e300,
                            -1.0,
                            -lim.min(),
                            -lim.denorm_min() * 2,
                            -lim.denorm_min(),
                            0.0,
                            lim.denorm_min(),
                            lim.denorm_min() * 2,
                            lim.min(),
                            1.0,
                            1.0 + lim.epsilon(),
                            1e300,
                            lim.max(),
                            lim.infinity()};
  for (std::size_t i = 1; i < std::size(kLadder); ++i) {
    // ByteOrder, not <: BOOST_TEST compares strings as collections of
    // signed chars, which is not memcmp's order.
    BOOST_TEST(ByteOrder(Encode(kLadder[i - 1]), Encode(kLadder[i])) < 0,
               kLadder[i - 1] << " vs " << kLadder[i]);
  }
}

// (a1, b1) vs (a2, b2) compared field by field must equal memcmp of the
// concatenated encodings.
template <typename A, typename B>
void CheckCompositeOrder(std::string_view what,
                         const std::function<A(Gen&)>& make_a,
                         const std::function<B(Gen&)>& make_b) {
  Gen gen(kSeed);
  int agreed = 0;
  for (int i = 0; i < kPairs; ++i) {
    const A a1 = make_a(gen);
    // Equal first fields half the time, so the second field decides.
    const A a2 = i % 2 ? a1 : make_a(gen);
    const B b1 = make_b(gen);
    const B b2 = make_b(gen);
    const int first = Order(a1, a2);
    const int want = first != 0 ? first : Order(b1, b2);
    const int got = ByteOrder(Encode(Value(a1)) + Encode(Value(b1)),
                              Encode(Value(a2)) + Encode(Value(b2)));
    if (want != got) {
      BOOST_ERROR(what << " pair " << i << " (seed " << kSeed << "): ("
                       << Show(Value(a1)) << ", " << Show(Value(b1)) << ") vs ("
                       << Show(Value(a2)) << ", " << Show(Value(b2))
                       << "): values order " << want << ", bytes " << got);
      break;
    }
    ++agreed;
  }
  BOOST_TEST(agreed == kPairs, what << ": every pair's orders agree");
}

BOOST_AUTO_TEST_CASE(composite_string_string_orders_field_by_field) {
  CheckCompositeOrder<std::string, std::string>(
      "STRING+STRING", [](Gen& g) { return g.String(); },
      [](Gen& g) { return g.String(); });
}

BOOST_AUTO_TEST_CASE(composite_string_int64_orders_field_by_field) {
  CheckCompositeOrder<std::string, std::int64_t>(
      "STRING+INT64", [](Gen& g) { return g.String(); },
      [](Gen& g) { return g.Int64(); });
}

BOOST_AUTO_TEST_CASE(composite_bool_string_orders_field_by_field) {
  CheckCompositeOrder<bool, std::string>(
      "BOOL+STRING", [](Gen& g) { return g.Below(2) == 1; },
      [](Gen& g) { return g.String(); });
}

BOOST_AUTO_TEST_CASE(prefix_matches_exactly_the_keys_with_that_first_field) {
  // A prefix query for county "ab" must find ("ab", x) and never ("abc", x)
  // or ("ab\0", x): the key starts with the prefix bytes iff the first
  // fields are equal.
  Gen gen(kSeed);
  int agreed = 0;
  for (int i = 0; i < kPairs; ++i) {
    const std::string prefix_value = gen.String();
    const std::string key_value = gen.StringNear(prefix_value);
    const std::string prefix = Encode(prefix_value);
    const std::string key = Encode(key_value) + Encode(gen.Int64());
    const bool starts = key.compare(0, prefix.size(), prefix) == 0;
    if (starts != (key_value == prefix_value)) {
      BOOST_ERROR("pair " << i << " (seed " << kSeed << "): prefix "
                          << Show(prefix_value) << ", key field "
                          << Show(key_value) << ": starts_with " << starts);
      break;
    }
    ++agreed;
  }
  BOOST_TEST(agreed == kPairs, "every pair's prefix match agrees");
}

BOOST_AUTO_TEST_CASE(composite_key_reads_back_part_by_part) {
  const Value parts[] = {std::string("a\0\xFF", 3),
                         std::int64_t{-5},
                         true,
                         std::string(),
                         Date{-1},
                         2.5};
  std::string key;
  for (const Value& p : parts) AppendKeyPart(p, &key);
  std::string_view in = key;
  for (const Value& p : parts) {
    Value back;
    BOOST_TEST_REQUIRE(ReadKeyPart(TypeOf(p), &in, &back));
    BOOST_TEST((back == p), Show(p));
  }
  BOOST_TEST(in.empty());
}

BOOST_AUTO_TEST_CASE(read_rejects_truncated_input) {
  const Value values[] = {std::string("ab\0c", 4),
                          std::string(),
                          std::int64_t{7},
                          1.5,
                          true,
                          Date{3},
                          Timestamp{4},
                          Uuid::New()};
  for (const Value& v : values) {
    const std::string bytes = Encode(v);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      std::string_view in(bytes.data(), n);
      Value out = std::string("untouched");
      BOOST_TEST_CONTEXT(TypeName(TypeOf(v)) << " cut to " << n << " bytes") {
        BOOST_TEST(!ReadKeyPart(TypeOf(v), &in, &out));
        BOOST_TEST(in.size() == n);  // a failed read consumes nothing
        BOOST_TEST((out == Value(std::string("untouched"))));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(read_rejects_bytes_the_encoder_never_writes) {
  using namespace std::string_literals;
  const struct {
    FieldType type;
    std::string bytes;
  } kCases[] = {
      {FieldType::STRING, "a\0\x02"s},     // bad escape
      {FieldType::STRING, "a\0b\0\x01"s},  // unescaped NUL
      {FieldType::STRING, "abc"s},         // no terminator
      {FieldType::STRING, "a\0"s},         // NUL at the very end
      {FieldType::BOOL, "\x02"s},
      {FieldType::BOOL, "\xFF"s},
      {FieldType::DOUBLE, "\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF"s},  // -0.0
      {FieldType::DOUBLE, "\xFF\xF8\0\0\0\0\0\0"s},              // NaN
      {FieldType::DOUBLE, "\0\x07\xFF\xFF\xFF\xFF\xFF\xFF"s},    // -NaN
  };
  for (const auto& c : kCases) {
    std::string_view in = c.bytes;
    Value out;
    BOOST_TEST(!ReadKeyPart(c.type, &in, &out), Show(Value(c.bytes)));
  }
}

BOOST_AUTO_TEST_CASE(size_matches_append) {
  using namespace std::string_literals;
  for (const std::string& s : {""s, "abc"s, "\0"s, "\0\0\xFF"s}) {
    BOOST_TEST(KeyPartSize(s) == Encode(s).size());
    BOOST_TEST(KeyPartSize(s) == s.size() + 2 +
                                     static_cast<std::size_t>(
                                         std::count(s.begin(), s.end(), '\0')));
  }
  BOOST_TEST(KeyPartSize(std::int64_t{1}) == 8u);
  BOOST_TEST(KeyPartSize(1.0) == 8u);
  BOOST_TEST(KeyPartSize(true) == 1u);
  BOOST_TEST(KeyPartSize(Date{}) == 4u);
  BOOST_TEST(KeyPartSize(Timestamp{}) == 8u);
  BOOST_TEST(KeyPartSize(Uuid{}) == 16u);
}

BOOST_AUTO_TEST_CASE(append_keeps_what_is_already_there) {
  std::string out = "prefix";
  AppendKeyPart(std::int64_t{0}, &out);
  BOOST_TEST(out.substr(0, 6) == "prefix");
  BOOST_TEST(out.size() == 14u);
}


BOOST_AUTO_TEST_CASE(a_nullable_part_sorts_null_before_every_value_of_every_type) {
  const std::vector<Value> samples = {
      std::string(), std::string("\0", 1), std::string("zz"),
      std::numeric_limits<std::int64_t>::min(), std::int64_t{0},
      -1e308, 0.0,
      false, true, Date{-719162}, Date{0}, Timestamp{std::numeric_limits<std::int64_t>::min()},
      Uuid(), Value(Uuid::New())};
  for (const Value& v : samples) {
    FieldDesc f;
    f.type = TypeOf(v);
    f.nullable = true;
    std::string null_key, value_key;
    AppendFieldKeyPart(f, Null{}, &null_key);
    AppendFieldKeyPart(f, v, &value_key);
    BOOST_TEST(null_key == std::string(1, kKeyNullMarker));
    BOOST_TEST(value_key == std::string(1, kKeyValueMarker) + Encode(v));
    BOOST_TEST(null_key < value_key, FormatValue(v));
    BOOST_TEST(FieldKeyPartSize(f, v) == value_key.size());
    BOOST_TEST(FieldKeyPartSize(f, Null{}) == 1u);
    // Both read back, and a following part still reads.
    for (const std::string& key : {null_key, value_key}) {
      std::string two = key + Encode(std::int64_t{7});
      std::string_view in = two;
      Value back, next;
      BOOST_TEST_REQUIRE(ReadFieldKeyPart(f, &in, &back));
      BOOST_TEST((key == null_key ? IsNull(back) : back == v), FormatValue(v));
      BOOST_TEST_REQUIRE(ReadKeyPart(FieldType::INT64, &in, &next));
      BOOST_TEST(in.empty());
    }
    // A part that is not nullable has no marker: its bytes are as before.
    f.nullable = false;
    std::string plain;
    AppendFieldKeyPart(f, v, &plain);
    BOOST_TEST(plain == Encode(v));
  }
}

BOOST_AUTO_TEST_CASE(a_nullable_part_refuses_a_bad_marker) {
  FieldDesc f;
  f.type = FieldType::INT64;
  f.nullable = true;
  for (std::string bytes : {std::string(), std::string("\x02", 1),
                            std::string("\x01\x80", 2)}) {
    std::string_view in = bytes;
    Value v;
    BOOST_TEST(!ReadFieldKeyPart(f, &in, &v));
    BOOST_TEST(in.size() == bytes.size());
  }
}

BOOST_AUTO_TEST_CASE(a_unique_key_with_a_null_carries_the_uuid) {
  TableDesc t;
  t.name = "t";
  FieldDesc a, b;
  a.name = "a";
  a.type = FieldType::STRING;
  b.name = "b";
  b.type = FieldType::INT64;
  b.nullable = true;
  t.fields = {a, b};
  IndexDesc unique;
  unique.name = "u";
  unique.kind = IndexKind::UNIQUE;
  unique.key_fields = {0, 1};
  IndexDesc multi = unique;
  multi.kind = IndexKind::MULTI;
  const Uuid id = Uuid::New();
  std::string key;
  AppendFieldKeyPart(t.fields[0], std::string("x"), &key);
  AppendFieldKeyPart(t.fields[1], Null{}, &key);
  std::vector<Value> parts;
  Uuid got;
  BOOST_TEST(ReadIndexKey(t, multi, key, &parts, &got));
  BOOST_TEST(!ReadIndexKey(t, unique, key, &parts, &got));  // uuid missing
  BOOST_TEST_REQUIRE(ReadIndexKey(t, unique, key + std::string(id.AsBytes()), &parts, &got));
  BOOST_TEST((got == id));
  BOOST_TEST(IsNull(parts[1]));
  BOOST_TEST(!ReadIndexKey(t, multi, key + std::string(id.AsBytes()), &parts, &got));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace lmdbapi
