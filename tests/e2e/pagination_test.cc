// SPDX-License-Identifier: Apache-2.0
// tests/e2e/pagination_test.cc - limit and after on every listing: each
// record shows up exactly once however the pages fall, on every access path
// (index, link, scan, children), and bad limits are refused.

#include <map>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

const TableDesc& FirstTable() { return TheSchema().tables.front(); }

Model InsertMany(HttpClient& http, const TableDesc& t, int n,
                 const std::string& parent = {}) {
  Model model;
  for (int i = 0; i < n; ++i) {
    Rec rec = InsertGenerated(http, t, parent);
    model[rec.uuid] = rec;
  }
  return model;
}

// The listings that take limit and after, for table t.
std::vector<std::string> ListingPaths(HttpClient& http, const TableDesc& t) {
  std::vector<std::string> out = {TablePath(t), TablePath(t) + "/get-record"};
  for (const IndexDesc& index : t.indexes)
    if (index.kind == IndexKind::RANGE)
      out.push_back(WithParam(TablePath(t) + "/range", "field",
                              t.fields[index.key_fields[0]].name));
  for (int c : t.children) {
    Rec parent = InsertGenerated(http, t);
    out.push_back(RecordPath(t, parent.uuid) + "/" + TheSchema().tables[c].name);
  }
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pagination, StackFixture)

BOOST_AUTO_TEST_CASE(pages_of_7_show_each_of_250_records_exactly_once) {
  const TableDesc& t = FirstTable();
  const Model model = InsertMany(http(), t, 250);
  std::map<std::string, int> seen;
  std::vector<std::string> order;
  std::optional<std::string> after;
  int pages = 0;
  for (;;) {
    std::string path = TablePath(t) + "?limit=7";
    if (after) path = WithParam(path, "after", *after);
    Response r = http().Get(path);
    BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
    Page page = ParsePage(t, r);
    BOOST_TEST_REQUIRE(page.error == "", page.error);
    ++pages;
    BOOST_TEST_REQUIRE(pages <= 100, "next should become null after 36 pages");
    BOOST_TEST(page.records.size() <= 7u, "page " << pages << " exceeds the limit");
    if (page.records.size() < 7)
      BOOST_TEST(!page.next.has_value(), "a short page should be the last");
    for (const Rec& rec : page.records) {
      ++seen[rec.uuid];
      order.push_back(rec.uuid);
    }
    if (!page.next) break;
    after = page.next;
  }
  BOOST_TEST(pages == 36, "250 records in pages of 7 make 36 pages");
  int duplicates = 0, missing = 0, unknown = 0;
  for (const auto& [uuid, count] : seen) {
    if (count > 1) ++duplicates;
    if (!model.count(uuid)) ++unknown;
  }
  for (const auto& [uuid, rec] : model)
    if (!seen.count(uuid)) ++missing;
  BOOST_TEST(duplicates == 0, "records seen twice");
  BOOST_TEST(missing == 0, "records never seen");
  BOOST_TEST(unknown == 0, "records never inserted");
  BOOST_TEST(std::is_sorted(order.begin(), order.end()), "pages come in uuid order");
}

