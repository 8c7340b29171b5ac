// SPDX-License-Identifier: Apache-2.0
// tests/e2e/permits/readme_walkthrough_test.cc - the README's example,
// request by request, against schema/permits.def: what a new user types
// first must work exactly as documented. Builds only with that schema.

#include <boost/test/unit_test.hpp>

#include "../api.h"
#include "../harness.h"

namespace lmdbapi::e2e {
namespace {

const TableDesc& Permits() { return *TheSchema().FindTable("permits"); }

rapidjson::Document Json(const Response& r) {
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST_REQUIRE(!d.HasParseError(), "not JSON: " << r.Describe());
  return d;
}

std::string Str(const rapidjson::Value& v, const char* member) {
  const rapidjson::Value* m = JsonMember(v, member);
  return m != nullptr && m->IsString() ? m->GetString() : "<absent>";
}

std::set<std::string> PermitNumbers(const Listing& l) {
  std::set<std::string> out;
  const int f = Permits().FieldIndex("permit_number");
  for (const Rec& r : l.records) out.insert(std::get<std::string>(r.fields[f]));
  return out;
}

std::string Post(HttpClient& http, const std::string& path, const std::string& body) {
  Response r = http.Post(path, body);
  BOOST_TEST_REQUIRE(r.status == 201, "POST " << path << " " << body << ": " << r.Describe());
  return Str(Json(r), "uuid");
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(readme_walkthrough, StackFixture)

BOOST_AUTO_TEST_CASE(the_readme_example_works_as_written) {
  // 1. Insert.
  Response r = http().Post("/api/permits/insert-record", R"({"permit_number": "P-1001",
      "client": "Acme", "county": "NY", "county_status": "Active",
      "issued_on": "2024-05-01"})");
  BOOST_TEST_REQUIRE(r.status == 201, r.Describe());
  rapidjson::Document d = Json(r);
  const std::string uuid = Str(d, "uuid");
  BOOST_TEST(IsUuidV7(uuid), uuid);
  BOOST_TEST(r.Header("Location") == "/api/permits/" + uuid);
  BOOST_TEST(d["revision"].GetInt64() == 1);
  BOOST_TEST(Str(d, "permit_number") == "P-1001");
  BOOST_TEST(Str(d, "issued_on") == "2024-05-01");
  // Left out, the nullable fields read null, and the member is kept.
  BOOST_TEST((d.HasMember("fee_cents") && d["fee_cents"].IsNull()),
             "fee_cents left out reads null");
  BOOST_TEST((d.HasMember("notes") && d["notes"].IsNull()),
             "notes left out reads null");

  // 2. Find it by client and county: the composite index serves it.
  r = http().Get("/api/permits/get-record?client=Acme&county=NY");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.Header("X-Query-Plan") == "index main_composite");
  Page page = ParsePage(Permits(), r);
  BOOST_TEST_REQUIRE(page.records.size() == 1u, r.Describe());
  BOOST_TEST(page.records[0].uuid == uuid);
  BOOST_TEST(!page.next.has_value());
  r = http().Get("/api/permits?permit_number=P-1001");
  BOOST_TEST(r.Header("X-Query-Plan") == "index by_permit_number");
  BOOST_TEST(ParsePage(Permits(), r).records.size() == 1u, r.Describe());

  // 3. Update: close it.
  r = http().Put("/api/permits/update/" + uuid, R"({"permit_number": "P-1001",
      "client": "Acme", "county": "NY", "county_status": "Closed",
      "issued_on": "2024-05-01"})");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  d = Json(r);
  BOOST_TEST(d["revision"].GetInt64() == 2);
  BOOST_TEST(Str(d, "county_status") == "Closed");
  r = http().Get("/api/permits/get-record?client=Acme&county=NY&county_status=Active");
  BOOST_TEST(ParsePage(Permits(), r).records.empty(), "no longer Active: " << r.Describe());
  r = http().Get("/api/permits/get-record?client=Acme&county=NY&county_status=Closed");
  BOOST_TEST(ParsePage(Permits(), r).records.size() == 1u, r.Describe());

