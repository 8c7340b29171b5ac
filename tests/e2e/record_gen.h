// SPDX-License-Identifier: Apache-2.0
// tests/e2e/record_gen.h - valid values and records for whatever schema is
// compiled in, in the forms a client sends, filters by and reads back.
//
// The end-to-end suites are black-box: they know the schema only through
// Schema::Compiled()'s descriptors and keep their own model of what the
// server should hold. Values here are formatted and compared by this file,
// never by the library under test, so a formatting bug in the library
// cannot agree with itself.
//
// Values are deterministic: record number n of a table always gets the same
// values. Fields that are keys of a UNIQUE index get a value no other n
// gets; every other field draws from a small pool, so that equality filters
// and range scans find several records (and ties) at once.

#ifndef LMDBAPI_TESTS_E2E_RECORD_GEN_H_
#define LMDBAPI_TESTS_E2E_RECORD_GEN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "lmdbapi/schema.h"

namespace lmdbapi::e2e {

// One field's value as a client sees it. DATE, TIMESTAMP and UUID are their
// canonical text (the form the server shows); the FieldDesc says which.
// std::monostate is JSON null, which only a nullable field holds (GenValue
// never makes one; the default of a nullable field is one).
using Val = std::variant<std::string, std::int64_t, double, bool, std::monostate>;
inline bool IsNullVal(const Val& v) { return std::holds_alternative<std::monostate>(v); }

// A record as the client models it: one Val per TableDesc::fields entry.
struct Rec {
  std::string uuid;           // empty until the server assigned one
  std::int64_t revision = 0;  // 0: not checked
  std::vector<Val> fields;
};

// True if `field` is a key of some index of `t`.
bool IsIndexKey(const TableDesc& t, int field);
// True if `field` is a key of some UNIQUE index of `t`.
bool IsUniqueKey(const TableDesc& t, int field);
// The fields that are keys of some UNIQUE index.
std::set<int> UniqueKeyFields(const TableDesc& t);

// A record number no other caller in this process got: an increasing
// counter, thread-safe. Numbers are small (they start at 1).
std::uint64_t NextN();

// The value record number n gets for t.fields[field]. A parent link gets an
// empty string: the caller sets it to a real parent's uuid.
Val GenValue(const TableDesc& t, int field, std::uint64_t n);
// A whole record numbered n, its parent link (if any) set to parent_uuid.
Rec GenRecord(const TableDesc& t, std::uint64_t n,
              const std::string& parent_uuid = {});

// The default an optional field reads as, from its descriptor.
Val DefaultOf(const FieldDesc& f);

// Canonical text forms, computed here (not by the library).
std::string FormatDays(std::int64_t days_since_epoch);   // YYYY-MM-DD
std::string FormatMicros(std::int64_t micros_since_epoch);  // RFC 3339, Z
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d);

// The value as a query parameter value (before percent-encoding).
std::string QueryText(FieldType type, const Val& v);
// For messages: JSON-ish, with the type's quoting.
std::string Show(const Val& v);

// The JSON request body for `rec`. Optional fields whose index is in
// `omit` are left out (so the server must apply their defaults); fields in
// `raw` are written as the JSON text given instead of their value.
std::string BodyJson(const TableDesc& t, const Rec& rec,
                     const std::set<int>& omit = {},
                     const std::map<int, std::string>& raw = {});
// The indexes of t's optional fields.
std::set<int> OptionalFields(const TableDesc& t);

// Reads one field value of type `type` from a response; nullopt if the JSON
// value does not have the type's JSON shape.
std::optional<Val> ValFromJson(FieldType type, const rapidjson::Value& v);
// Reads a whole record; nullopt (and *error set) if the shape is wrong.
std::optional<Rec> RecFromJson(const TableDesc& t, const rapidjson::Value& v,
                               std::string* error);

// "" if `got` is `want` (uuid and revision compared only when set in
// want), else a description of every difference.
std::string Mismatch(const TableDesc& t, const Rec& want, const Rec& got);
std::string Mismatch(const TableDesc& t, const Rec& want,
                     const rapidjson::Value& got);

bool ValEqual(const Val& a, const Val& b);
// Value order for an ordered type (INT64, DOUBLE, DATE, TIMESTAMP, ...):
// timestamps by instant, not by text.
bool ValLess(FieldType type, const Val& a, const Val& b);
// Microseconds of a canonical timestamp ("...T12:00:00[.ffffff]Z").
std::int64_t CanonicalMicros(std::string_view text);

// True if `s` is a canonical lower-case version-7 UUID (RFC 9562).
bool IsUuidV7(std::string_view s);

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_RECORD_GEN_H_
