// SPDX-License-Identifier: Apache-2.0
// src/http/params.h - what a route's query parameters mean.
//
//   find (GET /api/T, /api/T/get-record)
//       <field>=<value>  equality filter, the value in the field's text form
//                        (lmdbapi::ParseValue); any number of fields
//       <field>.is=null  only records whose nullable field is null (SQL's
//                        IS NULL; null is the only value accepted, and a
//                        field that is never null is refused). f=null is
//                        the string "null", as any other text
//       <field>.prefix=p strings that start with p (not empty); one per
//                        query, on a STRING field that leads an index (the
//                        store checks that)
//       order=asc|desc   walk the access path forwards (default) or back
//       limit=1..1000    page size, default 100
//       after=<cursor>   the previous page's "next" (base64url)
//   range (GET /api/T/range)
//       field=<name> (required), from=<value>, to=<value>, and find's
//       parameters but .prefix
//   count (GET /api/T/count)
//       find's parameters, or range's when field= is given; no limit
//   children (GET /api/T/{uuid}/S)
//       limit, after
//   changes (GET /api/changes, /api/changes/stream)
//       after=<seq>      changes after this sequence number (0..2^64-1);
//                        absent: from the oldest held
//       limit=1..1000    most changes per page, default 100 (not the stream)
//       tables=a,b       only these tables' changes (names, comma-separated)
//   every other route takes none.
//
// A TIMESTAMP value whose "+hh:mm" offset came through unescaped (so
// decoded as a space) is read as meant.
//
// An unknown parameter, or one given twice, is an error naming it: a typo
// must not silently widen a query to the whole table. Errors are
// kInvalidArgument with the parameter (or field) as subject.

#ifndef LMDBAPI_HTTP_PARAMS_H_
#define LMDBAPI_HTTP_PARAMS_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "http/query.h"
#include "lmdbapi/changes.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi::http {

inline constexpr std::size_t kDefaultLimit = 100;
inline constexpr std::size_t kMaxLimit = 1000;

enum class QueryRoute { kFind, kRange, kCount };

// The query and page of a find, range or count route (above) into *query
// and *page. max_string_bytes as ParseFindParams's.
Status ParseQueryParams(const std::vector<QueryParam>& params,
                        const TableDesc& table, std::size_t max_string_bytes,
                        QueryRoute route, Query* query, PageRequest* page);

// ParseQueryParams's filters and page of a find (order and a prefix are
// parsed and dropped); kept for the tests and fuzzers that read filters.
// max_string_bytes: the MAX_STRING_BYTES setting. A STRING filter value
// longer than its field may hold (CheckStringBytes) is refused, naming the
// field: no record written under the limit could match it.
Status ParseFindParams(const std::vector<QueryParam>& params,
                       const TableDesc& table, std::size_t max_string_bytes,
                       std::vector<Filter>* filters, PageRequest* page);

struct RangeQuery {
  int field = -1;
  std::optional<Value> from, to;
  PageRequest page;
};

// ParseQueryParams's range of a range route (filters and order dropped).
Status ParseRangeParams(const std::vector<QueryParam>& params,
                        const TableDesc& table, RangeQuery* range);

Status ParsePageParams(const std::vector<QueryParam>& params,
                       PageRequest* page);

// `stream`: the stream's parameters (no limit). *has_after: after was given.
Status ParseChangesParams(const std::vector<QueryParam>& params,
                          const Schema& schema, bool stream,
                          ChangesRequest* request, bool* has_after);

// For routes that take no parameters.
Status ParseNoParams(const std::vector<QueryParam>& params);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_PARAMS_H_
