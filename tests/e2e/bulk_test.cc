// SPDX-License-Identifier: Apache-2.0
// tests/e2e/bulk_test.cc - POST /api/T/bulk through nginx: a load is
// stored whole or not at all (a malformed NDJSON line in the middle, a bad
// field in an array, a child without its parent), bodies past nginx's 1 MiB
// limit for single records get through, msgpack bodies load, and 100,000
// small records go in one request.
//
// Schema-agnostic: every table of the schema, records from record_gen.h.

#include <set>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "msgpack.h"

namespace lmdbapi::e2e {
namespace {

std::string BulkPath(const TableDesc& t) { return TablePath(t) + "/bulk"; }

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

// The uuids of a 200 answer, in order.
std::vector<std::string> UuidsOf(const Response& r) {
  std::vector<std::string> out;
  rapidjson::Document d = ParseJson(r.body);
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("uuids")) return out;
  for (const auto& u : d["uuids"].GetArray()) out.push_back(u.GetString());
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(bulk_load, StackFixture)

BOOST_AUTO_TEST_CASE(a_load_is_stored_whole_in_every_format) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      const std::string parent = MakeParent(http(), t);
      std::vector<Rec> recs;
      std::string array = "[", ndjson, packed;
      for (int i = 0; i < 30; ++i) {
        recs.push_back(GenRecord(t, NextN(), parent));
        const Rec& rec = recs.back();
        if (i < 10) array += (i ? "," : "") + BodyJson(t, rec);
        else if (i < 20) ndjson += BodyJson(t, rec) + "\n";
        else packed += PackRecord(t, rec);
      }
      array += "]";
      std::vector<std::string> uuids;
      for (auto [body, type] :
           {std::pair{array, "application/json"},
            std::pair{ndjson, "application/x-ndjson"},
            std::pair{packed, "application/msgpack"}}) {
        Response r = http().Request("POST", BulkPath(t), body,
                                    {{"Content-Type", type}});
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        std::vector<std::string> got = UuidsOf(r);
        BOOST_TEST(got.size() == 10u);
        uuids.insert(uuids.end(), got.begin(), got.end());
      }
      BOOST_TEST_REQUIRE(uuids.size() == recs.size());
      for (std::size_t i = 0; i < recs.size(); ++i) {
        Response r = http().Get(RecordPath(t, uuids[i]));
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        BOOST_TEST(Mismatch(t, recs[i], ParseJson(r.body)) == "");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_malformed_ndjson_line_in_the_middle_writes_nothing) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      const std::string parent = MakeParent(http(), t);
      const std::vector<std::size_t> before = TableCounts(http());
      std::string body;
      for (int i = 0; i < 20; ++i) {
        body += i == 10 ? std::string("{\"truncated\": ")
                        : BodyJson(t, GenRecord(t, NextN(), parent));
        body += "\n";
      }
      Response r = http().Request("POST", BulkPath(t), body, kNdjson);
      CheckProblem(r, 400);
      BOOST_TEST(r.body.find("line 11: ") != std::string::npos, r.Describe());
      BOOST_TEST((TableCounts(http()) == before));
      // A bad field in an array names the index and the field.
      Rec bad = GenRecord(t, NextN(), parent);
      std::string array = "[" + BodyJson(t, GenRecord(t, NextN(), parent)) +
                          "," + BodyJson(t, bad, {}, {{0, "[1]"}}) + "]";
      r = http().Request("POST", BulkPath(t), array);
      CheckProblem(r, 400, t.fields[0].name);
      BOOST_TEST(r.body.find("index 1: ") != std::string::npos, r.Describe());
      BOOST_TEST((TableCounts(http()) == before));
      // A child whose parent is gone: 422 for the load, nothing written.
      if (t.link_field >= 0) {
        Rec orphan = GenRecord(t, NextN(), "01900000-0000-7000-8000-000000000000");
        array = "[" + BodyJson(t, GenRecord(t, NextN(), parent)) + "," +
                BodyJson(t, orphan) + "]";
        r = http().Request("POST", BulkPath(t), array);
        CheckProblem(r, 422);
        BOOST_TEST((TableCounts(http()) == before));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(bodies_over_a_mebibyte_pass_nginx_on_the_bulk_route) {
  const TableDesc& t = TheSchema().tables.front();
  const std::string parent = MakeParent(http(), t);
  std::string body;
  int n = 0;
  while (body.size() < (std::size_t{3} << 20)) {
    body += BodyJson(t, GenRecord(t, NextN(), parent)) + "\n";
    ++n;
  }
  Response r = http().Request("POST", BulkPath(t) + "?return=count", body,
                              kNdjson);
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.body == "{\"count\":" + std::to_string(n) + "}");
  // The same body to a single-record route is still refused by nginx.
  r = http().Post(TablePath(t), body);
  BOOST_TEST(r.status == 413, r.Describe());
}

BOOST_AUTO_TEST_SUITE_END()

// 100,000 records in one request: a test of its own (it takes seconds).
BOOST_FIXTURE_TEST_SUITE(bulk_load_100k, StackFixture)

BOOST_AUTO_TEST_CASE(a_hundred_thousand_records_load_in_one_request) {
  const TableDesc& t = TheSchema().tables.front();
  const std::string parent = MakeParent(http(), t);
  constexpr int kRecords = 100000;
  std::string body;
  std::vector<Rec> sample;
  for (int i = 0; i < kRecords; ++i) {
    Rec rec = GenRecord(t, NextN(), parent);
    body += BodyJson(t, rec);
    body += '\n';
    if (i % 25000 == 0 || i == kRecords - 1) sample.push_back(std::move(rec));
  }
  BOOST_TEST_MESSAGE("bulk body: " << body.size() << " bytes");
  HttpClient slow(stack.port(), 120000);
  Response r = slow.Request("POST", BulkPath(t), body, kNdjson);
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe().substr(0, 2000));
  std::vector<std::string> uuids = UuidsOf(r);
  BOOST_TEST_REQUIRE(uuids.size() == static_cast<std::size_t>(kRecords));
  BOOST_TEST(std::set<std::string>(uuids.begin(), uuids.end()).size() ==
             uuids.size());
  const int picks[] = {0, 25000, 50000, 75000, kRecords - 1};
  for (std::size_t i = 0; i < sample.size(); ++i) {
    Response g = http().Get(RecordPath(t, uuids[picks[i]]));
    BOOST_TEST_REQUIRE(g.status == 200, g.Describe());
    BOOST_TEST(Mismatch(t, sample[i], ParseJson(g.body)) == "");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
