// src/http/problem.cc - see problem.h.
//
// Status -> problem is a switch without a default on purpose: with -Wall
// -Werror a new Status::Code that is not mapped here fails the build.

#include "http/problem.h"

#include "http/json_output.h"
#include "http/utf8.h"

namespace lmdbapi::http {

ProblemType ProblemFor(Status::Code code) {
  using C = Status::Code;
  switch (code) {
    case C::kOk:              break;  // not a problem; callers never ask
    case C::kInvalidArgument: return {400, "invalid-argument", "Invalid request"};
    case C::kNotFound:        return {404, "not-found", "No such record"};
    case C::kUniqueViolation: return {409, "unique-violation", "Key already taken"};
    case C::kConflict:        return {409, "conflict", "Record has changed"};
    case C::kMissingParent:   return {422, "missing-parent", "Parent record does not exist"};
    case C::kStorageFull:     return {507, "storage-full", "Storage is full"};
    case C::kUnavailable:     return {503, "unavailable", "Try again later"};
    case C::kSchemaMismatch:  return {500, "schema-mismatch", "Schema does not match data"};
    case C::kCorruption:      return {500, "corruption", "Stored data is unreadable"};
    case C::kIOError:         return {500, "io-error", "Storage I/O failed"};
  }
  return {500, "internal", "Internal error"};
}

ProblemType ProblemFor(HttpError error) {
  using E = HttpError;
  switch (error) {
    case E::kNoRoute:              return {404, "no-route", "No such resource"};
    case E::kMethodNotAllowed:     return {405, "method-not-allowed", "Method not allowed"};
    case E::kBodyTooLarge:         return {413, "body-too-large", "Request body too large"};
    case E::kUnsupportedMediaType: return {415, "unsupported-media-type", "Body must be JSON"};
    case E::kMissingBody:          return {400, "missing-body", "Request body required"};
    case E::kBadRequest:           return {400, "bad-request", "Malformed request"};
    case E::kInternal:             return {500, "internal", "Internal error"};
    case E::kUriTooLong:           return {414, "uri-too-long", "Request URI too long"};
  }
  return {500, "internal", "Internal error"};
}

std::vector<ProblemType> AllProblemTypes() {
  using C = Status::Code;
  using E = HttpError;
  // A new enumerator must be added here too; these asserts name the last
  // one each list knows.
  static_assert(static_cast<int>(C::kIOError) == 10,
                "a Status::Code was added: list it in AllProblemTypes()");
  static_assert(static_cast<int>(E::kUriTooLong) == 7,
                "an HttpError was added: list it in AllProblemTypes()");
  std::vector<ProblemType> out;
  for (C c : {C::kInvalidArgument, C::kNotFound, C::kUniqueViolation,
              C::kMissingParent, C::kConflict, C::kStorageFull,
              C::kUnavailable, C::kSchemaMismatch, C::kCorruption,
              C::kIOError})
    out.push_back(ProblemFor(c));
  for (E e : {E::kNoRoute, E::kMethodNotAllowed, E::kBodyTooLarge,
              E::kUnsupportedMediaType, E::kMissingBody, E::kBadRequest,
              E::kInternal, E::kUriTooLong})
    out.push_back(ProblemFor(e));
  return out;
}

void AppendProblemJson(const ProblemType& type, std::string_view detail,
                       std::string_view field, std::string* out) {
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
  w.EndObject();
}

}  // namespace lmdbapi::http
