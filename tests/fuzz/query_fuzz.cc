// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/query_fuzz.cc - a request line's path and query string
// (src/http/router.h, query.h, params.h).
//
// The input is read as "<METHOD> <path>[?<query>]" (bytes as given, no
// other framing): MatchRoute sees the method and path, PercentDecode the
// path, ParseQuery the query, and every table's parameter parsers the
// pairs. Nothing may crash; a children route names both tables; an
// accepted find or range has a page limit in
// 1..kMaxLimit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "http/params.h"
#include "http/query.h"
#include "http/router.h"
#include "lmdbapi/schema.h"

namespace http = lmdbapi::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t space = in.find(' ');
  const std::string_view method = space == std::string_view::npos ? "GET" : in.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? in : in.substr(space + 1);
  const std::size_t q = rest.find('?');
  const std::string_view path = rest.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : rest.substr(q + 1);

  const lmdbapi::Schema& schema = lmdbapi::Schema::Compiled();
  std::string decoded;
  if (http::PercentDecode(path, false, &decoded)) {
    http::RouteMatch m = http::MatchRoute(schema, method, decoded);
    if (m.outcome == http::RouteMatch::Outcome::kMatched &&
        m.route.kind == http::RouteKind::kChildren)
      FUZZ_CHECK(m.route.table != nullptr && m.route.child != nullptr, decoded);
  }
  http::RouteMatch raw = http::MatchRoute(schema, method, path);
  (void)raw;

  std::vector<http::QueryParam> params;
  if (!http::ParseQuery(query, &params).ok()) return 0;
  for (const lmdbapi::TableDesc& t : schema.tables) {
    std::vector<lmdbapi::Filter> filters;
    lmdbapi::PageRequest page;
    if (http::ParseFindParams(params, t, 0, &filters, &page).ok())
      FUZZ_CHECK(page.limit >= 1 && page.limit <= http::kMaxLimit, std::string(query));
    http::RangeQuery range;
    if (http::ParseRangeParams(params, t, &range).ok()) {
      FUZZ_CHECK(range.field >= 0 && range.field < static_cast<int>(t.fields.size()),
                 std::string(query));
      FUZZ_CHECK(range.page.limit >= 1 && range.page.limit <= http::kMaxLimit, std::string(query));
    }
  }
  lmdbapi::PageRequest page;
  (void)http::ParsePageParams(params, &page);
  (void)http::ParseNoParams(params);
  return 0;
}
