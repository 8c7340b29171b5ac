// SPDX-License-Identifier: Apache-2.0
// tests/e2e/api.h - the REST contract's calls, typed, for the suites.
//
// Each helper sends what a client would send and checks what the contract
// promises about the answer, failing the test with the request and the
// response when it is not so. Records are modelled as Rec (record_gen.h).
//
// The contract, briefly (every table t of the schema):
//   POST   /api/t[/insert-record]         201 record, Location /api/t/<uuid>
//   GET    /api/t/<uuid>                  200 record | 404 | 400 bad uuid
//   GET    /api/t[/get-record]?f=v&...    200 {"records": [...], "next"}
//   GET    /api/t/range?field=&from=&to=  same shape, ascending by field
//   GET    /api/p/<uuid>/t                the children of p's record in t
//   PUT    /api/t/<uuid> | /update/<uuid> 200 record, revision + 1
//   PATCH  /api/t/<uuid> | /update/<uuid> 200 record, some fields, revision + 1
//   DELETE /api/t/<uuid> | /delete/<uuid> 204, cascading to children
// Listings take limit (1..1000, default 100) and after (the previous
// page's next); X-Query-Plan says how a get-record ran. Errors are
// application/problem+json with type, title, status, detail (and field).

#ifndef LMDBAPI_TESTS_E2E_API_H_
#define LMDBAPI_TESTS_E2E_API_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_client.h"
#include "lmdbapi/schema.h"
#include "record_gen.h"

namespace lmdbapi::e2e {

std::string TablePath(const TableDesc& t);  // "/api/<t>"
std::string RecordPath(const TableDesc& t, std::string_view uuid);

// Adds "name=value" (both percent-encoded) to a path with or without a
// query already.
std::string WithParam(std::string path, std::string_view name,
                      std::string_view value);

// field == value conditions, by field position.
using FieldFilter = std::vector<std::pair<int, Val>>;
// "f1=v1&f2=v2", percent-encoded, in the values' query text forms.
std::string FilterQuery(const TableDesc& t, const FieldFilter& filters);

// POSTs `want` (to /api/t/insert-record, or /api/t when alias), leaving out
// the optional fields in `omit`; requires 201, a v7 uuid, revision 1, every
// field as sent (defaults for the omitted) and the Location header. Returns
// want with uuid and revision set.
Rec InsertOk(HttpClient& http, const TableDesc& t, Rec want,
             bool alias = false, const std::set<int>& omit = {});
// The same with a body of the caller's making; `want` is what the server
// should answer (all fields, defaults filled in).
Rec InsertBodyOk(HttpClient& http, const TableDesc& t, const std::string& path,
                 const std::string& body, Rec want);

// For a secondary table: inserts a new chain of ancestors and returns the
// uuid of the direct parent. "" for a main table.
std::string MakeParent(HttpClient& http, const TableDesc& t);

// Inserts GenRecord(t, NextN(), parent): under `parent` if given, else
// under a new parent chain made by MakeParent.
Rec InsertGenerated(HttpClient& http, const TableDesc& t,
                    const std::string& parent = {});

// One page of a listing.
struct Page {
  std::vector<Rec> records;
  std::optional<std::string> next;  // null on the last page
  std::string error;                // non-empty: the body has the wrong shape
};
Page ParsePage(const TableDesc& t, const Response& r);

// Every page of a listing (path with its query), `limit` per page,
// following next. ok is false (and error says why) on any non-200 or shape
// error; the suites BOOST_TEST it.
struct Listing {
  bool ok = false;
  std::string error;
  std::vector<Rec> records;
  std::string plan;  // X-Query-Plan of the first page
  int pages = 0;
};
Listing ListAll(HttpClient& http, const TableDesc& t, const std::string& path,
                int limit = 1000);

// The record count of every table (Schema order), by listing each.
std::vector<std::size_t> TableCounts(HttpClient& http);

// Requires an application/problem+json answer with this status: "type",
// "title", "detail" strings and "status" equal to the HTTP status, plus
// "field" == field when field is given.
void CheckProblem(const Response& r, long status, std::string_view field = {});

// The X-Query-Plan values the contract allows for equality filters on
// `fields`: "index <i>" for the indexes whose leading key fields the filter
// covers best (UNIQUE preferred on ties); else "link <links db>" when the
// parent link is filtered; else "scan".
std::set<std::string> ExpectedPlans(const TableDesc& t,
                                    const std::set<int>& fields);

// uuid -> record, what a test believes a table holds.
using Model = std::map<std::string, Rec>;

// The uuids of `records`, for set comparisons.
std::set<std::string> Uuids(const std::vector<Rec>& records);
std::set<std::string> Uuids(const Model& model);

// Uuids of the model's records matching every filter.
std::set<std::string> Matching(const Model& model, const FieldFilter& filters);

// The first table (Schema order) with a field of `type`, and that field;
// nullptr if the schema has none.
const TableDesc* FirstTableWith(FieldType type, int* field);
// A STRING field no index covers (a filter on it is a scan), or -1.
int UnindexedStringField(const TableDesc& t);
// A main table with such a field, to pad records in (any schema: without
// one, the first main table, whose records stay unpadded); and a new
// record of t with `pad` more bytes in that field.
const TableDesc& PaddableTable();
Rec PaddedRecord(const TableDesc& t, std::size_t pad);

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_API_H_
