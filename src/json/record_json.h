// SPDX-License-Identifier: Apache-2.0
// src/json/record_json.h - one record as JSON, both ways.
//
// The record's JSON form is an object with "uuid" and "revision" first,
// then every schema field in declaration order:
//
//   {"uuid": "0190...", "revision": 1, "permit_number": "P-1", ...}
//
//   STRING     JSON string (UTF-8)       BOOL       true / false
//   INT64      JSON integer              DATE       "YYYY-MM-DD"
//   DOUBLE     JSON number, finite       TIMESTAMP  RFC 3339 string
//   UUID       canonical uuid string
//   null       JSON null, for a nullable field (OPTIONAL_FIELD) that holds
//              null; the member is always written, never left out, so
//              every record has every member
//
// Reading is strict, because a lenient reader silently stores what the
// client did not mean: the body must be one JSON object of valid UTF-8;
// every required field present and non-null; other fields absent or null,
// which mean the same: null for a nullable field, the default for a
// DEFAULT_FIELD (FieldDesc::default_value either way); no unknown member and no member twice; INT64
// takes only integer literals in range (1.0 and 1e3 are refused); DOUBLE
// takes any JSON number that fits a double; a STRING holds at most its
// field's MAX_BYTES, or else max_string_bytes, bytes of UTF-8
// (CheckStringBytes in lmdbapi/schema.h). Errors are kInvalidArgument
// whose subject is the member at fault (empty for a syntax error, whose
// message gives the byte offset).
//
// Used by the HTTP handlers and by lmdbapi-admin's export and import, so
// it lives apart from http/ (the admin tool never links it); no function
// here touches an Env. The namespace is still lmdbapi::http, as when it
// was part of the worker.

#ifndef LMDBAPI_JSON_RECORD_JSON_H_
#define LMDBAPI_JSON_RECORD_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/projection.h"
#include "lmdbapi/record.h"
#include "lmdbapi/record_sink.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi::http {

// What to do with the read-only members "uuid" and "revision".
enum class MetaFields {
  kReject,  // an error naming the member (POST: the server assigns them)
  kAccept,  // parse them into ParsedRecord (PUT checks, imports)
};

struct ParsedRecord {
  Record record;  // uuid all-zero and revision 0 unless the body set them
  bool has_uuid = false;
  std::optional<std::uint64_t> revision;
};

// max_string_bytes: the MAX_STRING_BYTES setting (settings/settings.h), the
// limit of STRING fields without a MAX_BYTES row; 0: none.
Result<ParsedRecord> ParseRecordJson(std::string_view json,
                                     const TableDesc& table, MetaFields meta,
                                     std::size_t max_string_bytes);

// A JSON Merge Patch (RFC 7396) of one record, as PATCH sends it.
struct ParsedPatch {
  std::vector<FieldPatch> fields;  // one per member, in field order
  std::optional<std::uint64_t> revision;  // the precondition, if sent
};

// Reads a merge patch: one JSON object whose members are read exactly as
// ParseRecordJson reads them (types, limits, unknown or repeated members),
// but any subset of the fields may be present. A member set to null gives
// the field its default_value, as if it had been left out of an insert;
// null on a required field is an error naming it. "revision" is the
// precondition PUT accepts; "uuid" is refused (the path names the record).
Result<ParsedPatch> ParsePatchJson(std::string_view json,
                                   const TableDesc& table,
                                   std::size_t max_string_bytes);

// Appends the record's JSON object to *out. REQUIRES: record.fields holds
// one value per table field, as Table hands them out.
void AppendRecordJson(const Record& record, const TableDesc& table,
                      std::string* out);

// The same JSON object written straight from a record as stored (see
// lmdbapi/record_sink.h), with no Record in between; *revision, if given,
// receives the record's revision; `mask`, if given, leaves out the fields it
// does not keep (projection.h). kCorruption as StoredRecord::Visit, with
// part of an object already appended to *out.
Status AppendStoredRecordJson(const StoredRecord& record, std::string* out,
                              std::uint64_t* revision = nullptr,
                              const FieldMask* mask = nullptr);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_JSON_RECORD_JSON_H_
