// SPDX-License-Identifier: Apache-2.0
// src/http/batch_json.h - POST /api/batch bodies and answers, as JSON.
//
// The body is one object with one member, "operations", a list of 1 to
// BATCH_MAX_OPERATIONS objects:
//
//   {"op": "insert",  "table": T, "record": {...}}
//   {"op": "replace", "table": T, "uuid": U, "record": {...}, "revision": N}
//   {"op": "patch",   "table": T, "uuid": U, "patch": {...},  "revision": N}
//   {"op": "delete",  "table": T, "uuid": U,                  "revision": N}
//
// "revision" is optional (a stale one fails the batch with 409, as a body's
// revision does on PUT). U is a uuid string or {"$ref": i}: the uuid that
// operation i, an earlier insert of the batch, creates. {"$ref": i} may also
// stand for the value of any UUID field of a record or patch (a child's
// parent link, say). Records and patches are read exactly as POST, PUT and
// PATCH read them (record_json.h): same types, limits and errors; an
// insert's record may not carry "uuid" or "revision"; a replace's may, and
// they must then agree with the operation's.
//
// The parser is split from the handler so other encodings (msgpack) can
// hand the handler the same parsed operation list (lmdbapi::BatchOp,
// lmdbapi/batch.h).

#ifndef LMDBAPI_HTTP_BATCH_JSON_H_
#define LMDBAPI_HTTP_BATCH_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/batch.h"
#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

struct ParsedBatch {
  // OK, or kInvalidArgument naming the member at fault (subject) and, in
  // the message, the operation.
  Status status;
  int operation = -1;      // the operation at fault, -1: the body as a whole
  bool too_many = false;   // more than max_operations (status says so)
  std::vector<BatchOp> ops;
};

// Reads a batch body. REQUIRES: max_operations >= 1. The ops' tables point
// into `schema`.
ParsedBatch ParseBatchJson(std::string_view json, const Schema& schema,
                           std::size_t max_string_bytes,
                           std::size_t max_operations);

// The answer to a batch that happened: {"results": [...]}, one per
// operation, in order: {"op", "table", "status" (what the operation's own
// route answers: 201, 200, 204), "record" (insert, replace, patch: as
// stored) or "uuid" (delete)}.
void AppendBatchResultsJson(const std::vector<BatchOp>& ops,
                            const std::vector<Record>& records,
                            std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_BATCH_JSON_H_
