// SPDX-License-Identifier: Apache-2.0
// tests/e2e/queries_test.cc - issue 13's queries through nginx, on any
// schema: a range with equality filters through a composite index,
// order=desc and its cursors, GET /api/t/count and its plans, prefixes,
// and MAX_EXAMINED's bounded pages that still return every match once.

#include <algorithm>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

// A main table with a MULTI index (STRING field, then DATE/TIMESTAMP/INT64
// field): the composite a range with an equality filter walks.
struct Composite {
  const TableDesc* table = nullptr;
  const IndexDesc* index = nullptr;
  int eq = -1, ranged = -1;
};

Composite FindComposite() {
  for (const TableDesc& t : TheSchema().tables) {
    if (!t.is_main()) continue;
    for (const IndexDesc& i : t.indexes) {
      if (i.key_fields.size() != 2) continue;
      FieldType a = t.fields[i.key_fields[0]].type;
      FieldType b = t.fields[i.key_fields[1]].type;
      if (a == FieldType::STRING &&
          (b == FieldType::DATE || b == FieldType::TIMESTAMP ||
           b == FieldType::INT64))
        return {&t, &i, i.key_fields[0], i.key_fields[1]};
    }
  }
  return {};
}

Model Fill(HttpClient& http, const TableDesc& t, int n) {
  Model model;
  for (int i = 0; i < n; ++i) {
    Rec r = InsertGenerated(http, t);
    model[r.uuid] = r;
  }
  return model;
}

std::vector<std::string> UuidsInOrder(const Listing& l) {
  std::vector<std::string> out;
  for (const Rec& r : l.records) out.push_back(r.uuid);
  return out;
}

struct CountAnswer {
  long status = 0;
  std::uint64_t count = 0;
  std::string next, plan;
};

