// SPDX-License-Identifier: Apache-2.0
// src/http/cors.h - Cross-Origin Resource Sharing (Fetch standard), in the
// worker.
//
// Off unless CORS_ORIGINS names origins (config.h). The worker answers it,
// not nginx, because only the worker knows each route's methods. With it
// on, for a request whose Origin is allowed:
//   - a preflight (OPTIONS with Access-Control-Request-Method, on a route
//     that exists; handlers.cc answers it 204 with Allow) also gets
//     Access-Control-Allow-Methods (the route's Allow), -Allow-Headers
//     (kCorsAllowHeaders: every request header the API reads) and
//     -Max-Age;
//   - every other answer, problems included, gets Access-Control-Allow-
//     Origin and -Expose-Headers (kCorsExposeHeaders), so a page can read
//     both the answer and its error.
// Allow-Origin is the request's Origin, or "*" when CORS_ORIGINS is "*".
// No credentials: API keys travel in headers a page sets, never cookies.
// Every answer of a worker with CORS on says `Vary: Origin` (whether
// Allow-Origin is there depends on it), and OPTIONS answers also vary on
// the Access-Control-Request-* headers. A request from another origin, or
// without Origin, gets no Access-Control-* header at all.
// Answers nginx makes itself (413, 429, 502, ...) carry none: see the
// README's CORS section.
//
// Pure functions over an immutable CorsPolicy; share it between threads.

#ifndef LMDBAPI_HTTP_CORS_H_
#define LMDBAPI_HTTP_CORS_H_

#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/status.h"

namespace lmdbapi::http {

inline constexpr std::string_view kCorsAllowHeaders =
    "Content-Type, Authorization, X-API-Key, If-Match, If-None-Match, "
    "Idempotency-Key";
inline constexpr std::string_view kCorsExposeHeaders =
    "ETag, Location, X-Query-Plan, Allow, WWW-Authenticate, "
    "Idempotent-Replayed";
// How long a browser may reuse a preflight's answer, in seconds.
inline constexpr int kCorsMaxAgeSeconds = 600;

struct CorsPolicy {
  bool any_origin = false;           // CORS_ORIGINS=*
  std::vector<std::string> origins;  // exact, lower-case, as browsers send

  bool enabled() const { return any_origin || !origins.empty(); }
  // Whether a page from `origin` (the Origin header) may read answers.
  bool Allows(std::string_view origin) const;
  // Whether this request is a CORS preflight from an allowed origin; such
  // a request needs no API key (a browser sends none with it).
  bool IsAllowedPreflight(std::string_view method, std::string_view origin,
                          std::string_view request_method) const;
};

// Parses CORS_ORIGINS: "*", or origins (scheme://host[:port], http or
// https, no path, no default port) separated by commas and/or spaces.
// Errors: kInvalidArgument naming CORS_ORIGINS and the value at fault.
Result<CorsPolicy> ParseCorsOrigins(std::string_view text);

// The request headers CORS looks at ("" when absent).
struct CorsRequest {
  std::string_view method;
  std::string_view origin;          // Origin
  std::string_view request_method;  // Access-Control-Request-Method
};

// Appends the CORS header lines ("Name: value\r\n") for an answer with
// `status` and Allow header `allow` ("" if none) to *head; nothing when the
// policy is off.
void AppendCorsHeaders(const CorsPolicy& policy, const CorsRequest& request,
                       int status, std::string_view allow, std::string* head);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_CORS_H_
