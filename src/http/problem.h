// SPDX-License-Identifier: Apache-2.0
// src/http/problem.h - errors as RFC 9457 problem+json bodies.
//
// Every error response is application/problem+json:
//
//   {"type": "urn:lmdb-api:problem:<slug>", "title": "...", "status": N,
//    "detail": "<what happened, naming the value>", "field": "<name>"}
//
// "title" is fixed per type; "detail" is the Status message (or the HTTP
// layer's own words); "field" is Status::subject() and appears only when
// non-empty; a failed POST /api/batch adds "operation", the position of
// the operation at fault. Each Status code maps to one type; errors that only HTTP knows
// (no route, wrong method, body too large, ...) have their own. All of them,
// and every status, are rows of src/http/problems.def.

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

// Errors that only HTTP knows (no route, wrong method, body too large, ...):
// the HTTP_PROBLEM rows of problems.def, in their order.
enum class HttpError {
#define HTTP_PROBLEM(error, status, slug, title) error,
#include "http/problems.def"
};

ProblemType ProblemFor(HttpError error);

// Every problem type above, each once, in problems.def's order: Status
// codes first, then HttpErrors; several types share a status. The OpenAPI
// document lists them per status, so a client knows every "type" a status
// may carry.
std::vector<ProblemType> AllProblemTypes();

// The problem types only nginx answers (NGINX_PROBLEM rows); not in the
// OpenAPI document.
std::vector<ProblemType> NginxOnlyProblemTypes();

// The reason phrase of a status problems.def lists ("Not Found"), else
// "Unknown".
std::string_view ReasonPhrase(int status);

// Every status the worker or the nginx site answers, ascending.
std::vector<int> AnsweredStatuses();

// Appends the problem object to *out. `detail` and `field` may hold any
// bytes: ill-formed UTF-8 is replaced, so the body is always valid JSON.
void AppendProblemJson(const ProblemType& type, std::string_view detail,
                       std::string_view field, std::string* out);
// The same with an "operation" member (POST /api/batch: the position of
// the operation at fault), if operation >= 0.
void AppendProblemJson(const ProblemType& type, std::string_view detail,
                       std::string_view field, int operation,
                       std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_PROBLEM_H_