CountAnswer Count(HttpClient& http, const std::string& path) {
  Response r = http.Get(path);
  CountAnswer out;
  out.status = r.status;
  out.plan = r.Header("X-Query-Plan");
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (r.status != 200 || d.HasParseError() || !d.IsObject() ||
      !d.HasMember("count") || !d["count"].IsUint64() || !d.HasMember("next"))
    return out;
  out.count = d["count"].GetUint64();
  if (d["next"].IsString()) out.next = d["next"].GetString();
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(queries, StackFixture)

BOOST_AUTO_TEST_CASE(a_range_with_an_equality_filter_walks_the_composite_index) {
  Composite c = FindComposite();
  BOOST_TEST_REQUIRE(c.table != nullptr, "each schema has such an index");
  const TableDesc& t = *c.table;
  Model model = Fill(http(), t, 30);
  const Rec& some = model.begin()->second;
  const FieldType type = t.fields[c.ranged].type;
  const Val eq = some.fields[c.eq];
  std::string path = WithParam(TablePath(t) + "/range", "field",
                               t.fields[c.ranged].name);
  path = WithParam(path, t.fields[c.eq].name, QueryText(FieldType::STRING, eq));
  Listing asc = ListAll(http(), t, path, 4);
  BOOST_TEST_REQUIRE(asc.ok, asc.error);
  BOOST_TEST(asc.plan == "index " + c.index->name);
  std::vector<const Rec*> want;
  for (const auto& [u, r] : model)
    if (ValEqual(r.fields[c.eq], eq)) want.push_back(&r);
  std::sort(want.begin(), want.end(), [&](const Rec* a, const Rec* b) {
    if (ValLess(type, a->fields[c.ranged], b->fields[c.ranged])) return true;
    if (ValLess(type, b->fields[c.ranged], a->fields[c.ranged])) return false;
    return a->uuid < b->uuid;
  });
  std::vector<std::string> want_uuids;
  for (const Rec* r : want) want_uuids.push_back(r->uuid);
  BOOST_TEST(UuidsInOrder(asc) == want_uuids, boost::test_tools::per_element());

  // Descending: the same records backwards, in pages of 3.
  Listing desc = ListAll(http(), t, WithParam(path, "order", "desc"), 3);
  BOOST_TEST_REQUIRE(desc.ok, desc.error);
  BOOST_TEST(desc.plan == "index " + c.index->name + " desc");
  std::reverse(want_uuids.begin(), want_uuids.end());
  BOOST_TEST(UuidsInOrder(desc) == want_uuids, boost::test_tools::per_element());

  // The count: the index covers both conditions, so keys only.
  std::string count_path = TablePath(t) + "/count" + path.substr(path.find('?'));
  CountAnswer n = Count(http(), count_path);
  BOOST_TEST(n.status == 200);
  BOOST_TEST(n.count == want_uuids.size());
  BOOST_TEST(n.plan == "index " + c.index->name + " keys");
}

BOOST_AUTO_TEST_CASE(a_cursor_only_continues_its_own_order_and_query) {
  const TableDesc& t = TheSchema().tables.front();
  Fill(http(), t, 5);
  Response first = http().Get(TablePath(t) + "?limit=2&order=desc");
  BOOST_TEST_REQUIRE(first.status == 200, first.Describe());
  BOOST_TEST(first.Header("X-Query-Plan") == "scan desc");
  Page p = ParsePage(t, first);
  BOOST_TEST_REQUIRE(p.next.has_value());
  Response wrong = http().Get(TablePath(t) + "?limit=2&order=asc&after=" + *p.next);
  CheckProblem(wrong, 400, "after");
  BOOST_TEST(wrong.body.find("order=desc") != std::string::npos, wrong.body);
  Response bad_order = http().Get(TablePath(t) + "?order=sideways");
  CheckProblem(bad_order, 400, "order");
}

BOOST_AUTO_TEST_CASE(counts_answer_from_entries_keys_or_records) {
  const TableDesc& t = TheSchema().tables.front();
  Model model = Fill(http(), t, 12);
  std::size_t total = TableCounts(http())[t.position];
  CountAnswer all = Count(http(), TablePath(t) + "/count");
  BOOST_TEST(all.status == 200);
  BOOST_TEST(all.count == total);
  BOOST_TEST(all.plan == "entries");
  // An exact full key of a non-unique index: one mdb_cursor_count.
  for (const IndexDesc& index : t.indexes) {
    if (index.kind == IndexKind::UNIQUE) continue;
    const Rec& r = model.begin()->second;
    FieldFilter filters;
    for (int k : index.key_fields) filters.push_back({k, r.fields[k]});
    std::string q = FilterQuery(t, filters);
    CountAnswer n = Count(http(), TablePath(t) + "/count?" + q);
    Listing l = ListAll(http(), t, TablePath(t) + "?" + q);
    BOOST_TEST_REQUIRE(l.ok, l.error);
    BOOST_TEST(n.count == l.records.size(), index.name);
    BOOST_TEST(n.plan.ends_with(" keys"), n.plan);
  }
  CheckProblem(http().Get(TablePath(t) + "/count?limit=3"), 400, "limit");
  CheckProblem(http().Get(TablePath(t) + "/count?order=desc"), 400, "order");
}

BOOST_AUTO_TEST_CASE(a_prefix_walks_the_index_its_field_leads) {
  bool tried = false;
  for (const TableDesc& t : TheSchema().tables) {
    if (!t.is_main()) continue;
    int field = -1;
    for (const IndexDesc& i : t.indexes)
      if (t.fields[i.key_fields[0]].type == FieldType::STRING && field < 0)
        field = i.key_fields[0];
    if (field < 0) continue;
    tried = true;
    Model model = Fill(http(), t, 10);
    const std::string value = std::get<std::string>(model.begin()->second.fields[field]);
    const std::string prefix = value.substr(0, value.size() / 2 + 1);
    Listing l = ListAll(http(), t,
                        WithParam(TablePath(t) + "/get-record",
                                  t.fields[field].name + ".prefix", prefix), 3);
    BOOST_TEST_REQUIRE(l.ok, l.error);
    BOOST_TEST(l.plan.starts_with("index "), l.plan);
    std::set<std::string> want;
    for (const auto& [u, r] : model)
      if (std::get<std::string>(r.fields[field]).starts_with(prefix)) want.insert(u);
    BOOST_TEST(Uuids(l.records) == want);
    CountAnswer n = Count(http(), WithParam(TablePath(t) + "/count",
                                            t.fields[field].name + ".prefix", prefix));
    BOOST_TEST(n.count == want.size());
    // A field no index leads: 400 naming the parameter.
    int plain = UnindexedStringField(t);
    if (plain >= 0)
      CheckProblem(http().Get(WithParam(TablePath(t), t.fields[plain].name + ".prefix", "a")),
                   400, t.fields[plain].name + ".prefix");
    break;
  }
  BOOST_TEST(tried);
}

BOOST_AUTO_TEST_CASE(the_seed_query_on_county_uses_an_index) {
  const TableDesc* permits = TheSchema().FindTable("permits");
  if (permits == nullptr || permits->FieldIndex("county") < 0) return;  // other schemas
  Response r = http().Get("/api/permits/get-record?county=NY");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.Header("X-Query-Plan").starts_with("index "), r.Header("X-Query-Plan"));
}

