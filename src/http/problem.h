// src/http/problem.h - errors as RFC 9457 problem+json bodies.
//
// Every error response is application/problem+json:
//
//   {"type": "urn:lmdb-api:problem:<slug>", "title": "...", "status": N,
//    "detail": "<what happened, naming the value>", "field": "<name>"}
//
// "title" is fixed per type; "detail" is the Status message (or the HTTP
// layer's own words); "field" is Status::subject() and appears only when
// non-empty. Each Status code maps to one type; errors that only HTTP knows
// (no route, wrong method, body too large, ...) have their own.

#ifndef LMDBAPI_HTTP_PROBLEM_H_
#define LMDBAPI_HTTP_PROBLEM_H_

#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/status.h"

namespace lmdbapi::http {

inline constexpr std::string_view kProblemContentType =
    "application/problem+json";

struct ProblemType {
  int status;              // HTTP status code
  std::string_view slug;   // last segment of the problem "type" URI
  std::string_view title;  // same for every instance of this type
};

// The one problem type for each Status code. REQUIRES: code != kOk.
ProblemType ProblemFor(Status::Code code);

enum class HttpError {
  kNoRoute,               // 404: no table or route at that path
  kMethodNotAllowed,      // 405, with an Allow header
  kBodyTooLarge,          // 413: over MAX_BODY_BYTES
  kUnsupportedMediaType,  // 415: a POST/PUT body that is not JSON
  kMissingBody,           // 400: a POST/PUT without a body
  kBadRequest,            // 400: a malformed request line or header
  kInternal,              // 500: a bug; logged
  kUriTooLong,            // 414: only nginx answers it (its own buffers), in
                          // this shape; listed so the document shows it
};

ProblemType ProblemFor(HttpError error);

// Every problem type above, each once, Status codes first (in Code order),
// then HttpErrors; several types share a status. The OpenAPI document lists
// them per status, so a client knows every "type" a status may carry.
std::vector<ProblemType> AllProblemTypes();

// Appends the problem object to *out. `detail` and `field` may hold any
// bytes: ill-formed UTF-8 is replaced, so the body is always valid JSON.
void AppendProblemJson(const ProblemType& type, std::string_view detail,
                       std::string_view field, std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_PROBLEM_H_
