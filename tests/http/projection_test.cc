// SPDX-License-Identifier: Apache-2.0
// tests/http/projection_test.cc - src/http/projection.cc.
//
// Schema-generic: every table of Schema::Compiled().

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/projection.h"
#include "lmdbapi/schema.h"
#include "testutil.h"

using lmdbapi::Schema;
using lmdbapi::TableDesc;
using lmdbapi::http::FieldMask;
using lmdbapi::http::QueryParam;
using lmdbapi::http::TakeProjection;

BOOST_AUTO_TEST_SUITE(projection)

BOOST_AUTO_TEST_CASE(fields_keeps_the_named_fields_and_leaves_other_params) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    const std::string& last = t.fields.back().name;
    std::vector<QueryParam> params = {
        {"limit", "5"}, {"fields", last + ",uuid,revision"}, {"after", "x"}};
    FieldMask mask;
    REQUIRE_OK(TakeProjection(&params, t, &mask));
    BOOST_TEST(params.size() == 2u);
    BOOST_TEST(params[0].name == "limit");
    BOOST_TEST(params[1].name == "after");
    BOOST_TEST(!mask.all());
    BOOST_TEST(mask.Count(t.fields.size()) == 1u);
    BOOST_TEST(mask.Keeps(static_cast<int>(t.fields.size() - 1)));
    if (t.fields.size() > 1) BOOST_TEST(!mask.Keeps(0));
  }
}

BOOST_AUTO_TEST_CASE(no_fields_parameter_keeps_every_field) {
  const TableDesc& t = Schema::Compiled().tables.front();
  std::vector<QueryParam> params = {{"limit", "5"}};
  FieldMask mask;
  mask.keep = {true};
  REQUIRE_OK(TakeProjection(&params, t, &mask));
  BOOST_TEST(mask.all());
  BOOST_TEST(params.size() == 1u);
  BOOST_TEST(mask.Count(t.fields.size()) == t.fields.size());
}

BOOST_AUTO_TEST_CASE(bad_lists_are_400_naming_fields) {
  const TableDesc& t = Schema::Compiled().tables.front();
  const std::string f = t.fields.front().name;
  const std::vector<std::vector<QueryParam>> bad = {
      {{"fields", "no_such_field"}},
      {{"fields", ""}},
      {{"fields", f + ",,"}},
      {{"fields", "," + f}},
      {{"fields", f + "," + f}},
      {{"fields", f}, {"fields", f}},
  };
  for (std::vector<QueryParam> params : bad) {
    FieldMask mask;
    lmdbapi::Status s = TakeProjection(&params, t, &mask);
    BOOST_TEST(!s.ok(), params.front().value);
    BOOST_TEST(s.subject() == "fields");
    BOOST_TEST(s.message().starts_with("fields") == true, s.message());
  }
  std::vector<QueryParam> params = {{"fields", "no_such_field"}};
  FieldMask mask;
  lmdbapi::Status s = TakeProjection(&params, t, &mask);
  BOOST_TEST(s.message().find("no_such_field") != std::string::npos,
             s.message());
}

BOOST_AUTO_TEST_SUITE_END()