  // 3b. Patch two fields; the others keep their values.
  r = http().Request("PATCH", "/api/permits/" + uuid,
                     R"({"county_status": "Active", "notes": "re-opened"})",
                     {{"Content-Type", "application/merge-patch+json"}});
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.Header("ETag") == "\"3\"");
  d = Json(r);
  BOOST_TEST(d["revision"].GetInt64() == 3);
  BOOST_TEST(Str(d, "county_status") == "Active");
  BOOST_TEST(Str(d, "notes") == "re-opened");
  BOOST_TEST(Str(d, "issued_on") == "2024-05-01");

  // 3c. Unchanged since revision 3: 304, no body.
  r = http().Request("GET", "/api/permits/" + uuid, {}, {{"If-None-Match", "\"3\""}});
  BOOST_TEST(r.status == 304, r.Describe());
  BOOST_TEST(r.Header("ETag") == "\"3\"");
  BOOST_TEST(r.body.empty());

  // 3d. A write conditional on revision 2 is too late: 412, nothing written.
  r = http().Request("PATCH", "/api/permits/" + uuid, R"({"fee_cents": null})",
                     {{"Content-Type", "application/merge-patch+json"}, {"If-Match", "\"2\""}});
  CheckProblem(r, 412, "If-Match");
  BOOST_TEST(Str(Json(r), "type") == "urn:lmdb-api:problem:precondition-failed");
  BOOST_TEST(http().Get("/api/permits/" + uuid).Header("ETag") == "\"3\"");

  // 4. More permits, listed in pages.
  const char* const days[] = {"2023-12-31", "2024-01-01", "2024-03-15", "2024-12-31",
                              "2025-01-01", "2024-07-04", "2024-05-01"};
  for (int i = 0; i < 7; ++i) {
    Post(http(), "/api/permits",
         std::string(R"({"permit_number": "P-10)") + std::to_string(10 + i) +
             R"(", "client": "Bolt", "county": "NJ", "county_status": "Active", "issued_on": ")" +
             days[i] + R"(", "fee_cents": 12500, "notes": "batch"})");
  }
  Listing all = ListAll(http(), Permits(), "/api/permits", 3);
  BOOST_TEST_REQUIRE(all.ok, all.error);
  BOOST_TEST(all.pages == 3, "8 permits in pages of 3");
  BOOST_TEST(all.records.size() == 8u);

  // 5. Range over issue dates: 2024 only, in date order.
  Listing year = ListAll(http(), Permits(),
                         "/api/permits/range?field=issued_on&from=2024-01-01&to=2024-12-31");
  BOOST_TEST_REQUIRE(year.ok, year.error);
  BOOST_TEST((PermitNumbers(year) ==
              std::set<std::string>{"P-1001", "P-1011", "P-1012", "P-1013", "P-1015", "P-1016"}));
  const int issued_on = Permits().FieldIndex("issued_on");
  for (std::size_t i = 1; i < year.records.size(); ++i)
    BOOST_TEST(std::get<std::string>(year.records[i - 1].fields[issued_on]) <=
               std::get<std::string>(year.records[i].fields[issued_on]));

  // 6. Delete it.
  r = http().Delete("/api/permits/delete/" + uuid);
  BOOST_TEST(r.status == 204, r.Describe());
  CheckProblem(http().Get("/api/permits/" + uuid), 404);
  r = http().Get("/api/permits/get-record?client=Acme");
  BOOST_TEST(ParsePage(Permits(), r).records.empty(), r.Describe());
}

BOOST_AUTO_TEST_CASE(a_permits_review_steps_and_inspections_go_with_it) {
  const TableDesc& steps = *TheSchema().FindTable("processing_status");
  const TableDesc& inspections = *TheSchema().FindTable("inspection_reports");
  const std::string permit = Post(http(), "/api/permits", R"({"permit_number": "P-2001",
      "client": "Acme", "county": "NY", "county_status": "Pending",
      "issued_on": "2024-05-01"})");
  const std::string other = Post(http(), "/api/permits", R"({"permit_number": "P-2002",
      "client": "Acme", "county": "NY", "county_status": "Pending",
      "issued_on": "2024-05-02"})");

  Response r = http().Post("/api/processing_status",
                           R"({"permit_uuid": ")" + permit +
                               R"(", "stage": "received", "updated_at": "2024-05-02T09:00:00Z"})");
  BOOST_TEST_REQUIRE(r.status == 201, r.Describe());
  {
    rapidjson::Document step = Json(r);
    BOOST_TEST((step.HasMember("note") && step["note"].IsNull()),
               "note left out reads null");
  }
  r = http().Post("/api/processing_status",
                  R"({"permit_uuid": ")" + permit +
                      R"(", "stage": "approved", "updated_at": "2024-05-10T15:30:00+02:00"})");
  BOOST_TEST_REQUIRE(r.status == 201, r.Describe());
  BOOST_TEST(Str(Json(r), "updated_at") == "2024-05-10T13:30:00Z", "shown in UTC");
  const std::string inspection = Post(
      http(), "/api/inspection_reports",
      R"({"permit_uuid": ")" + permit +
          R"(", "inspector": "Kim", "passed": true, "inspected_on": "2024-06-01"})");
  Post(http(), "/api/inspection_reports",
       R"({"permit_uuid": ")" + other +
           R"(", "inspector": "Lee", "passed": false, "inspected_on": "2024-06-03"})");

  Listing mine = ListAll(http(), steps, "/api/permits/" + permit + "/processing_status");
  BOOST_TEST_REQUIRE(mine.ok, mine.error);
  BOOST_TEST(mine.records.size() == 2u);
  Listing seen = ListAll(http(), inspections, "/api/permits/" + permit + "/inspection_reports");
  BOOST_TEST_REQUIRE(seen.ok, seen.error);
  BOOST_TEST_REQUIRE(seen.records.size() == 1u);
  BOOST_TEST(seen.records[0].uuid == inspection);
  Listing june = ListAll(http(), inspections,
                         "/api/inspection_reports/range?field=inspected_on&from=2024-06-01&to=2024-06-30");
  BOOST_TEST(june.records.size() == 2u, june.error);
  r = http().Get("/api/inspection_reports?passed=false");
  BOOST_TEST(ParsePage(inspections, r).records.size() == 1u, r.Describe());

  // Deleting the permit deletes its steps and inspections, not the other's.
  BOOST_TEST_REQUIRE(http().Delete("/api/permits/" + permit).status == 204);
  CheckProblem(http().Get("/api/inspection_reports/" + inspection), 404);
  for (const Rec& step : mine.records)
    CheckProblem(http().Get("/api/processing_status/" + step.uuid), 404);
  CheckProblem(http().Get("/api/permits/" + permit + "/processing_status"), 404);
  CheckProblem(http().Get("/api/permits/" + permit + "/inspection_reports"), 404);
  r = http().Get("/api/processing_status?permit_uuid=" + permit);
  BOOST_TEST(ParsePage(steps, r).records.empty(), r.Describe());
  Listing rest = ListAll(http(), inspections, "/api/inspection_reports");
  BOOST_TEST(rest.records.size() == 1u, "the other permit keeps its inspection");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
