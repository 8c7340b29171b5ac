// SPDX-License-Identifier: Apache-2.0
// tests/permits/records_test.cc - the generated structs of the default
// schema (include/lmdbapi/records.h), used the way a C++ caller would.

#include "lmdbapi/records.h"

#include <boost/test/unit_test.hpp>

#include "lmdbapi/table.h"
#include "testutil.h"

using namespace lmdbapi;

BOOST_AUTO_TEST_SUITE(permits_records)

BOOST_AUTO_TEST_CASE(structs_carry_nulls_and_round_trip_through_a_table) {
  permits_record p;
  // OPTIONAL_FIELD members are std::optional, empty (null) until set.
  BOOST_TEST(!p.fee_cents.has_value());
  BOOST_TEST(!p.notes.has_value());
  p.notes = "";
  p.permit_number = "P-1001";
  p.client = "Acme";
  p.county = "NY";
  p.county_status = "Active";
  p.issued_on = ParseDate("2024-05-01").value();

  testutil::TempEnv env;
  const Schema& s = env.env().schema();
  Table permits(env.env(), *s.FindTable("permits"));
  Record r = ToRecord(p);
  REQUIRE_OK(permits.Insert(&r));

  auto page = permits.Find({{s.FindTable("permits")->FieldIndex("client"), std::string("Acme")},
                            {s.FindTable("permits")->FieldIndex("county"), std::string("NY")}},
                           {});
  REQUIRE_OK(page);
  BOOST_TEST(page->plan == "index main_composite");
  BOOST_TEST_REQUIRE(page->records.size() == 1u);
  permits_record back;
  FromRecord(page->records[0], &back);
  BOOST_TEST(back.permit_number == "P-1001");
  BOOST_TEST(FormatDate(back.issued_on) == "2024-05-01");
  BOOST_TEST(back.revision == 1u);
  BOOST_TEST(!back.fee_cents.has_value());  // null stays null
  BOOST_TEST_REQUIRE(back.notes.has_value());
  BOOST_TEST(back.notes->empty());          // "" stays "", not null

  processing_status_record step;
  step.permit_uuid = back.uuid;
  step.stage = "review";
  step.updated_at = ParseTimestamp("2024-05-02T09:30:00Z").value();
  Record sr = ToRecord(step);
  REQUIRE_OK(Table(env.env(), *s.FindTable("processing_status")).Insert(&sr));
  REQUIRE_OK(permits.Remove(back.uuid));
  BOOST_TEST(Table(env.env(), *s.FindTable("processing_status")).Count().value() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
