// SPDX-License-Identifier: Apache-2.0
// src/http/bulk.h - POST /api/T/bulk: many records in one transaction.
//
// The body is one of
//
//   application/json      a JSON array of record objects
//   application/x-ndjson  one record object per line (NDJSON); blank lines,
//                         and a '\r' before a '\n', are allowed
//   application/msgpack   record maps back to back, not one array
//                         (record_msgpack.h says why)
//
// each record read exactly as POST /api/T reads one (ParseRecordJson:
// "uuid" and "revision" are the server's to assign). The body is read as a
// stream: RapidJSON's SAX reader walks the array and hands each element's
// text to the record reader as soon as it closes; NDJSON is read line by
// line; no document of the whole body is ever built.
//
// All or nothing: every record goes into one LMDB write transaction
// (ImportBatch, the admin import's way), committed once, durably, before
// the answer; the first record that fails (its body, a UNIQUE key, a
// missing parent) ends the load and nothing is written. Its problem names
// it in the detail: "index 41: ..." (array) or "line 42: ..." (NDJSON),
// with the field as the problem's `field`, and the status that record
// alone would have had (400, 409, 422).
//
// A load larger than one LMDB transaction holds (MDB_TXN_FULL: the
// transaction's dirty pages passed LMDB's limit) is a 413 problem that
// says to split the body; nothing was written. The transaction holds LMDB's
// writer lock while it runs: other writes wait for it (they are queued,
// not refused).
//
// The answer, 200: {"count": N, "uuids": [...]} (the new uuids in body
// order), or {"count": N} alone with ?return=count.

#ifndef LMDBAPI_HTTP_BULK_H_
#define LMDBAPI_HTTP_BULK_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/uuid.h"

namespace lmdbapi::http {

inline constexpr std::string_view kNdjsonContentType = "application/x-ndjson";

// BULK_MAX_BODY_BYTES's default: 64 MiB.
inline constexpr std::size_t kDefaultBulkMaxBodyBytes = std::size_t{64} << 20;

enum class BulkFormat { kJsonArray, kNdjson, kMsgpack };

// Reads every record of `body` into *records; *where receives, for each
// record, how a message names it ("index 3", "line 4"). kInvalidArgument
// naming the record and the field; nothing else.
Status ParseBulkBody(std::string_view body, BulkFormat format,
                     const TableDesc& table, std::size_t max_string_bytes,
                     std::vector<Record>* records,
                     std::vector<std::string>* where);

// Inserts every record in one transaction and commits it; *uuids receives
// the new uuids in order. On any failure nothing is written, the Status
// names the record (from `where`), and *too_big says whether it was
// MDB_TXN_FULL (a 413 for the caller). REQUIRES: where->size() ==
// records.size().
Status LoadBulk(Env& env, const TableDesc& table, std::vector<Record> records,
                const std::vector<std::string>& where, std::vector<Uuid>* uuids,
                bool* too_big);

// {"count":N,"uuids":[...]} (uuids left out unless with_uuids).
void AppendBulkResultJson(const std::vector<Uuid>& uuids, bool with_uuids,
                          std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_BULK_H_
