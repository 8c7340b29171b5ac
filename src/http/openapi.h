// SPDX-License-Identifier: Apache-2.0
// src/http/openapi.h - the API's OpenAPI 3.1 document, made from the schema.
//
// GET /api/openapi.json serves it; GET /api/docs/ (static files served by
// nginx) renders it with Swagger UI. The paths are RouteTemplates(schema),
// the router's own list, and the bodies come from the same descriptors the
// handlers read (openapi_schemas.h), so the document cannot drift from what
// the worker answers. Each operation lists every status it may answer with
// (problem+json bodies per status, each naming the problem "type"s of that
// status) and the headers it sets (Location, ETag, X-Query-Plan), with an
// example per operation.
//
// Two facts live in the document's description rather than its paths,
// because OpenAPI cannot say them per operation: HEAD is accepted wherever
// GET is (same status and headers, no body), and any other method on a
// documented path is 405 with an Allow header (components/responses/
// Problem405). Every table has a /range operation, as it has a route; on a
// table without a RANGE index it can only answer 400, and says so.
//
// The worker builds the document once at start-up and serves those bytes;
// `lmdbapi-worker --print-openapi` prints them, for validators.

#ifndef LMDBAPI_HTTP_OPENAPI_H_
#define LMDBAPI_HTTP_OPENAPI_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "lmdbapi/schema.h"

namespace lmdbapi::http {

inline constexpr std::string_view kOpenApiVersion = "3.1.0";

// The document as indented JSON. Deterministic: one schema and one
// max_string_bytes (the MAX_STRING_BYTES setting, stated as the x-maxBytes
// of every STRING field without a MAX_BYTES row; 0: none), one text.
std::string OpenApiJson(const Schema& schema, std::size_t max_string_bytes);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_OPENAPI_H_
