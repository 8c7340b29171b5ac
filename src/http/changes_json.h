// SPDX-License-Identifier: Apache-2.0
// src/http/changes_json.h - the change feed's JSON: one change object, a
// page of them (GET /api/changes), and an SSE event (the stream).
//
// A change object (the OpenAPI document's "Change" schema):
//
//   {"seq": 7, "txn": 6, "txn_end": true, "table": "permits",
//    "uuid": "0190...", "op": "insert" | "update" | "delete",
//    "revision": 2, "time": "2026-12-03T19:40:00.123Z",
//    "record": {...the record as GET answers it...} | null}
//
// "txn" is the seq of the first change of the write it belongs to, and
// "txn_end" marks the last one (include/lmdbapi/changes.h); "record" is
// null after a delete.

#ifndef LMDBAPI_HTTP_CHANGES_JSON_H_
#define LMDBAPI_HTTP_CHANGES_JSON_H_

#include <cstdint>
#include <string>

#include "lmdbapi/changes.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

// Appends the change object. kCorruption if its record does not decode
// (part of an object may be appended).
Status AppendChangeJson(const Change& change, std::string* out);

// Appends one Server-Sent Event: "id: <seq>\ndata: <change object>\n\n".
Status AppendChangeEvent(const Change& change, std::string* out);

// Appends the problem+json members a 410 carries beyond the usual ones:
// turns `{...}` into `{..., "oldest": N}`. REQUIRES: *problem ends in '}'.
void AddOldestMember(std::uint64_t oldest, std::string* problem);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_CHANGES_JSON_H_
