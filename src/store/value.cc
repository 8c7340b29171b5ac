// SPDX-License-Identifier: Apache-2.0
// src/store/value.cc - text forms of field values: parse and format.
//
// The HTTP layer, the schema defaults and the tests all meet values as text,
// and every one of them must agree on what "2024-05-01" or "2.5" means, so
// the parsing and formatting live here, once. Parsing is strict (one
// spelling per value, apart from RFC 3339's offsets and letter case) because
// a lenient parser would let two clients store the same date under two keys.
// The calendar arithmetic is Howard Hinnant's days_from_civil /
// civil_from_days (http://howardhinnant.github.io/date_algorithms.html),
// written out rather than taken from <chrono>: it is a dozen lines, works
// for any int64 day count, and needs nothing of libstdc++ that clang 14 may
// lack.

#include "lmdbapi/value.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>

#include "lmdbapi/quote.h"

namespace lmdbapi {

namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kMicrosPerDay = kMicrosPerSecond * kSecondsPerDay;

struct Civil {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

bool IsLeapYear(std::int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Eras are 400-year cycles (146097 days) that start on March 1, so the leap
// day is the last day of a year and month lengths follow a simple formula.
// Ranges: yoe (year of era) 0..399, doy (day of year) 0..365, doe (day of
// era) 0..146096, mp (month, March = 0) 0..11.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = m > 2 ? m - 3 : m + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;  // 719468: 0000-03-01 to 1970-01-01
}

Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe =
      (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const auto m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

Status Invalid(std::string_view subject, std::string_view text,
               std::string_view what) {
  std::string msg;
  if (!subject.empty()) {
    msg.append(subject);
    msg += ": ";
  }
  msg += Quote(text);
  msg += ' ';
  msg.append(what);
  return Status::InvalidArgument(subject, std::move(msg));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exactly `n` decimal digits at text[pos..pos+n); no sign, no spaces.
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t n,
                unsigned* out) {
  if (pos + n > text.size()) return false;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return false;
    v = v * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *out = v;
  return true;
}

std::string TwoDigits(unsigned v) {
  return {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

constexpr std::string_view kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// The first 10 characters of `text` as a calendar date, in days since
// 1970-01-01; `kind` is what the text was meant to be ("a date", "a
// timestamp"), for the message.
Result<std::int64_t> ParseCalendarDays(std::string_view text,
                                       std::string_view subject,
                                       std::string_view kind,
                                       std::string_view expected) {
  unsigned y, m, d;
  if (!ReadDigits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &m) || text[7] != '-' ||
      !ReadDigits(text, 8, 2, &d)) {
    return Invalid(subject, text,
                   "is not " + std::string(kind) + " (expected " +
                       std::string(expected) + ")");
  }
  const auto not_kind = "is not " + std::string(kind) + " (";
  if (y == 0) {
    return Invalid(subject, text, not_kind + "years run from 0001 to 9999)");
  }
  if (m < 1 || m > 12) {
    return Invalid(subject, text,
                   not_kind + "month " + TwoDigits(m) + " is not 01..12)");
  }
  if (d < 1 || d > DaysInMonth(y, m)) {
    return Invalid(subject, text,
                   not_kind + "day " + TwoDigits(d) + " is not in " +
                       std::string(kMonthNames[m - 1]) + " " +
                       std::to_string(y) + ", which has " +
                       std::to_string(DaysInMonth(y, m)) + " days)");
  }
  return DaysFromCivil(y, m, d);
}

constexpr std::string_view kDateForm = "YYYY-MM-DD";
constexpr std::string_view kTimestampForm =
    "RFC 3339, e.g. 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.5+02:00";

Result<Date> ParseDateAs(std::string_view text, std::string_view subject) {
  if (text.size() != 10) {
    return Invalid(subject, text, "is not a date (expected YYYY-MM-DD)");
  }
  Result<std::int64_t> days =
      ParseCalendarDays(text, subject, "a date", kDateForm);
  if (!days.ok()) return days.status();
  return Date{static_cast<std::int32_t>(days.value())};
}

// The smallest and largest instants whose UTC date has a four-digit year:
// anything outside would format as text this parser refuses.
constexpr std::int64_t kMinTimestampMicros =
    -62'135'596'800 * kMicrosPerSecond;  // 0001-01-01T00:00:00Z
constexpr std::int64_t kMaxTimestampMicros =
    253'402'300'800 * kMicrosPerSecond - 1;  // 9999-12-31T23:59:59.999999Z

Result<Timestamp> ParseTimestampAs(std::string_view text,
                                   std::string_view subject) {
  const auto malformed = [&] {
    return Invalid(
        subject, text,
        "is not a timestamp (expected " + std::string(kTimestampForm) + ")");
  };
  // Shortest form: YYYY-MM-DDTHH:MM:SSZ.
  if (text.size() < 20) return malformed();
  Result<std::int64_t> days =
      ParseCalendarDays(text, subject, "a timestamp", kTimestampForm);
  if (!days.ok()) return days.status();

  unsigned hh, mm, ss;
  if ((text[10] != 'T' && text[10] != 't') || !ReadDigits(text, 11, 2, &hh) ||
      text[13] != ':' || !ReadDigits(text, 14, 2, &mm) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, &ss)) {
    return malformed();
  }
  const std::string not_ts = "is not a timestamp (";
  if (hh > 23) {
    return Invalid(subject, text,
                   not_ts + "hour " + TwoDigits(hh) + " is not 00..23)");
  }
  if (mm > 59) {
    return Invalid(subject, text,
                   not_ts + "minute " + TwoDigits(mm) + " is not 00..59)");
  }
  if (ss == 60) {
    // RFC 3339 allows a leap second, but stored time is a count of SI
    // seconds without them, as in POSIX; 60 has nowhere to go.
    return Invalid(subject, text,
                   not_ts + "leap seconds are not supported; use :59)");
  }
  if (ss > 59) {
    return Invalid(subject, text,
                   not_ts + "second " + TwoDigits(ss) + " is not 00..59)");
  }

  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (text[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    const std::size_t n = pos - start;
    if (n == 0 || n > 9) {
      return Invalid(subject, text,
                     not_ts + "the fraction of a second takes 1 to 9 digits)");
    }
    // Digits past the sixth are below the stored precision: truncated.
    for (std::size_t i = 0; i < 6; ++i) {
      micros = micros * 10 + (i < n ? text[start + i] - '0' : 0);
    }
  }

  std::int64_t offset_seconds = 0;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
    // UTC.
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
             zone[3] == ':') {
    unsigned oh, om;
    if (!ReadDigits(zone, 1, 2, &oh) || !ReadDigits(zone, 4, 2, &om)) {
      return malformed();
    }
    if (oh > 23 || om > 59) {
      return Invalid(
          subject, text,
          not_ts + "offset " + std::string(zone) + " is not -23:59..+23:59)");
    }
    offset_seconds = (oh * 60 + om) * 60;
    if (zone[0] == '-') offset_seconds = -offset_seconds;
  } else {
    return malformed();
  }

  const std::int64_t local_seconds =
      days.value() * kSecondsPerDay + (hh * 60 + mm) * 60 + ss;
  const std::int64_t utc =
      (local_seconds - offset_seconds) * kMicrosPerSecond + micros;
  if (utc < kMinTimestampMicros || utc > kMaxTimestampMicros) {
    return Invalid(subject, text,
                   not_ts + "in UTC it falls outside years 0001..9999)");
  }
  return Timestamp{utc};
}

// Four digits for years 0..9999 as the text form needs; anything else
// (only reachable with a Date or Timestamp built by hand) is still printed
// unambiguously, with as many digits as it takes and a sign if negative.
std::string FormatCivil(const Civil& c) {
  std::string out;
  std::int64_t y = c.year;
  if (y < 0) {
    out += '-';
    y = -y;
  }
  std::string digits = std::to_string(y);
  if (digits.size() < 4) out.append(4 - digits.size(), '0');
  out += digits;
  out += '-';
  out += TwoDigits(c.month);
  out += '-';
  out += TwoDigits(c.day);
  return out;
}

Result<Value> ParseInt64(std::string_view text, std::string_view subject) {
  constexpr std::string_view kRange =
      "-9223372036854775808..9223372036854775807";
  std::int64_t v = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc::result_out_of_range) {
    return Invalid(subject, text,
                   "is out of range for INT64 (" + std::string(kRange) + ")");
  }
  if (ec != std::errc() || ptr != end) {
    return Invalid(subject, text,
                   "is not an integer (expected digits with an optional "
                   "leading -, in " +
                       std::string(kRange) + ")");
  }
  return Value(v);
}

Result<Value> ParseDouble(std::string_view text, std::string_view subject) {
  double v = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc::result_out_of_range) {
    return Invalid(subject, text,
                   "is out of range for DOUBLE (magnitude must be 0 or "
                   "between about 4.9e-324 and 1.8e308)");
  }
  if (ec != std::errc() || ptr != end) {
    return Invalid(subject, text,
                   "is not a number (expected decimal notation such as 2.5, "
                   "-3 or 1e-9)");
  }
  // from_chars reads "nan" and "inf"; JSON and the key codec cannot hold
  // them.
  if (!std::isfinite(v)) {
    return Invalid(subject, text,
                   "is not a finite number (NaN and infinity cannot be "
                   "stored)");
  }
  return Value(v);
}

}  // namespace

