// SPDX-License-Identifier: Apache-2.0
// tests/http/params_test.cc - src/http/params.cc: what query parameters mean.

#include <algorithm>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/base64url.h"
#include "http/params.h"
#include "lmdbapi/schema.h"

using namespace lmdbapi;
using namespace lmdbapi::http;

namespace {

std::vector<QueryParam> Q(const std::string& query) {
  std::vector<QueryParam> out;
  Status s = ParseQuery(query, &out);
  BOOST_TEST_REQUIRE(s.ok(), s.message());
  return out;
}

const TableDesc& T() { return Schema::Compiled().tables.front(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(params)

BOOST_AUTO_TEST_CASE(find_defaults_to_the_first_100) {
  std::vector<Filter> filters;
  PageRequest page;
  BOOST_TEST(ParseFindParams(Q(""), T(), 0, &filters, &page).ok());
  BOOST_TEST(filters.empty());
  BOOST_TEST(page.limit == 100u);
  BOOST_TEST(page.after.empty());
}

BOOST_AUTO_TEST_CASE(find_reads_filters_limit_and_after) {
  std::vector<Filter> filters;
  PageRequest page;
  std::string cursor;
  AppendBase64Url(std::string("\x01\x02\xff", 3), &cursor);
  const TableDesc& t = T();
  const FieldDesc& f = t.fields.back();
  std::string text = f.type == FieldType::STRING ? "abc" : FormatValue(f.default_value);
  Status s = ParseFindParams(
      Q("limit=7&after=" + cursor + "&" + f.name + "=" + text), t, 0,
      &filters, &page);
  BOOST_TEST_REQUIRE(s.ok(), s.message());
  BOOST_TEST(page.limit == 7u);
  BOOST_TEST(page.after == std::string("\x01\x02\xff", 3));
  BOOST_TEST_REQUIRE(filters.size() == 1u);
  BOOST_TEST(filters[0].field == static_cast<int>(t.fields.size() - 1));
  BOOST_TEST(FormatValue(filters[0].value) == text);
}

BOOST_AUTO_TEST_CASE(query_routes_read_order_prefix_and_range_filters) {
  const TableDesc& t = T();
  int str = -1;
  for (std::size_t i = 0; i < t.fields.size(); ++i)
    if (t.fields[i].type == FieldType::STRING && str < 0) str = static_cast<int>(i);
  BOOST_TEST_REQUIRE(str >= 0);
  const std::string name = t.fields[str].name;
  Query q;
  PageRequest page;
  Status s = ParseQueryParams(Q("order=desc&" + name + ".prefix=Ac"), t, 0,
                              QueryRoute::kFind, &q, &page);
  BOOST_TEST_REQUIRE(s.ok(), s.message());
  BOOST_TEST(q.descending);
  BOOST_TEST(q.prefix_field == str);
  BOOST_TEST(q.prefix == "Ac");
  // A range route also takes equality filters.
  s = ParseQueryParams(Q("field=" + name + "&" + name + "=x"), t, 0,
                       QueryRoute::kRange, &q, &page);
  BOOST_TEST_REQUIRE(s.ok(), s.message());
  BOOST_TEST(q.range_field == str);
  BOOST_TEST(q.filters.size() == 1u);
  // Count is find's, or range's with field=; no limit, no order.
  s = ParseQueryParams(Q(name + "=x"), t, 0, QueryRoute::kCount, &q, &page);
  BOOST_TEST(s.ok());
  BOOST_TEST(q.range_field == -1);
  struct Bad { std::string query, subject; QueryRoute route; };
  for (const Bad& b : {Bad{"order=up", "order", QueryRoute::kFind},
                       Bad{"order=asc&order=desc", "order", QueryRoute::kFind},
                       Bad{name + ".prefix=", name + ".prefix", QueryRoute::kFind},
                       Bad{name + "=a&" + name + ".prefix=b", name + ".prefix",
                           QueryRoute::kFind},
                       Bad{"limit=5", "limit", QueryRoute::kCount},
                       Bad{"order=asc", "order", QueryRoute::kCount},
                       Bad{"nope.prefix=a", "nope.prefix", QueryRoute::kFind}}) {
    s = ParseQueryParams(Q(b.query), t, 0, b.route, &q, &page);
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument && s.subject() == b.subject),
               b.query << ": " << s.message());
  }
}

BOOST_AUTO_TEST_CASE(range_reads_field_and_bounds) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (const IndexDesc& i : t.indexes) {
      if (i.kind != IndexKind::RANGE) continue;
      const FieldDesc& f = t.fields[i.key_fields.front()];
      std::string v = FormatValue(f.default_value.index() ==
                                          static_cast<std::size_t>(f.type)
                                      ? f.default_value
                                      : Value(std::int64_t{0}));
      if (f.type == FieldType::DATE) v = "2024-01-02";
      if (f.type == FieldType::TIMESTAMP) v = "2024-01-02T03:04:05Z";
      if (f.type == FieldType::INT64) v = "-5";
      RangeQuery r;
      Status s = ParseRangeParams(Q("field=" + f.name + "&to=" + v), t, &r);
      BOOST_TEST_REQUIRE(s.ok(), s.message());
      BOOST_TEST(r.field == i.key_fields.front());
      BOOST_TEST(!r.from.has_value());
      BOOST_TEST_REQUIRE(r.to.has_value());
      BOOST_TEST(FormatValue(*r.to) == v);
      s = ParseRangeParams(Q("field=" + f.name + "&from=" + v + "&from=" + v),
                           t, &r);
      BOOST_TEST(s.subject() == "from");
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unescaped_plus_in_a_timestamp_is_forgiven) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    for (const FieldDesc& f : t.fields) {
      if (f.type != FieldType::TIMESTAMP) continue;
      std::vector<Filter> filters;
      PageRequest page;
      Status s = ParseFindParams(Q(f.name + "=2024-05-01T12:00:00+02:00"), t,
                                 0, &filters, &page);
      BOOST_TEST_REQUIRE(s.ok(), s.message());
      BOOST_TEST(FormatValue(filters[0].value) == "2024-05-01T10:00:00Z");
      s = ParseFindParams(Q(f.name + "=2024-05-01 12:00:00Z"), t, 0,
                          &filters, &page);
      BOOST_TEST(s.subject() == f.name);  // a space elsewhere is no '+'
    }
  }
}

