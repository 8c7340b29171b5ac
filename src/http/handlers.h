// SPDX-License-Identifier: Apache-2.0
// src/http/handlers.h - one HTTP request in, one response out, over an Env.
//
// The request and response are plain structs, with no FastCGI in sight, so
// the whole API (routing, parameters, bodies, status codes, problem
// details) is unit-tested against a real Env without a socket. The server
// (fcgi_server.h) fills a Request from FastCGI params, calls
// HandleRequestAsync and writes the Response out.
//
// Writes need not hold the caller's thread through their commit:
// HandleRequestAsync hands a write to the group committer and the thread
// that commits it finishes the response (see group_commit.h for why).
//
// Thread-safety: HandleRequest may run on many threads at once over one
// Env, each with its own Response and Scratch.

#ifndef LMDBAPI_HTTP_HANDLERS_H_
#define LMDBAPI_HTTP_HANDLERS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/config.h"
#include "http/content_negotiation.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/projection.h"
#include "http/query.h"
#include "lmdbapi/changes.h"
#include "lmdbapi/env.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi::http {

// A view of one request; every string is owned by the caller.
struct Request {
  std::string_view method;        // GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS
  std::string_view path;          // decoded, without the query string
  std::string_view query;         // raw, without the '?'
  std::string_view content_type;  // Content-Type header; empty if none
  std::string_view accept;        // Accept header; empty if none
  std::string_view if_match;      // If-Match header; empty if none
  std::string_view if_none_match; // If-None-Match header; empty if none
  std::string_view idempotency_key;  // Idempotency-Key header; empty if none
  std::string_view origin;        // Origin header (CORS); empty if none
  // Access-Control-Request-Method header (a CORS preflight); empty if none.
  std::string_view access_control_request_method;
  std::string_view body;          // empty if none
  // API keys are on and no valid key came with this request (which only
  // an AuthExempt path lets through): /api/health answers its status alone.
  bool keyless = false;
  // The allowing key's label (its comment, never the key), for the log.
  std::string_view key_label;
  // Last-Event-ID header (the change stream resumes after it); empty if
  // none.
  std::string_view last_event_id;
};

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kEventStreamContentType = "text/event-stream";
// PATCH bodies: a JSON Merge Patch (RFC 7396); application/json is
// accepted as well.
inline constexpr std::string_view kMergePatchContentType =
    "application/merge-patch+json";

struct Response {
  int status = 200;
  std::string_view content_type;  // empty when there is no body (204)
  std::string location;           // Location, if non-empty
  std::string etag;               // ETag (with its quotes), if non-empty
  // Allow (405, and OPTIONS on a route: 204), if non-empty.
  std::string allow;
  std::string_view www_authenticate;  // WWW-Authenticate (401), if non-empty
  std::string query_plan;         // X-Query-Plan, if non-empty
  // Idempotent-Replayed: true (the stored answer of an earlier request
  // with the same Idempotency-Key).
  bool idempotent_replayed = false;
  // Holds content_type when the answer is a replayed one (content_type
  // then points here).
  std::string replayed_content_type;
  // X-Examined, for a query (records read to answer it); -1: none.
  std::int64_t examined = -1;
  // The body's media type was negotiated from Accept: Vary: Accept, so a
  // cache keeps the JSON and msgpack answers apart.
  bool vary_accept = false;
  std::string body;
  // Position in RouteTemplates() of the path's template (-1: no route),
  // for the metrics' route label.
  int route_template = -1;
  // Set by GET /api/changes/stream once its request is accepted: the
  // server then writes `content_type` and no body, and hands the
  // connection to its change stream dispatcher, which sends the changes
  // this request selects (after, tables) as Server-Sent Events.
  std::optional<ChangesRequest> stream;

  // Empties every member but keeps the strings' capacity for the next
  // request on this thread.
  void Clear();
};

// Buffers HandleRequest reuses from one request to the next, and what the
// request asked for, read once before its route's handler runs.
struct Scratch {
  std::vector<QueryParam> params;
  std::vector<Filter> filters;
  Query query;
  std::string records;  // a msgpack page's records, before their header
  MediaType media = MediaType::kJson;  // the answer's, from Accept
  FieldMask mask;  // fields=..., on the reads that take it
};

// What the service's own routes serve, besides the Env.
struct Services {
  // GET /api/openapi.json answers these bytes (OpenApiJson(), made once at
  // start-up); empty: made anew for each request (unit tests).
  std::string_view openapi_json;
  // GET /api/metrics renders this; null: the LMDB series alone.
  const Metrics* metrics = nullptr;
  // (The worker reads bodies up to MAX_BODY_BYTES, and a bulk load's up to
  // BULK_MAX_BODY_BYTES, before a Request is made: fcgi_server.cc.)
  // The MAX_STRING_BYTES setting: the byte limit of a STRING value (in a
  // body or a filter) whose field has no MAX_BYTES row of its own.
  std::size_t max_string_bytes = kDefaultMaxStringBytes;
  // BATCH_MAX_OPERATIONS: a longer POST /api/batch is 413.
  std::size_t batch_max_operations = kDefaultBatchMaxOperations;
  // IDEMPOTENCY_TTL: how long an Idempotency-Key's answer is replayed.
  std::uint64_t idempotency_ttl_seconds = kDefaultIdempotencyTtlSeconds;
  // The MAX_EXAMINED setting: PageRequest::max_examined of every query.
  std::size_t max_examined = kDefaultMaxExamined;
};

// Answers `request` into *response (Clear()ed first), waiting for a
// write's commit. Never throws: an exception from below becomes a logged
// 500.
void HandleRequest(Env& env, const Request& request, Response* response,
                   Scratch* scratch, const Services& services = {});

// HandleRequest without waiting for a write's commit: `done` is called
// exactly once, when *response is final. For a write that reached the
// group committer (POST, PUT, PATCH or DELETE of a record) that is after its
// commit, on the committer's thread; for every other request it is this
// thread, before the return.
// Until `done` runs, `request`'s strings and *response belong to the call;
// once it has run, the call touches neither (so `done` may hand them to
// the next request). `scratch` is free again once the call returns.
// `done` must not throw. REQUIRES: env outlives every write not yet done.
void HandleRequestAsync(Env& env, const Request& request, Response* response,
                        Scratch* scratch, const Services& services,
                        std::function<void()> done);

// Makes *response the problem `type` with this detail and field.
void SetProblem(const ProblemType& type, std::string_view detail,
                std::string_view field, Response* response);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_HANDLERS_H_
