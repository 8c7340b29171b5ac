// src/http/router.h - which route a method and path name.
//
// The routes are generated from the schema at run time: for every table T
// in Schema::tables (and every child table S of T),
//
//   POST    /api/T   /api/T/insert-record    kInsert
//   GET     /api/T   /api/T/get-record       kFind      (?field=value...)
//   GET     /api/T/range                     kRange     (?field=F&from&to)
//   GET     /api/T/{uuid}                    kGet
//   PUT     /api/T/{uuid}   /api/T/update/{uuid}   kReplace
//   DELETE  /api/T/{uuid}   /api/T/delete/{uuid}   kRemove
//   GET     /api/T/{uuid}/S                  kChildren
//
// HEAD is accepted wherever GET is (the server drops the body). A path that
// names none of these is kNoRoute (404); a path that does, with another
// method, is kMethodNotAllowed with the methods it allows (405). A path of
// the right shape whose {uuid} segment is not a uuid (Uuid::Parse) is
// kBadUuid (400: the client sent a malformed id, not a missing record).
// Pure: no I/O, no Env.

#ifndef LMDBAPI_HTTP_ROUTER_H_
#define LMDBAPI_HTTP_ROUTER_H_

#include <string>
#include <string_view>

#include "lmdbapi/schema.h"
#include "lmdbapi/uuid.h"

namespace lmdbapi::http {

enum class RouteKind {
  kInsert,
  kFind,
  kGet,
  kReplace,
  kRemove,
  kRange,
  kChildren,
};

struct Route {
  RouteKind kind = RouteKind::kFind;
  const TableDesc* table = nullptr;  // points into the schema routed over
  const TableDesc* child = nullptr;  // kChildren only
  Uuid uuid;                         // kGet, kReplace, kRemove, kChildren
};

struct RouteMatch {
  enum class Outcome { kMatched, kNoRoute, kMethodNotAllowed, kBadUuid };
  Outcome outcome = Outcome::kNoRoute;
  Route route;              // kMatched
  std::string_view allow;   // kMethodNotAllowed: "GET, HEAD, POST", ...
  std::string detail;       // kNoRoute, kBadUuid: what is wrong, for the
                            // client
};

// `path` is the decoded path without the query string.
RouteMatch MatchRoute(const Schema& schema, std::string_view method,
                      std::string_view path);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_ROUTER_H_