BOOST_AUTO_TEST_CASE(other_routes_take_no_parameters) {
  BOOST_TEST(ParseNoParams(Q("")).ok());
  BOOST_TEST(ParseNoParams(Q("a=1")).subject() == "a");
  PageRequest page;
  BOOST_TEST(ParsePageParams(Q("limit=3"), &page).ok());
  BOOST_TEST(page.limit == 3u);
  BOOST_TEST(ParsePageParams(Q("f=1"), &page).subject() == "f");
}


BOOST_AUTO_TEST_CASE(is_null_filters_nullable_fields_only_and_takes_only_null) {
  const TableDesc* with_null = &T();
  for (const TableDesc& candidate : Schema::Compiled().tables)
    for (const FieldDesc& f : candidate.fields)
      if (f.nullable && !with_null->fields.empty() &&
          std::none_of(with_null->fields.begin(), with_null->fields.end(),
                       [](const FieldDesc& g) { return g.nullable; }))
        with_null = &candidate;
  const TableDesc& t = *with_null;
  int nullable = -1, required = -1;
  for (int i = 0; i < static_cast<int>(t.fields.size()); ++i) {
    if (t.fields[i].nullable && nullable < 0) nullable = i;
    if (t.fields[i].required && required < 0) required = i;
  }
  BOOST_TEST_REQUIRE(nullable >= 0);
  BOOST_TEST_REQUIRE(required >= 0);
  const std::string n = t.fields[nullable].name, r = t.fields[required].name;
  std::vector<Filter> filters;
  PageRequest page;
  Status s = ParseFindParams(Q(n + ".is=null"), t, 0, &filters, &page);
  BOOST_TEST_REQUIRE(s.ok(), s.message());
  BOOST_TEST_REQUIRE(filters.size() == 1u);
  BOOST_TEST(filters[0].field == nullable);
  BOOST_TEST(IsNull(filters[0].value));
  for (const std::string& bad : {n + ".is=NULL", n + ".is=", n + ".is=x",
                                 r + ".is=null"}) {
    s = ParseFindParams(Q(bad), t, 0, &filters, &page);
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument), bad);
    BOOST_TEST(s.subject() == bad.substr(0, bad.find('=')), bad);
  }
  s = ParseFindParams(Q(n + ".is=null&" + n + "=x"), t, 0, &filters, &page);
  BOOST_TEST(!s.ok());
  if (t.fields[nullable].type == FieldType::STRING) {
    // f=null is the text "null".
    s = ParseFindParams(Q(n + "=null"), t, 0, &filters, &page);
    BOOST_TEST_REQUIRE(s.ok(), s.message());
    BOOST_TEST((filters[0].value == Value(std::string("null"))));
  }
}

BOOST_AUTO_TEST_SUITE_END()
