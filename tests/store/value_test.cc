// SPDX-License-Identifier: Apache-2.0
// tests/store/value_test.cc - tests src/store/value.cc.
//
// The text forms are what clients send and see, so most cases here are
// tables of exact strings: what is accepted, what it means, how it prints
// back, and that every refusal names the field and quotes the text.

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/value.h"
#include "testutil.h"

namespace lmdbapi {
namespace {

// Days since 1970-01-01 of a date, by counting: slow, obviously right, and
// independent of the algorithm under test.
std::int32_t CountDays(int year, int month, int day) {
  const auto leap = [](int y) {
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  };
  const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int32_t days = 0;
  for (int y = 1970; y < year; ++y) days += leap(y) ? 366 : 365;
  for (int y = year; y < 1970; ++y) days -= leap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m)
    days += month_days[m - 1] + (m == 2 && leap(year));
  return days + day - 1;
}

Value Parsed(FieldType type, std::string_view text) {
  Result<Value> r = ParseValue(type, text, "f");
  BOOST_TEST_REQUIRE(r.ok(), text << ": " << r.status().message());
  return r.value();
}

BOOST_AUTO_TEST_SUITE(value)

BOOST_AUTO_TEST_CASE(type_names_match_schema_tokens) {
  BOOST_TEST(TypeName(FieldType::STRING) == "STRING");
  BOOST_TEST(TypeName(FieldType::INT64) == "INT64");
  BOOST_TEST(TypeName(FieldType::DOUBLE) == "DOUBLE");
  BOOST_TEST(TypeName(FieldType::BOOL) == "BOOL");
  BOOST_TEST(TypeName(FieldType::DATE) == "DATE");
  BOOST_TEST(TypeName(FieldType::TIMESTAMP) == "TIMESTAMP");
  BOOST_TEST(TypeName(FieldType::UUID) == "UUID");
}

BOOST_AUTO_TEST_CASE(parsed_value_has_the_requested_type) {
  const struct {
    FieldType type;
    std::string_view text;
  } kCases[] = {
      {FieldType::STRING, "x"},
      {FieldType::INT64, "1"},
      {FieldType::DOUBLE, "1"},
      {FieldType::BOOL, "true"},
      {FieldType::DATE, "2024-05-01"},
      {FieldType::TIMESTAMP, "2024-05-01T00:00:00Z"},
      {FieldType::UUID, "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d"},
  };
  for (const auto& c : kCases) {
    BOOST_TEST_CONTEXT(c.text) {
      BOOST_TEST((TypeOf(Parsed(c.type, c.text)) == c.type));
    }
  }
}

BOOST_AUTO_TEST_CASE(strings_are_taken_as_they_are) {
  for (std::string_view s :
       {"", " padded ", "Acme \"Inc\"", "caf\xC3\xA9", "2024-13-01"}) {
    BOOST_TEST(std::get<std::string>(Parsed(FieldType::STRING, s)) == s);
    BOOST_TEST(FormatValue(Value(std::string(s))) == s);
  }
  const std::string with_nul("a\0b", 3);
  BOOST_TEST(std::get<std::string>(Parsed(FieldType::STRING, with_nul)) ==
             with_nul);
}

BOOST_AUTO_TEST_CASE(int64_accepts_digits_with_optional_minus) {
  const struct {
    std::string_view text;
    std::int64_t want;
    std::string_view shown;
  } kCases[] = {
      {"0", 0, "0"},
      {"-0", 0, "0"},
      {"42", 42, "42"},
      {"-17", -17, "-17"},
      {"007", 7, "7"},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max(),
       "9223372036854775807"},
      {"-9223372036854775808", std::numeric_limits<std::int64_t>::min(),
       "-9223372036854775808"},
  };
  for (const auto& c : kCases) {
    BOOST_TEST_CONTEXT(c.text) {
      const Value v = Parsed(FieldType::INT64, c.text);
      BOOST_TEST(std::get<std::int64_t>(v) == c.want);
      BOOST_TEST(FormatValue(v) == c.shown);
    }
  }
}

BOOST_AUTO_TEST_CASE(int64_rejects_everything_else) {
  for (std::string_view text :
       {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "12a", "--1", "one"}) {
    BOOST_TEST_CONTEXT('"' << text << '"') {
      Result<Value> r = ParseValue(FieldType::INT64, text, "fee_cents");
      BOOST_TEST(!r.ok());
      BOOST_TEST(
          r.status().message().find("is not an integer") != std::string::npos,
          r.status().message());
    }
  }
}

