// SPDX-License-Identifier: Apache-2.0
// src/http/record_msgpack.h - records, pages and bulk answers as msgpack,
// and msgpack request bodies (Content-Type / Accept: application/msgpack).
//
// The msgpack forms mirror the JSON ones (record_json.h) value for value,
// so a client can switch formats without learning a new shape:
//
//   record   a map: "uuid", "revision", then every schema field (or the
//            projected ones, projection.h) in declaration order
//   page     a map {"records": [record...], "next": str | nil}
//   bulk     a map {"count": int, "uuids": [str...]} ("uuids" left out
//            in the compact form, as in JSON)
//   count    a map {"count": int}
//
//   STRING     str (UTF-8)           BOOL       true / false
//   INT64      int (smallest form)   DATE       str "YYYY-MM-DD"
//   DOUBLE     float 64              TIMESTAMP  str, RFC 3339 (as JSON)
//   UUID       str, canonical form   revision   positive int
//   null       nil
//
// Dates, timestamps and uuids are strings, exactly the JSON texts, rather
// than msgpack's timestamp extension or 16-byte bins: one documented form
// per type in both formats, which a filter or cursor in a URL uses too.
// Everything is written with msgpack-c's packer (msgpack::packer), which
// picks the smallest form of each integer and string header.
//
// Reading: a msgpack request body is one map whose keys are strings and
// whose values are nil, bool, int, float or str; it is read by the same
// rules, with the same errors, as the JSON body (ParseRecordJson /
// ParsePatchJson): each value is handed over in its JSON form, so an int
// in a DOUBLE field is a number and a float in an INT64 field is refused,
// as 2.0 is in JSON. A value JSON has no form for (bin, ext), a key that
// is not a string, or invalid UTF-8 is refused naming the member; bytes
// that are not one whole msgpack map are a 400 "malformed msgpack", and so
// is a map of more than 4096 members or one holding an array or a map
// (msgpack-c would allocate for their declared sizes before reading them).
// Neither function touches an Env; msgpack-c's exceptions stop here.

#ifndef LMDBAPI_HTTP_RECORD_MSGPACK_H_
#define LMDBAPI_HTTP_RECORD_MSGPACK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/projection.h"
#include "json/record_json.h"
#include "lmdbapi/record.h"
#include "lmdbapi/record_sink.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/uuid.h"

namespace lmdbapi::http {

// The record's msgpack map, from a record as stored, as
// AppendStoredRecordJson (revision and mask alike).
Status AppendStoredRecordMsgpack(const StoredRecord& record, std::string* out,
                                 std::uint64_t* revision = nullptr,
                                 const FieldMask* mask = nullptr);

// The same from a Record (a write's answer). REQUIRES: as AppendRecordJson.
void AppendRecordMsgpack(const Record& record, const TableDesc& table,
                         std::string* out);

// A page: `records` holds `count` record maps back to back (as
// AppendStoredRecordMsgpack wrote them); `next` is the raw cursor, written
// as base64url text, as in JSON.
void AppendPageMsgpack(std::string_view records, std::size_t count,
                       const std::optional<std::string>& next,
                       std::string* out);

// {"count": n}: a count's answer (GET /api/T/count, where the schema's
// routes have one), as its JSON.
void AppendCountMsgpack(std::uint64_t n, std::string* out);

// A bulk load's answer; uuids left out when `with_uuids` is false.
void AppendBulkResultMsgpack(const std::vector<Uuid>& uuids, bool with_uuids,
                             std::string* out);

// The map's members in JSON text, for ParseRecordJson and friends. The
// errors above; a syntax error's subject is empty.
Status MsgpackRecordToJson(std::string_view bytes, std::string* json);

// A request body, read as ParseRecordJson / ParsePatchJson read JSON.
Result<ParsedRecord> ParseRecordMsgpack(std::string_view bytes,
                                        const TableDesc& table,
                                        MetaFields meta,
                                        std::size_t max_string_bytes);
Result<ParsedPatch> ParsePatchMsgpack(std::string_view bytes,
                                      const TableDesc& table,
                                      std::size_t max_string_bytes);

// A bulk body in msgpack: record maps back to back (a msgpack stream, as
// NDJSON is for JSON), unpacked one at a time. Not one array of maps:
// msgpack-c would unpack the whole array at once, with room for its
// declared count allocated up front. Calls `each` with every record's JSON
// text (MsgpackRecordToJson) and its position from 0; stops at the first
// non-OK Status (from `each`, or the record's own error, whose message
// then starts "index N: ") and returns it.
Status ForEachMsgpackRecord(
    std::string_view body,
    const std::function<Status(std::string_view json, std::size_t index)>&
        each);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_RECORD_MSGPACK_H_
