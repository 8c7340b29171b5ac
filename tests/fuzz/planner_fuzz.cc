// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/planner_fuzz.cc - a query string through the parameter
// parsers (src/http/query.h, params.h) into the planner
// (src/store/planner.h): ChoosePlan, then the page cursor decoded for the
// walk the plan chose, as Table::Find, Range and Children do.
//
// The input is a query string ("a=1&after=AAEC..."), percent-encoded as a
// client sends it; for every table of the compiled schema it is read as a
// find, a range and a children page. Properties: a plan's index and
// residual filters are positions that exist, every filter is either covered
// by the plan or checked per record, the prefix is the covered filters'
// key bytes; the cursor passes cursor_check.h.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cursor_check.h"
#include "http/params.h"
#include "http/query.h"

namespace http = lmdbapi::http;
using lmdbapi::Filter;
using lmdbapi::Plan;
using lmdbapi::TableDesc;

namespace {

void CheckPlan(const TableDesc& t, const std::vector<Filter>& filters, const Plan& plan,
               std::string_view query) {
  const std::string q(query);
  std::vector<int> uses(filters.size(), 0);
  for (int r : plan.residual) {
    FUZZ_CHECK(r >= 0 && r < static_cast<int>(filters.size()), q);
    ++uses[r];
  }
  std::size_t consumed = 0;
  if (plan.kind == Plan::Kind::kIndex) {
    FUZZ_CHECK(plan.index >= 0 && plan.index < static_cast<int>(t.indexes.size()), q);
    const lmdbapi::IndexDesc& index = t.indexes[plan.index];
    FUZZ_CHECK(plan.covered >= 1 &&
                   plan.covered <= static_cast<int>(index.key_fields.size()), q);
    std::string prefix;
    for (int k = 0; k < plan.covered; ++k) {
      // The first filter on the key field is the one the prefix uses.
      for (std::size_t i = 0; i < filters.size(); ++i)
        if (filters[i].field == index.key_fields[k]) {
          lmdbapi::AppendFieldKeyPart(t.fields[index.key_fields[k]],
                                      filters[i].value, &prefix);
          ++uses[i];
          break;
        }
    }
    FUZZ_CHECK(prefix == plan.prefix, q);
    consumed = plan.covered;
  } else if (plan.kind == Plan::Kind::kLink) {
    FUZZ_CHECK(t.link_field >= 0, q);
    for (std::size_t i = 0; i < filters.size(); ++i)
      if (filters[i].field == t.link_field) {
        ++uses[i];
        break;
      }
    consumed = 1;
  }
  for (int n : uses) FUZZ_CHECK(n == 1, q);  // covered or residual, never both
  FUZZ_CHECK(plan.residual.size() + consumed == filters.size(), q);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view query(reinterpret_cast<const char*>(data), size);
  std::vector<http::QueryParam> params;
  if (!http::ParseQuery(query, &params).ok()) return 0;
  const lmdbapi::Schema& schema = lmdbapi::Schema::Compiled();
  for (const TableDesc& t : schema.tables) {
    std::vector<Filter> filters;
    lmdbapi::PageRequest page;
    if (http::ParseFindParams(params, t, 0, &filters, &page).ok()) {
      Plan plan = lmdbapi::ChoosePlan(t, filters);
      CheckPlan(t, filters, plan, query);
      if (!page.after.empty())
        lmdbapi::fuzz::CheckCursor(t, lmdbapi::ScopeOf(plan), page.after);
    }
    http::RangeQuery range;
    if (http::ParseRangeParams(params, t, &range).ok() && !range.page.after.empty()) {
      for (std::size_t i = 0; i < t.indexes.size(); ++i)
        if (t.indexes[i].kind == lmdbapi::IndexKind::RANGE &&
            t.indexes[i].key_fields[0] == range.field)
          lmdbapi::fuzz::CheckCursor(t, {'R', static_cast<int>(i), {}}, range.page.after);
    }
  }
  lmdbapi::PageRequest page;
  if (http::ParsePageParams(params, &page).ok() && !page.after.empty())
    for (const TableDesc& t : schema.tables)
      if (t.parent >= 0) lmdbapi::fuzz::CheckCursor(t, {'L', -1, {}}, page.after);
  return 0;
}
