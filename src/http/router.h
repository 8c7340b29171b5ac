// SPDX-License-Identifier: Apache-2.0
// src/http/router.h - which route a method and path name.
//
// The routes are generated from the schema at run time: for every table T
// in Schema::tables (and every child table S of T),
//
//   POST    /api/T   /api/T/insert-record    kInsert
//   GET     /api/T   /api/T/get-record       kFind      (?field=value...)
//   GET     /api/T/range                     kRange     (?field=F&from&to;
//                                            only if T has a RANGE index)
//   GET     /api/T/count                     kCount     (find's or range's
//                                            parameters: {"count": N})
//   GET     /api/T/{uuid}                    kGet
//   PUT     /api/T/{uuid}   /api/T/update/{uuid}   kReplace
//   PATCH   /api/T/{uuid}   /api/T/update/{uuid}   kPatch
//   DELETE  /api/T/{uuid}   /api/T/delete/{uuid}   kRemove
//   POST    /api/T/bulk                      kBulk      (many records, one
//                                            transaction: bulk.h)
//   GET     /api/T/{uuid}/S                  kChildren
//
// and the service's own routes, GET /api/health, /api/metrics,
// /api/openapi.json, /api/changes and /api/changes/stream, and POST
// /api/batch (kBatch: writes on any tables in one transaction).
// RouteTemplates() lists the same routes as data (path
// templates, methods, kinds), in a fixed order; the OpenAPI document and the
// metrics' route labels are made from that list, and a match carries its
// position in it, so neither can drift from what MatchRoute answers.
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
#include <vector>

#include "lmdbapi/schema.h"
#include "lmdbapi/uuid.h"

namespace lmdbapi::http {

enum class RouteKind {
  kInsert,
  kFind,
  kGet,
  kReplace,
  kPatch,
  kRemove,
  kRange,
  kChildren,
  kCount,
  kHealth,
  kMetrics,
  kOpenApi,
  kBatch,
  kChanges,        // GET /api/changes: a page of the change feed
  kChangesStream,  // GET /api/changes/stream: the feed as Server-Sent Events
  kBulk,
};

// The path shapes, one per template; the template strings are in
// RouteTemplates().
enum class PathShape {
  kCollection,    // /api/T
  kInsertRecord,  // /api/T/insert-record
  kGetRecord,     // /api/T/get-record
  kRange,         // /api/T/range
  kItem,          // /api/T/{uuid}
  kUpdate,        // /api/T/update/{uuid}
  kDelete,        // /api/T/delete/{uuid}
  kCount,         // /api/T/count
  kBulk,          // /api/T/bulk
  kChildren,      // /api/T/{uuid}/S
  kHealth,        // /api/health
  kMetrics,       // /api/metrics
  kOpenApi,       // /api/openapi.json
  kBatch,         // /api/batch
  kChanges,       // /api/changes
  kChangesStream, // /api/changes/stream
};

struct Route {
  RouteKind kind = RouteKind::kFind;
  const TableDesc* table = nullptr;  // points into the schema routed over
  const TableDesc* child = nullptr;  // kChildren only
  Uuid uuid;  // kGet, kReplace, kPatch, kRemove, kChildren
};

struct RouteMatch {
  enum class Outcome { kMatched, kNoRoute, kMethodNotAllowed, kBadUuid };
  Outcome outcome = Outcome::kNoRoute;
  Route route;              // kMatched
  std::string_view allow;   // kMethodNotAllowed: "GET, HEAD, POST", ...
  std::string detail;       // kNoRoute, kBadUuid: what is wrong, for the
                            // client
  // Position in RouteTemplates(schema) of the path shape matched (also for
  // kMethodNotAllowed and kBadUuid); -1 for kNoRoute.
  int template_index = -1;
};

// `path` is the decoded path without the query string.
RouteMatch MatchRoute(const Schema& schema, std::string_view method,
                      std::string_view path);

struct RouteTemplate {
  std::string path;                  // "/api/permits/{uuid}"
  PathShape shape = PathShape::kCollection;
  const TableDesc* table = nullptr;  // null for the service routes
  const TableDesc* child = nullptr;  // kChildren only
  std::string_view allow;            // the Allow header: "GET, HEAD, PUT, ..."
  unsigned allowed = 0;              // the same as router.cc's method bits
  // False for the range path of a table without a RANGE index: MatchRoute
  // answers it as no route, and the OpenAPI document leaves it out.
  bool exists = true;
  // What each method names; meaningful only for the methods in `allow`.
  RouteKind get = RouteKind::kFind, post = RouteKind::kInsert,
            put = RouteKind::kReplace, del = RouteKind::kRemove,
            patch = RouteKind::kPatch;

  // Whether MatchRoute matches `method` (HEAD wherever GET) on this path.
  bool Allows(std::string_view method) const;
};

// Every route template, in this order: for each table (schema order) its
// collection, insert-record, get-record, range, item, update, delete,
// count, bulk and children (one per child, in TableDesc::children order)
// paths; then health, metrics, openapi.json, batch, changes,
// changes/stream. Every table has a range template (so
// positions stay fixed), but MatchRoute answers a table's range path as no
// route (404) when the table has no RANGE index, and the OpenAPI document
// leaves it out.
std::vector<RouteTemplate> RouteTemplates(const Schema& schema);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_ROUTER_H_