BOOST_AUTO_TEST_SUITE_END()

// A worker with a tiny MAX_EXAMINED: a scan reads at most 3 records per
// request, and following next still yields every match exactly once.
BOOST_AUTO_TEST_CASE(max_examined_bounds_each_page_and_next_finds_every_match) {
  Stack stack;
  StackOptions options;
  options.worker_env.push_back("MAX_EXAMINED=3");
  stack.Start(options);
  HttpClient& http = stack.client();
  const TableDesc& t = PaddableTable();
  const int field = UnindexedStringField(t);
  BOOST_TEST_REQUIRE(field >= 0);
  Model model;
  for (int i = 0; i < 14; ++i) {
    Rec r = InsertGenerated(http, t);
    model[r.uuid] = r;
  }
  const Val v = model.begin()->second.fields[field];
  std::string path = WithParam(TablePath(t), t.fields[field].name,
                               QueryText(FieldType::STRING, v));
  std::vector<std::string> got;
  int pages = 0, empty_with_next = 0;
  std::string next;
  for (;; ++pages) {
    BOOST_TEST_REQUIRE(pages < 100);
    Response r = http.Get(next.empty() ? path : WithParam(path, "after", next));
    BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
    BOOST_TEST(r.Header("X-Query-Plan") == "scan");
    BOOST_TEST(std::stoi(r.Header("X-Examined")) <= 3);
    Page p = ParsePage(t, r);
    for (const Rec& rec : p.records) got.push_back(rec.uuid);
    if (p.records.empty() && p.next) ++empty_with_next;
    if (!p.next) break;
    next = *p.next;
  }
  std::set<std::string> want = Matching(model, {{field, v}});
  BOOST_TEST(got.size() == want.size(), "no duplicates");
  BOOST_TEST(std::set<std::string>(got.begin(), got.end()) == want);
  BOOST_TEST(pages >= 4);
  // The count continues the same way; its parts add up.
  std::uint64_t total = 0;
  std::string cpath = TablePath(t) + "/count" + path.substr(path.find('?'));
  std::string after;
  for (int i = 0; i < 100; ++i) {
    CountAnswer c = Count(http, after.empty() ? cpath : WithParam(cpath, "after", after));
    BOOST_TEST_REQUIRE(c.status == 200);
    total += c.count;
    if (c.next.empty()) break;
    after = c.next;
  }
  BOOST_TEST(total == want.size());
  Response metrics = http.Get("/api/metrics");
  BOOST_TEST(metrics.body.find("lmdbapi_query_records_examined_total") !=
             std::string::npos);
}

}  // namespace lmdbapi::e2e
