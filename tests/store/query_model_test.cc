// SPDX-License-Identifier: Apache-2.0
// tests/store/query_model_test.cc - Table::Select and Table::CountWhere
// against an in-memory model, on random data with nulls.
//
// Every table of the compiled schema is filled with random records (small
// value domains, so filters match; nullable fields null one time in four).
// Then thousands of random queries: equality filters (values and nulls),
// at most one range or prefix, either order, random page sizes and
// MAX_EXAMINED bounds. Each query's pages are followed to the end; the
// records must be exactly the model's matches, each once, in the plan's
// order: (index key, uuid) for an index walk, uuid otherwise, reversed for
// desc. Counts, followed through their continuations, must add up to the
// model's. Which plan runs is the planner's business (planner_test); the
// model checks the answers of whichever it picks. Seeds are fixed and
// printed on failure.

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/table.h"
#include "record_gen.h"
#include "store/index_ops.h"
#include "store/key_codec.h"
#include "store/planner.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::TempEnv;

namespace {

const Schema& S() { return Schema::Compiled(); }

struct Filled {
  TempEnv env;
  std::vector<std::vector<Record>> records;  // per table position
};

void Fill(Filled* f, std::mt19937_64& rng, int per_table) {
  f->records.assign(S().tables.size(), {});
  std::uint64_t serial = 1;
  for (const TableDesc& t : S().tables) {  // parents come before children
    Table table(f->env.env(), t);
    for (int i = 0; i < per_table; ++i) {
      Uuid parent;
      if (t.parent >= 0) {
        const auto& ps = f->records[t.parent];
        parent = ps[rng() % std::min<std::size_t>(ps.size(), 3)].uuid;
      }
      Record r = RandomRecord(t, rng, serial++, parent, 4);
      for (std::size_t k = 0; k < t.fields.size(); ++k)
        if (t.fields[k].nullable && rng() % 4 == 0) r.fields[k] = Null{};
      REQUIRE_OK(table.Insert(&r));
      f->records[t.position].push_back(r);
    }
  }
}

std::string Part(const FieldDesc& f, const Value& v) {
  std::string out;
  AppendFieldKeyPart(f, v, &out);
  return out;
}

bool ModelMatches(const TableDesc& t, const Query& q, const Record& r) {
  for (const Filter& f : q.filters)
    if (!(r.fields[f.field] == f.value)) return false;
  if (q.range_field >= 0) {
    const FieldDesc& fd = t.fields[q.range_field];
    const Value& v = r.fields[q.range_field];
    if (IsNull(v)) return false;
    if (q.from && Part(fd, v) < Part(fd, *q.from)) return false;
    if (q.to && Part(fd, v) > Part(fd, *q.to)) return false;
  }
  if (q.prefix_field >= 0) {
    const Value& v = r.fields[q.prefix_field];
    if (IsNull(v)) return false;
    if (!std::get<std::string>(v).starts_with(q.prefix)) return false;
  }
  return true;
}

// The walk's order key of a record: its index key then uuid, or the uuid.
std::string OrderKey(const TableDesc& t, const Plan& plan, const Record& r) {
  std::string key;
  if (plan.kind == Plan::Kind::kIndex)
    REQUIRE_OK(IndexKey(t, t.indexes[plan.index], r.fields, r.uuid, &key));
  return key + std::string(r.uuid.AsBytes());
}

Value PickValue(const TableDesc& t, int field, const Filled& f,
                std::mt19937_64& rng) {
  const auto& rs = f.records[t.position];
  if (t.fields[field].nullable && rng() % 5 == 0) return Null{};
  return rs[rng() % rs.size()].fields[field];
}

Query RandomQuery(const TableDesc& t, const Filled& f, std::mt19937_64& rng) {
  Query q;
  const int nf = static_cast<int>(t.fields.size());
  int filters = static_cast<int>(rng() % 3);
  for (int i = 0; i < filters; ++i) {
    int field = static_cast<int>(rng() % nf);
    // Prefer indexed fields, so index plans are common.
    if (!t.indexes.empty() && rng() % 2 == 0) {
      const IndexDesc& index = t.indexes[rng() % t.indexes.size()];
      field = index.key_fields[rng() % index.key_fields.size()];
    }
    bool dup = false;
    for (const Filter& x : q.filters) dup = dup || x.field == field;
    if (dup) continue;
    q.filters.push_back({field, PickValue(t, field, f, rng)});
  }
  std::vector<int> ranged, prefixed;
  for (int i = 0; i < nf; ++i) {
    FieldType type = t.fields[i].type;
    if (type == FieldType::DATE || type == FieldType::TIMESTAMP ||
        type == FieldType::INT64)
      ranged.push_back(i);
    if (type == FieldType::STRING)
      for (const IndexDesc& index : t.indexes)
        if (index.key_fields.front() == i) prefixed.push_back(i);
  }
  const int kind = static_cast<int>(rng() % 3);
  if (kind == 1 && !ranged.empty()) {
    q.range_field = ranged[rng() % ranged.size()];
    for (std::optional<Value>* bound : {&q.from, &q.to}) {
      if (rng() % 3 == 0) continue;
      Value v = PickValue(t, q.range_field, f, rng);
      if (!IsNull(v)) *bound = v;
    }
  } else if (kind == 2 && !prefixed.empty()) {
    q.prefix_field = prefixed[rng() % prefixed.size()];
    Value v = PickValue(t, q.prefix_field, f, rng);
    std::string s = IsNull(v) ? "v" : std::get<std::string>(v);
    q.prefix = s.substr(0, 1 + rng() % std::max<std::size_t>(s.size(), 1));
  }
  q.descending = rng() % 2 == 0;
  return q;
}

std::string Describe(const TableDesc& t, const Query& q, const Plan& plan) {
  std::string d = t.name + " [" + plan.description + "]";
  for (const Filter& f : q.filters)
    d += " " + t.fields[f.field].name + (IsNull(f.value) ? ".is=null" : "=v");
  if (q.range_field >= 0)
    d += " range " + t.fields[q.range_field].name + (q.from ? " from" : "") +
         (q.to ? " to" : "");
  if (q.prefix_field >= 0)
    d += " " + t.fields[q.prefix_field].name + ".prefix=" + q.prefix;
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(query_model)

BOOST_AUTO_TEST_CASE(every_plan_answers_as_the_model_in_order_and_in_pages) {
  const std::uint64_t seed = 20261203;
  std::mt19937_64 rng(seed);
  Filled f;
  Fill(&f, rng, 120);
  int checked = 0, refused = 0, pages = 0, counts = 0;
  std::map<std::string, int> plans;
  for (int n = 0; n < 3000; ++n) {
    const TableDesc& t = S().tables[rng() % S().tables.size()];
    Table table(f.env.env(), t);
    Query q = RandomQuery(t, f, rng);
    if (!CheckOrdered(t, q).ok()) {
      ++refused;
      BOOST_TEST_REQUIRE(!table.Select(q, PageRequest()).ok());
      continue;
    }
    Plan plan = ChooseQueryPlan(t, q);
    const std::string what = "seed " + std::to_string(seed) + " query " +
                             std::to_string(n) + ": " + Describe(t, q, plan);
    ++plans[plan.description.substr(0, plan.description.find(' '))];

    std::vector<std::pair<std::string, Uuid>> expected;
    for (const Record& r : f.records[t.position])
      if (ModelMatches(t, q, r)) expected.push_back({OrderKey(t, plan, r), r.uuid});
    std::sort(expected.begin(), expected.end());
    if (q.descending) std::reverse(expected.begin(), expected.end());

    PageRequest req;
    req.limit = 1 + rng() % 7;
    req.max_examined = rng() % 2 == 0 ? 0 : 1 + rng() % 40;
    std::vector<Uuid> got;
    // Sometimes the last record of the first page is deleted before the
    // next page is asked for: the walk must resume after an entry that is
    // gone (on a table no other table links to, so the model stays simple).
    const bool delete_resume = t.children.empty() && rng() % 4 == 0;
    bool deleted = false;
    for (int guard = 0;; ++guard) {
      BOOST_TEST_REQUIRE(guard < 2000, what << ": pages never end");
      auto page = table.Select(q, req);
      BOOST_TEST_REQUIRE(page.ok(), what << ": " << page.status().message());
      ++pages;
      BOOST_TEST_REQUIRE(page->records.size() <= req.limit, what);
      if (req.max_examined != 0)
        BOOST_TEST_REQUIRE(page->examined <= req.max_examined, what);
      for (const Record& r : page->records) got.push_back(r.uuid);
      if (!page->next) break;
      req.after = *page->next;
      if (delete_resume && !deleted && !page->records.empty()) {
        const Uuid gone = page->records.back().uuid;
        REQUIRE_OK(table.Remove(gone));
        auto& rs = f.records[t.position];
        rs.erase(std::remove_if(rs.begin(), rs.end(),
                                [&](const Record& r) { return r.uuid == gone; }),
                 rs.end());
        deleted = true;
      }
      // The cursor is refused with the other order.
      if (guard == 0) {
        Query other = q;
        other.descending = !q.descending;
        auto wrong = table.Select(other, req);
        BOOST_TEST_REQUIRE((!wrong.ok() && wrong.status().subject() == "after"),
                           what << ": a cursor crossed orders");
      }
    }
    BOOST_TEST_REQUIRE(got.size() == expected.size(),
                       what << ": " << got.size() << " records, model "
                            << expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      BOOST_TEST_REQUIRE((got[i] == expected[i].second),
                         what << ": record " << i << " out of order or wrong");

    PageRequest count_req;
    count_req.max_examined = rng() % 2 == 0 ? 0 : 1 + rng() % 40;
    std::uint64_t total = 0;
    for (int guard = 0;; ++guard) {
      BOOST_TEST_REQUIRE(guard < 2000, what << ": count never ends");
      auto c = table.CountWhere(q, count_req);
      BOOST_TEST_REQUIRE(c.ok(), what << ": " << c.status().message());
      total += c->count;
      if (!c->next) break;
      count_req.after = *c->next;
    }
    if (deleted) expected.pop_back();  // any one: only the size is compared
    BOOST_TEST_REQUIRE(total == expected.size(),
                       what << ": counted " << total << ", model "
                            << expected.size());
    ++counts;
    ++checked;
  }
  BOOST_TEST_MESSAGE("query_model: " << checked << " queries (" << refused
                                     << " refused), " << pages << " pages, "
                                     << counts << " counts");
  BOOST_TEST(checked > 1500);
  BOOST_TEST(plans["index"] > 300);
  BOOST_TEST(plans["scan"] > 100);
}

BOOST_AUTO_TEST_SUITE_END()