BOOST_AUTO_TEST_CASE(int64_overflow_names_the_range) {
  for (std::string_view text : {"9223372036854775808", "-9223372036854775809",
                                "99999999999999999999"}) {
    Result<Value> r = ParseValue(FieldType::INT64, text, "fee_cents");
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(
        r.status().message().find(
            "out of range for INT64 "
            "(-9223372036854775808..9223372036854775807)") != std::string::npos,
        r.status().message());
  }
}

BOOST_AUTO_TEST_CASE(double_reads_decimal_and_prints_shortest) {
  const struct {
    std::string_view text;
    double want;
    std::string_view shown;
  } kCases[] = {
      {"2.5", 2.5, "2.5"},
      {"2.0", 2.0, "2"},
      {"-3", -3.0, "-3"},
      {"0.1", 0.1, "0.1"},
      {"1e-9", 1e-9, "1e-09"},
      {"1E300", 1e300, "1e+300"},
      {"-0", -0.0, "-0"},
      {".5", 0.5, "0.5"},
      {"1.7976931348623157e308", std::numeric_limits<double>::max(),
       "1.7976931348623157e+308"},
      {"5e-324", std::numeric_limits<double>::denorm_min(), "5e-324"},
      {"123456789012345678", 123456789012345678.0, "123456789012345680"},
  };
  for (const auto& c : kCases) {
    BOOST_TEST_CONTEXT(c.text) {
      const Value v = Parsed(FieldType::DOUBLE, c.text);
      BOOST_TEST(std::get<double>(v) == c.want);
      BOOST_TEST(FormatValue(v) == c.shown);
    }
  }
}

