// SPDX-License-Identifier: Apache-2.0
// src/http/problem.cc - see problem.h.
//
// Every list here is generated from problems.def. Status -> problem is a
// switch without a default on purpose: with -Wall -Werror a Status::Code
// that has no CODE_PROBLEM row fails the build, and so does a row twice
// (duplicate case).

#include "http/problem.h"

#include <algorithm>

#include "json/json_output.h"
#include "json/utf8.h"

namespace lmdbapi::http {

ProblemType ProblemFor(Status::Code code) {
  using C = Status::Code;
  switch (code) {
    case C::kOk: break;  // not a problem; callers never ask
#define CODE_PROBLEM(code, status, slug, title) \
  case C::code: return {status, slug, title};
#include "http/problems.def"
  }
  return {500, "internal", "Internal error"};
}

ProblemType ProblemFor(HttpError error) {
  using E = HttpError;
  switch (error) {
#define HTTP_PROBLEM(error, status, slug, title) \
  case E::error: return {status, slug, title};
#include "http/problems.def"
  }
  return {500, "internal", "Internal error"};
}

std::vector<ProblemType> AllProblemTypes() {
  return {
#define CODE_PROBLEM(code, status, slug, title) {status, slug, title},
#define HTTP_PROBLEM(error, status, slug, title) {status, slug, title},
#include "http/problems.def"
  };
}

std::vector<ProblemType> NginxOnlyProblemTypes() {
  return {
#define NGINX_PROBLEM(slug, status, title) {status, slug, title},
#include "http/problems.def"
  };
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
#define HTTP_STATUS(code, reason) \
  case code: return reason;
#include "http/problems.def"
  }
  return "Unknown";
}

std::vector<int> AnsweredStatuses() {
  std::vector<int> out = {
#define HTTP_STATUS(code, reason) code,
#include "http/problems.def"
  };
  std::sort(out.begin(), out.end());
  return out;
}

void AppendProblemJson(const ProblemType& type, std::string_view detail,
                       std::string_view field, std::string* out) {
  AppendProblemJson(type, detail, field, -1, out);
}

void AppendProblemJson(const ProblemType& type, std::string_view detail,
                       std::string_view field, int operation,
                       std::string* out) {
  std::string urn = "urn:lmdb-api:problem:";
  urn += type.slug;
  std::string repaired;
  JsonWriter w(out);
  w.StartObject();
  w.Key("type");
  w.String(urn);
  w.Key("title");
  w.String(type.title);
  w.Key("status");
  w.Int(type.status);
  w.Key("detail");
  AppendRepairedUtf8(detail, &repaired);
  w.String(repaired);
  if (!field.empty()) {
    repaired.clear();
    AppendRepairedUtf8(field, &repaired);
    w.Key("field");
    w.String(repaired);
  }
  if (operation >= 0) {
    w.Key("operation");
    w.Int(operation);
  }
  w.EndObject();
}

}  // namespace lmdbapi::http