std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::STRING: return "STRING";
    case FieldType::INT64: return "INT64";
    case FieldType::DOUBLE: return "DOUBLE";
    case FieldType::BOOL: return "BOOL";
    case FieldType::DATE: return "DATE";
    case FieldType::TIMESTAMP: return "TIMESTAMP";
    case FieldType::UUID: return "UUID";
  }
  return "?";  // unreachable: the switch covers every enumerator
}

Result<Value> ParseValue(FieldType type, std::string_view text,
                         std::string_view subject) {
  switch (type) {
    case FieldType::STRING: return Value(std::string(text));
    case FieldType::INT64: return ParseInt64(text, subject);
    case FieldType::DOUBLE: return ParseDouble(text, subject);
    case FieldType::BOOL:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      return Invalid(subject, text,
                     "is not a boolean (expected true or false)");
    case FieldType::DATE: {
      auto r = ParseDateAs(text, subject);
      if (!r.ok()) return r.status();
      return Value(r.value());
    }
    case FieldType::TIMESTAMP: {
      auto r = ParseTimestampAs(text, subject);
      if (!r.ok()) return r.status();
      return Value(r.value());
    }
    case FieldType::UUID: {
      auto r = Uuid::Parse(text);
      // Uuid::Parse can only name itself; say which field was wrong.
      if (!r.ok()) {
        return Invalid(subject, text,
                       "is not a uuid (expected 8-4-4-4-12 hex digits, e.g. "
                       "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d)");
      }
      return Value(r.value());
    }
  }
  return Invalid(subject, text, "has an unknown field type");
}