BOOST_AUTO_TEST_CASE(double_rejects_non_finite_and_garbage) {
  for (std::string_view text :
       {"", "nan", "NaN", "inf", "-inf", "infinity", "+1", "1.5x", " 1", "1,5",
        "0x1p3", "e5", "1e400", "-1e400"}) {
    BOOST_TEST_CONTEXT('"' << text << '"') {
      Result<Value> r = ParseValue(FieldType::DOUBLE, text, "area");
      BOOST_TEST(!r.ok());
      BOOST_TEST(r.status().subject() == "area");
    }
  }
  BOOST_TEST(ParseValue(FieldType::DOUBLE, "nan", "area")
                 .status()
                 .message()
                 .find("finite") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(double_text_reads_back_exactly) {
  std::mt19937_64 rng(20240501);
  for (int i = 0; i < 20000; ++i) {
    const double d = std::bit_cast<double>(rng());
    if (!std::isfinite(d)) continue;
    const std::string text = FormatValue(Value(d));
    const Value back = Parsed(FieldType::DOUBLE, text);
    if (std::bit_cast<std::uint64_t>(std::get<double>(back)) !=
        std::bit_cast<std::uint64_t>(d)) {
      BOOST_FAIL(text << " read back as " << std::get<double>(back));
    }
  }
}

BOOST_AUTO_TEST_CASE(bool_is_exactly_true_or_false) {
  BOOST_TEST(std::get<bool>(Parsed(FieldType::BOOL, "true")));
  BOOST_TEST(!std::get<bool>(Parsed(FieldType::BOOL, "false")));
  BOOST_TEST(FormatValue(Value(true)) == "true");
  BOOST_TEST(FormatValue(Value(false)) == "false");
  for (std::string_view text : {"", "TRUE", "True", "1", "0", "yes", "true "}) {
    BOOST_TEST(!ParseValue(FieldType::BOOL, text, "paid").ok(), text);
  }
}

BOOST_AUTO_TEST_CASE(dates_count_days_from_1970) {
  const struct {
    std::string_view text;
    std::int32_t days;
  } kCases[] = {
      {"1970-01-01", 0},       {"1970-01-02", 1},     {"1969-12-31", -1},
      {"2000-03-01", 11017},   {"2024-02-29", 19782}, {"0001-01-01", -719162},
      {"9999-12-31", 2932896},
  };
  for (const auto& c : kCases) {
    BOOST_TEST_CONTEXT(c.text) {
      Result<Date> d = ParseDate(c.text);
      REQUIRE_OK(d);
      BOOST_TEST(d->days_since_epoch == c.days);
      BOOST_TEST(FormatDate(d.value()) == c.text);
    }
  }
}

BOOST_AUTO_TEST_CASE(dates_agree_with_counting_days) {
  for (int y : {1, 4, 99, 100, 400, 1600, 1899, 1900, 1969, 1970, 1971, 2000,
                2023, 2024, 2100, 9999}) {
    for (int m = 1; m <= 12; ++m) {
      for (int d : {1, 15, 28}) {
        char text[40];  // room for any int, to keep -Wformat-truncation quiet
        std::snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
        Result<Date> r = ParseDate(text);
        REQUIRE_OK(r);
        BOOST_TEST(r->days_since_epoch == CountDays(y, m, d), text);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(leap_years_follow_the_gregorian_rule) {
  for (std::string_view ok :
       {"2024-02-29", "2000-02-29", "1600-02-29", "0004-02-29", "2023-02-28"}) {
    REQUIRE_OK(ParseDate(ok));
  }
  for (std::string_view bad :
       {"2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30", "0001-02-29"}) {
    Result<Date> r = ParseDate(bad);
    BOOST_TEST(!r.ok(), bad);
    BOOST_TEST(r.status().message().find("February") != std::string::npos,
               r.status().message());
  }
}

BOOST_AUTO_TEST_CASE(every_day_formats_and_parses_back) {
  const std::int32_t first = ParseDate("0001-01-01")->days_since_epoch;
  const std::int32_t last = ParseDate("9999-12-31")->days_since_epoch;
  std::int32_t checked = 0;
  for (std::int32_t day = first; day <= last; ++day, ++checked) {
    // Plain ifs: 3.6 million BOOST_TESTs would cost more than the parsing.
    const std::string text = FormatDate(Date{day});
    Result<Date> back = ParseDate(text);
    if (!back.ok()) BOOST_FAIL(text << ": " << back.status().message());
    if (back->days_since_epoch != day) BOOST_FAIL(text << " read back wrong");
  }
  BOOST_TEST(checked == 3652059);  // 9999 years of 365.2425 days
}

BOOST_AUTO_TEST_CASE(dates_are_strict) {
  for (std::string_view bad :
       {"", "2024-5-01", "2024-05-1", "24-05-01", "2024/05/01", "2024-05-01 ",
        " 2024-05-01", "2024-05-01T00:00:00Z", "20240501", "2024-13-01",
        "2024-00-10", "2024-04-31", "2024-01-00", "2024-01-32", "0000-01-01",
        "+2024-05-01", "-001-05-01", "2024-0a-01", "10000-01-01"}) {
    BOOST_TEST(!ParseDate(bad).ok(), '"' << bad << '"');
  }
}

BOOST_AUTO_TEST_CASE(errors_name_the_field_and_quote_the_text) {
  Result<Value> r = ParseValue(FieldType::DATE, "2024-13-01", "issued_on");
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
  BOOST_TEST(r.status().subject() == "issued_on");
  BOOST_TEST(r.status().message().rfind(
                 "issued_on: \"2024-13-01\" is not a date", 0) == 0,
             r.status().message());

  r = ParseValue(FieldType::DATE, "May 1st", "issued_on");
  BOOST_TEST(r.status().message() ==
             "issued_on: \"May 1st\" is not a date (expected YYYY-MM-DD)");

  const FieldType kTypes[] = {FieldType::INT64,     FieldType::DOUBLE,
                              FieldType::BOOL,      FieldType::DATE,
                              FieldType::TIMESTAMP, FieldType::UUID};
  for (FieldType type : kTypes) {
    BOOST_TEST_CONTEXT(TypeName(type)) {
      Result<Value> bad = ParseValue(type, "bogus", "county");
      BOOST_TEST_REQUIRE(!bad.ok());
      BOOST_TEST(bad.status().subject() == "county");
      BOOST_TEST(bad.status().message().rfind("county: \"bogus\" ", 0) == 0,
                 bad.status().message());
      BOOST_TEST(bad.status().message().find("expected") != std::string::npos,
                 bad.status().message());
    }
  }
}

BOOST_AUTO_TEST_CASE(quoted_text_is_escaped_and_cut) {
  Result<Value> r =
      ParseValue(FieldType::INT64, std::string("1\n\"2\\\0", 6), "n");
  BOOST_TEST(r.status().message().rfind("n: \"1\\x0A\\\"2\\\\\\x00\"", 0) == 0,
             r.status().message());

  const std::string huge(100000, '7');
  r = ParseValue(FieldType::BOOL, huge, "paid");
  BOOST_TEST(r.status().message().size() < 200u);
  BOOST_TEST(r.status().message().find("\"...") != std::string::npos);

  // Invalid UTF-8 is escaped; valid UTF-8 is kept and never cut mid-character.
  r = ParseValue(FieldType::BOOL, "\xC3\xA9\xFF", "paid");
  BOOST_TEST(r.status().message().rfind("paid: \"\xC3\xA9\\xFF\"", 0) == 0,
             r.status().message());
  std::string accents;
  for (int i = 0; i < 40; ++i) accents += "\xC3\xA9";  // 80 bytes
  r = ParseValue(FieldType::BOOL, "x" + accents, "paid");
  const std::string& msg = r.status().message();
  const std::size_t close = msg.find("\"...");
  BOOST_TEST_REQUIRE(close != std::string::npos);
  BOOST_TEST(msg.substr(close - 2, 2) == "\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(timestamps_convert_offsets_to_utc) {
  const std::int64_t may1 =
      std::int64_t{19844} * 86400 * 1000000;  // 2024-05-01
  const std::int64_t h = std::int64_t{3600} * 1000000;
  const struct {
    std::string_view text;
    std::int64_t micros;
    std::string_view shown;
  } kCases[] = {
      {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"},
      {"2024-05-01T00:00:00Z", may1, "2024-05-01T00:00:00Z"},
      {"2024-05-01t12:30:00z", may1 + 12 * h + 30 * 60 * 1000000,
       "2024-05-01T12:30:00Z"},
      {"2024-05-01T14:30:00+02:00", may1 + 12 * h + 30 * 60 * 1000000,
       "2024-05-01T12:30:00Z"},
      {"2024-04-30T19:00:00-05:00", may1, "2024-05-01T00:00:00Z"},
      {"2024-05-01T05:30:00+05:30", may1, "2024-05-01T00:00:00Z"},
      {"2024-05-01T00:00:00-00:00", may1, "2024-05-01T00:00:00Z"},
      {"2024-05-01T00:00:00.5Z", may1 + 500000, "2024-05-01T00:00:00.500000Z"},
      {"2024-05-01T00:00:00.000001Z", may1 + 1, "2024-05-01T00:00:00.000001Z"},
      {"2024-05-01T00:00:00.123456789Z", may1 + 123456,
       "2024-05-01T00:00:00.123456Z"},
      {"2024-05-01T00:00:00.0000009Z", may1, "2024-05-01T00:00:00Z"},
      {"2024-05-01T00:00:00.000000Z", may1, "2024-05-01T00:00:00Z"},
      {"2024-05-01T01:00:00.25+01:00", may1 + 250000,
       "2024-05-01T00:00:00.250000Z"},
      {"1969-12-31T23:59:59.999999Z", -1, "1969-12-31T23:59:59.999999Z"},
      {"1970-01-01T00:00:00.5+00:01", -59500000, "1969-12-31T23:59:00.500000Z"},
      {"2024-03-01T00:30:00+01:00", may1 - 61 * 24 * h - h / 2,
       "2024-02-29T23:30:00Z"},
      {"0001-01-01T00:00:00Z", -62135596800 * 1000000, "0001-01-01T00:00:00Z"},
      {"9999-12-31T23:59:59.999999Z", 253402300800 * 1000000 - 1,
       "9999-12-31T23:59:59.999999Z"},
      {"0001-01-01T00:30:00+00:30", -62135596800 * 1000000,
       "0001-01-01T00:00:00Z"},
  };
  for (const auto& c : kCases) {
    BOOST_TEST_CONTEXT(c.text) {
      Result<Timestamp> t = ParseTimestamp(c.text);
      REQUIRE_OK(t);
      BOOST_TEST(t->micros_since_epoch == c.micros);
      BOOST_TEST(FormatTimestamp(t.value()) == c.shown);
      BOOST_TEST(FormatValue(Parsed(FieldType::TIMESTAMP, c.text)) == c.shown);
      // The canonical form is a fixed point.
      BOOST_TEST(FormatTimestamp(ParseTimestamp(c.shown).value()) == c.shown);
    }
  }
}

BOOST_AUTO_TEST_CASE(timestamps_are_strict) {
  for (std::string_view bad : {"",
                               "2024-05-01",
                               "2024-05-01T00:00:00",
                               "2024-05-01 00:00:00Z",
                               "2024-05-01T00:00Z",
                               "2024-05-01T0:00:00Z",
                               "2024-05-01T24:00:00Z",
                               "2024-05-01T00:60:00Z",
                               "2024-05-01T00:00:61Z",
                               "2024-05-01T00:00:00.Z",
                               "2024-05-01T00:00:00.1234567890Z",
                               "2024-05-01T00:00:00+0200",
                               "2024-05-01T00:00:00+02",
                               "2024-05-01T00:00:00+24:00",
                               "2024-05-01T00:00:00+02:60",
                               "2024-05-01T00:00:00UTC",
                               "2024-05-01T00:00:00Z ",
                               "2024-02-30T00:00:00Z",
                               "2024-05-01T00:00:00.5.5Z",
                               "2024-05-01T00:00:00,5Z",
                               "0001-01-01T00:00:00+00:01",
                               "9999-12-31T23:59:59-00:01",
                               "2024-05-01T00:00:00ZZ",
                               "2024-05-01T00:00:00+02:00Z"}) {
    Result<Timestamp> r = ParseTimestamp(bad);
    BOOST_TEST(!r.ok(), '"' << bad << '"');
  }
}

BOOST_AUTO_TEST_CASE(leap_seconds_are_refused_by_name) {
  Result<Value> r =
      ParseValue(FieldType::TIMESTAMP, "2016-12-31T23:59:60Z", "issued_at");
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().subject() == "issued_at");
  BOOST_TEST(r.status().message().find("leap second") != std::string::npos,
             r.status().message());
}

BOOST_AUTO_TEST_CASE(timestamp_format_parse_round_trip) {
  const std::int64_t first =
      ParseTimestamp("0001-01-01T00:00:00Z")->micros_since_epoch;
  const std::int64_t last =
      ParseTimestamp("9999-12-31T23:59:59.999999Z")->micros_since_epoch;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> any(first, last);
  std::uniform_int_distribution<std::int64_t> near(-5'000'000'000,
                                                   5'000'000'000);
  int fractional = 0;
  for (int i = 0; i < 50000; ++i) {
    std::int64_t micros = i % 2 ? any(rng) : near(rng);
    if (i % 4 == 0) micros -= micros % 1000000;  // whole seconds too
    const std::string text = FormatTimestamp(Timestamp{micros});
    fractional += text.size() == 27;
    Result<Timestamp> back = ParseTimestamp(text);
    if (!back.ok()) BOOST_FAIL(text << ": " << back.status().message());
    if (back->micros_since_epoch != micros) {
      BOOST_FAIL(text << " read back as " << back->micros_since_epoch
                      << ", not " << micros);
    }
  }
  // Both output forms were exercised: with and without ".ffffff".
  BOOST_TEST(fractional > 10000);
  BOOST_TEST(fractional < 40000);
}

BOOST_AUTO_TEST_CASE(out_of_range_values_still_format) {
  // Only values built by hand get here; they print, without crashing.
  BOOST_TEST(FormatDate(Date{ParseDate("0001-01-01")->days_since_epoch - 1}) ==
             "0000-12-31");
  BOOST_TEST(
      !FormatDate(Date{std::numeric_limits<std::int32_t>::min()}).empty());
  BOOST_TEST(
      !FormatDate(Date{std::numeric_limits<std::int32_t>::max()}).empty());
  BOOST_TEST(
      !FormatTimestamp(Timestamp{std::numeric_limits<std::int64_t>::min()})
           .empty());
  BOOST_TEST(
      !FormatTimestamp(Timestamp{std::numeric_limits<std::int64_t>::max()})
           .empty());
}

BOOST_AUTO_TEST_CASE(uuids_parse_in_either_case) {
  const Value v =
      Parsed(FieldType::UUID, "0190A4C8-3F2E-7C1A-9B3D-5E6F7A8B9C0D");
  BOOST_TEST(FormatValue(v) == "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d");
  Result<Value> bad =
      ParseValue(FieldType::UUID, "0190a4c83f2e7c1a9b3d5e6f7a8b9c0d", "parent");
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.status().subject() == "parent");
}


BOOST_AUTO_TEST_CASE(null_is_the_last_alternative_and_fits_only_nullable_fields) {
  const Value null = Null{};
  BOOST_TEST(IsNull(null));
  BOOST_TEST(null.index() == static_cast<std::size_t>(FieldType::UUID) + 1);
  BOOST_TEST((null == Value(Null{})));
  BOOST_TEST(FormatValue(null) == "null");
  BOOST_TEST(Fits(null, FieldType::INT64, true));
  BOOST_TEST(!Fits(null, FieldType::INT64, false));
  BOOST_TEST(Fits(Value(std::int64_t{0}), FieldType::INT64, true));
  BOOST_TEST(!Fits(Value(std::string()), FieldType::INT64, true));
  // The text "null" is a string, never a null.
  auto v = ParseValue(FieldType::STRING, "null", "f");
  BOOST_TEST_REQUIRE(v.ok());
  BOOST_TEST(!IsNull(v.value()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace lmdbapi
