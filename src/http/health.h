// SPDX-License-Identifier: Apache-2.0
// src/http/health.h - GET /api/health: can this worker serve?
//
//   200 {"status": "ok", "schema_fingerprint": "<16 hex digits>",
//        "lmdb": {"map_size": bytes, "map_max": bytes,
//                 "used_bytes": bytes, "page_size": n,
//                 "readers_in_use": n, "max_readers": n,
//                 "entries": {"<table>": records, ...}}}
//
// The figures come from Env::Stat(), which also begins a read transaction;
// if either fails (no reader slot left, an I/O error) the environment
// cannot serve reads, and the route answers 503 with the reason. Nothing is
// cached: each probe asks LMDB.
//
// With API keys on, a probe without a valid key (health needs none) gets
// {"status": "ok"} alone: table sizes, map use and the schema fingerprint
// tell a stranger what is stored and how full it is.

#ifndef LMDBAPI_HTTP_HEALTH_H_
#define LMDBAPI_HTTP_HEALTH_H_

#include <string>

#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

// Appends the 200 body to *out. Errors: kUnavailable, whatever Stat()
// reported (its message kept).
// `detail` false: the status alone (still 503 when Stat() fails).
Status AppendHealthJson(const Env& env, bool detail, std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_HEALTH_H_