std::string FormatValue(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t> ||
                             std::is_same_v<T, double>) {
          // Without a precision, to_chars writes the shortest text that
          // reads back as the same value; 2.0 comes out as "2", valid JSON.
          char buf[32];
          const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
          return ec == std::errc() ? std::string(buf, ptr) : std::string();
        } else if constexpr (std::is_same_v<T, Date>) {
          return FormatDate(v);
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          return FormatTimestamp(v);
        } else if constexpr (std::is_same_v<T, Null>) {
          return "null";
        } else {
          static_assert(std::is_same_v<T, Uuid>);
          return v.ToString();
        }
      },
      value);
}

Result<Date> ParseDate(std::string_view text) {
  return ParseDateAs(text, "date");
}

std::string FormatDate(Date d) {
  return FormatCivil(CivilFromDays(d.days_since_epoch));
}

Result<Timestamp> ParseTimestamp(std::string_view text) {
  return ParseTimestampAs(text, "timestamp");
}

std::string FormatTimestamp(Timestamp t) {
  // Floor division, so instants before 1970 fall on the right day; written
  // with % so that no intermediate overflows, even for INT64_MIN.
  std::int64_t days = t.micros_since_epoch / kMicrosPerDay;
  std::int64_t rest = t.micros_since_epoch % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const std::int64_t micros = rest % kMicrosPerSecond;
  rest /= kMicrosPerSecond;
  std::string out = FormatCivil(CivilFromDays(days));
  out += 'T';
  out += TwoDigits(static_cast<unsigned>(rest / 3600));
  out += ':';
  out += TwoDigits(static_cast<unsigned>(rest / 60 % 60));
  out += ':';
  out += TwoDigits(static_cast<unsigned>(rest % 60));
  if (micros != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
    out += frac;
  }
  out += 'Z';
  return out;
}

}  // namespace lmdbapi