BOOST_AUTO_TEST_CASE(pages_work_on_every_access_path) {
  for (const TableDesc& t : TheSchema().tables) {
    // Children under one parent, so the link path has them all.
    const std::string parent = MakeParent(http(), t);
    const Model model = InsertMany(http(), t, 30, parent);
    const Rec& sample = model.begin()->second;
    std::vector<FieldFilter> filters;
    for (const IndexDesc& index : t.indexes)  // index paths
      filters.push_back({{index.key_fields[0], sample.fields[index.key_fields[0]]}});
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
      if (ExpectedPlans(t, {f}) == std::set<std::string>{"scan"}) {
        filters.push_back({{f, sample.fields[f]}});  // a scan
        break;
      }
    if (t.link_field >= 0)  // the link path
      filters.push_back({{t.link_field, parent}});
    for (const FieldFilter& filter : filters) {
      const std::string path = TablePath(t) + "/get-record?" + FilterQuery(t, filter);
      BOOST_TEST_CONTEXT("GET " << path << " in pages of 3") {
        Listing found = ListAll(http(), t, path, 3);
        BOOST_TEST_REQUIRE(found.ok, found.error);
        BOOST_TEST(found.records.size() == Uuids(found.records).size(),
                   "no record twice");
        BOOST_TEST(Uuids(found.records) == Matching(model, filter));
      }
    }
    if (!t.is_main()) {
      const TableDesc& p = TheSchema().tables[t.parent];
      const std::string path = RecordPath(p, parent) + "/" + t.name;
      BOOST_TEST_CONTEXT("GET " << path << " in pages of 4") {
        Listing found = ListAll(http(), t, path, 4);
        BOOST_TEST_REQUIRE(found.ok, found.error);
        BOOST_TEST(found.records.size() == model.size());
        BOOST_TEST(Uuids(found.records) == Uuids(model));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(pages_stay_exact_while_records_come_and_go) {
  // Between pages another client deletes a record not yet seen and inserts
  // a new one: every record present throughout is seen exactly once, no
  // deleted record after its deletion.
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      const std::string parent = MakeParent(http(), t);
      Model model = InsertMany(http(), t, 60, parent);
      std::vector<std::string> paths = {TablePath(t)};
      for (const IndexDesc& index : t.indexes)
        if (index.kind == IndexKind::RANGE)
          paths.push_back(WithParam(TablePath(t) + "/range", "field",
                                    t.fields[index.key_fields[0]].name));
      if (!t.is_main())
        paths.push_back(RecordPath(TheSchema().tables[t.parent], parent) + "/" + t.name);
      for (const std::string& base : paths) {
        BOOST_TEST_CONTEXT("GET " << base) {
          std::map<std::string, int> seen;
          std::set<std::string> deleted;
          const std::set<std::string> at_start = Uuids(model);
          std::optional<std::string> after;
          for (int pages = 0; pages < 100; ++pages) {
            std::string path = WithParam(base, "limit", "7");
            if (after) path = WithParam(path, "after", *after);
            Response r = http().Get(path);
            BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
            Page page = ParsePage(t, r);
            BOOST_TEST_REQUIRE(page.error == "", page.error);
            for (const Rec& rec : page.records) {
              ++seen[rec.uuid];
              BOOST_TEST(deleted.count(rec.uuid) == 0u, "a deleted record showed up: " << rec.uuid);
            }
            if (!page.next) break;
            after = page.next;
            // Someone else writes: the last unseen record goes, one comes.
            for (auto it = model.rbegin(); it != model.rend(); ++it) {
              if (seen.count(it->first)) continue;
              const std::string victim = it->first;
              BOOST_TEST_REQUIRE(http().Delete(RecordPath(t, victim)).status == 204);
              deleted.insert(victim);
              model.erase(victim);
              break;
            }
            Rec fresh = InsertGenerated(http(), t, parent);
            model[fresh.uuid] = fresh;
          }
          for (const std::string& uuid : at_start) {
            if (deleted.count(uuid)) continue;
            BOOST_TEST(seen[uuid] == 1, uuid << " was present throughout; seen " << seen[uuid]
                                              << " times");
          }
          for (const auto& [uuid, n] : seen) BOOST_TEST(n == 1, uuid << " seen " << n << " times");
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(limit_defaults_to_100_and_goes_up_to_1000) {
  const TableDesc& t = FirstTable();
  const Model model = InsertMany(http(), t, 150);
  for (const std::string& path : {TablePath(t), TablePath(t) + "/get-record"}) {
    BOOST_TEST_CONTEXT("GET " << path) {
      Response r = http().Get(path);
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      Page page = ParsePage(t, r);
      BOOST_TEST(page.records.size() == 100u, "the default limit is 100");
      BOOST_TEST(page.next.has_value(), "150 records do not fit one page of 100");
    }
  }
  Response r = http().Get(TablePath(t) + "?limit=1000");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  Page page = ParsePage(t, r);
  BOOST_TEST(page.records.size() == 150u);
  BOOST_TEST(!page.next.has_value());
  r = http().Get(TablePath(t) + "?limit=1");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(ParsePage(t, r).records.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_page_of_megabytes_arrives_whole) {
  // nginx buffers a large FastCGI answer through its temp files.
  const TableDesc& t = FirstTable();
  const int f = UnindexedStringField(t);
  if (f < 0) {
    BOOST_TEST_MESSAGE("no unindexed STRING field in " << t.name);
    return;
  }
  Model model;
  for (int i = 0; i < 300; ++i) {
    Rec rec = GenRecord(t, NextN());
    rec.fields[f] = std::string(10000, static_cast<char>('a' + i % 26));
    rec = InsertOk(http(), t, rec);
    model[rec.uuid] = rec;
  }
  Response r = http().Get(TablePath(t) + "?limit=1000");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.body.size() > 3000000u, "about 3 MB expected; got " << r.body.size());
  Page page = ParsePage(t, r);
  BOOST_TEST_REQUIRE(page.error == "", page.error);
  BOOST_TEST(page.records.size() == 300u);
  std::size_t differ = 0;
  for (const Rec& got : page.records)
    if (!model.count(got.uuid) || Mismatch(t, model.at(got.uuid), got) != "") ++differ;
  BOOST_TEST(differ == 0u, differ << " records came back different");
}

BOOST_AUTO_TEST_CASE(a_limit_outside_1_to_1000_is_a_400_problem) {
  for (const TableDesc& t : TheSchema().tables) {
    for (const std::string& path : ListingPaths(http(), t)) {
      for (const char* limit :
           {"0", "1001", "abc", "-1", "1.5", "99999999999999999999999"}) {
        BOOST_TEST_CONTEXT("GET " << path << " limit=\"" << limit << "\"") {
          CheckProblem(http().Get(WithParam(path, "limit", limit)), 400);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_garbage_after_cursor_is_refused_not_a_server_error) {
  const TableDesc& t = FirstTable();
  InsertMany(http(), t, 3);
  for (const char* after : {"!!!", "AAAA", "%%", "\xff\xfe", "zzzzzzzzzzzzzzzzzzzzzzzz",
                            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    for (const std::string& path : ListingPaths(http(), t)) {
      BOOST_TEST_CONTEXT("GET " << path << " after=\"" << after << "\"") {
        Response r = http().Get(WithParam(path, "after", after));
        BOOST_TEST((r.status == 200 || r.status == 400),
                   "a bad cursor is a 400 (or names a valid position): " << r.Describe());
        if (r.status == 400) CheckProblem(r, 400);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
