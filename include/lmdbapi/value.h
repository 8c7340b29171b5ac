// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/value.h - the typed values a record's fields hold.
//
// A schema field has one FieldType; its value is the Value alternative with
// the same index (Value::index() == static_cast<size_t>(type)), so a type
// check is one comparison. The one extra alternative, Null, comes last and
// has no FieldType: it is what a nullable field (OPTIONAL_FIELD in a .def)
// holds when nothing is recorded, and it is shown as JSON null. Text forms
// are the ones the HTTP API shows:
//
//   STRING     any UTF-8 text                       "Acme"
//   INT64      -9223372036854775808..2^63-1         42
//   DOUBLE     finite IEEE double (no NaN or inf)   2.5
//   BOOL       true / false                         true
//   DATE       YYYY-MM-DD, years 0001..9999         "2024-05-01"
//   TIMESTAMP  RFC 3339; stored as UTC microseconds "2024-05-01T12:30:00Z"
//   UUID       canonical 8-4-4-4-12 hex             parent links
//
// Timestamps accept an offset ("+02:00", "Z") and up to 9 fractional digits
// (digits past the sixth are truncated), and are always shown in UTC with
// "Z", with 6 fractional digits when the value has any.

#ifndef LMDBAPI_VALUE_H_
#define LMDBAPI_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "lmdbapi/status.h"
#include "lmdbapi/uuid.h"

namespace lmdbapi {

// The enumerator names are the tokens written in a schema .def file, so a
// consumer of the schema can paste them: FieldType::type.
enum class FieldType { STRING, INT64, DOUBLE, BOOL, DATE, TIMESTAMP, UUID };

struct Date {
  std::int32_t days_since_epoch = 0;  // 1970-01-01 is 0
  friend auto operator<=>(const Date&, const Date&) = default;
};
struct Timestamp {
  std::int64_t micros_since_epoch = 0;  // UTC
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// "No value": a nullable field that was never set, or was set to null.
// Equal to every other Null, and sorts before every value (key_codec.h).
struct Null {
  friend auto operator<=>(const Null&, const Null&) = default;
};

// Alternatives in FieldType order, then Null.
using Value = std::variant<std::string, std::int64_t, double, bool, Date,
                           Timestamp, Uuid, Null>;

inline bool IsNull(const Value& v) { return std::holds_alternative<Null>(v); }

// REQUIRES: !IsNull(v) (a null has no type: check IsNull first).
inline FieldType TypeOf(const Value& v) {
  return static_cast<FieldType>(v.index());
}

// Whether v may be stored in a field of `type`: a value of that type, or a
// null where the field is nullable.
inline bool Fits(const Value& v, FieldType type, bool nullable) {
  return IsNull(v) ? nullable : TypeOf(v) == type;
}
std::string_view TypeName(FieldType type);  // "STRING", "DATE", ...

// Parses the text form of `type` (the form shown above; for STRING the text
// itself). Used for query parameters and schema defaults. The error names
// `subject` (the field) and quotes the bad text.
Result<Value> ParseValue(FieldType type, std::string_view text,
                         std::string_view subject);
// The text form; for STRING the string itself, for DOUBLE the shortest text
// that reads back as the same double; "null" for a Null (only for messages:
// ParseValue never reads it back, "null" in a STRING field is a string).
std::string FormatValue(const Value& value);

// Calendar helpers, shared by the codecs and tests.
Result<Date> ParseDate(std::string_view text);
std::string FormatDate(Date d);
Result<Timestamp> ParseTimestamp(std::string_view text);
std::string FormatTimestamp(Timestamp t);

}  // namespace lmdbapi

#endif  // LMDBAPI_VALUE_H_
