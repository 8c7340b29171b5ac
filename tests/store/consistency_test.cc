// SPDX-License-Identifier: Apache-2.0
// tests/store/consistency_test.cc - thousands of random writes checked
// against an in-memory model: after them, every table holds exactly the
// model's records, and every index and link agrees with its table.

#include <map>
#include <random>
#include <set>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::TempEnv;

namespace {

using Model = std::vector<std::map<Uuid, Record>>;  // per table position

const Schema& S() { return Schema::Compiled(); }

void RemoveFromModel(Model& model, int table, const Uuid& uuid) {
  for (int c : S().tables[table].children) {
    const TableDesc& child = S().tables[c];
    std::vector<Uuid> kids;
    for (const auto& [u, r] : model[c])
      if (std::get<Uuid>(r.fields[child.link_field]) == uuid) kids.push_back(u);
    for (const Uuid& k : kids) RemoveFromModel(model, c, k);
  }
  model[table].erase(uuid);
}

bool UniqueTaken(const Model& model, const TableDesc& t, const Record& r) {
  for (const IndexDesc& index : t.indexes) {
    if (index.kind != IndexKind::UNIQUE) continue;
    for (const auto& [u, other] : model[t.position]) {
      if (u == r.uuid) continue;
      bool same = true;
      for (int k : index.key_fields) same = same && other.fields[k] == r.fields[k];
      if (same) return true;
    }
  }
  return false;
}

template <typename Map>
const Uuid* Pick(const Map& m, std::mt19937_64& rng) {
  if (m.empty()) return nullptr;
  auto it = m.begin();
  std::advance(it, rng() % m.size());
  return &it->first;
}

void CheckAgainstModel(Env& env, const Model& model) {
  auto stats = env.Stat();
  BOOST_TEST_REQUIRE(stats.ok());
  std::map<std::string, std::uint64_t> entries;
  for (const DbStats& d : stats->dbs) entries[d.name] = d.entries;
  for (const TableDesc& t : S().tables) {
    const auto& rows = model[t.position];
    Table table(env, t);
    BOOST_TEST(entries[t.name] == rows.size(), t.name);
    for (const IndexDesc& index : t.indexes)
      BOOST_TEST(entries[index.db_name] == rows.size(), index.db_name);
    if (t.parent >= 0) BOOST_TEST(entries[t.links_db_name] == rows.size());
    for (const auto& [uuid, expected] : rows) {
      auto got = table.Get(uuid);
      BOOST_TEST_REQUIRE(got.ok(), got.status().message());
      BOOST_TEST((got->fields == expected.fields));
      BOOST_TEST(got->revision == expected.revision);
      // Each index finds the record under its full key, and only records
      // that really have that key.
      for (const IndexDesc& index : t.indexes) {
        std::vector<Filter> filters;
        for (int k : index.key_fields) filters.push_back({k, expected.fields[k]});
        PageRequest all;
        all.limit = 100000;
        auto page = table.Find(filters, all);
        BOOST_TEST_REQUIRE(page.ok(), page.status().message());
        std::size_t want = 0;
        for (const auto& [u, r] : rows) {
          bool same = true;
          for (int k : index.key_fields) same = same && r.fields[k] == expected.fields[k];
          want += same;
        }
        BOOST_TEST(page->records.size() == want, index.db_name);
        bool found = false;
        for (const Record& r : page->records) found = found || r.uuid == uuid;
        BOOST_TEST(found, index.db_name << " lacks " << uuid.ToString());
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(consistency)

BOOST_AUTO_TEST_CASE(indexes_agree_with_tables_after_random_writes) {
  const std::uint64_t seed = 20261126;
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    TempEnv env;
    Model model(S().tables.size());
    std::uint64_t serial = 0;
    int inserts = 0, replaces = 0, removes = 0, refused = 0;
    const int kSteps = 3000;
    for (int step = 0; step < kSteps; ++step) {
      const TableDesc& t = S().tables[rng() % S().tables.size()];
      Table table(env.env(), t);
      int op = static_cast<int>(rng() % 10);
      Uuid parent;
      if (t.parent >= 0) {
        const Uuid* p = Pick(model[t.parent], rng);
        parent = p ? *p : Uuid::New();  // sometimes a missing parent
      }
      // Small domains (and serials that repeat) make unique collisions.
      std::uint64_t s = (++serial) % 400;
      if (op < 5 || model[t.position].empty()) {
        Record r = RandomRecord(t, rng, s, parent, 4);
        bool expect_ok = !UniqueTaken(model, t, r) &&
                         (t.parent < 0 || model[t.parent].count(parent));
        Result<Uuid> got = table.Insert(&r);
        BOOST_TEST_REQUIRE(got.ok() == expect_ok, "insert step " << step << ": "
                                                      << got.status().message());
        if (got.ok()) {
          model[t.position][r.uuid] = r;
          ++inserts;
        } else {
          ++refused;
        }
      } else if (op < 8) {
        Uuid target = *Pick(model[t.position], rng);
        if (t.parent >= 0 && rng() % 2)  // keep the parent half the time
          parent = std::get<Uuid>(model[t.position][target].fields[t.link_field]);
        Record r = RandomRecord(t, rng, s, parent, 4);
        r.uuid = target;
        bool expect_ok = !UniqueTaken(model, t, r) &&
                         (t.parent < 0 || model[t.parent].count(parent));
        Status st = table.Replace(&r);
        BOOST_TEST_REQUIRE(st.ok() == expect_ok, "replace step " << step << ": "
                                                     << st.message());
        if (st.ok()) {
          BOOST_TEST(r.revision == model[t.position][target].revision + 1);
          model[t.position][target] = r;
          ++replaces;
        } else {
          ++refused;
        }
      } else {
        Uuid target = *Pick(model[t.position], rng);
        REQUIRE_OK(table.Remove(target));
        RemoveFromModel(model, t.position, target);
        ++removes;
      }
    }
    CheckAgainstModel(env.env(), model);
    // And the same after closing and reopening the environment.
    env.Reopen();
    CheckAgainstModel(env.env(), model);
    BOOST_TEST_MESSAGE("consistency: " << kSteps << " steps, " << inserts
                                       << " inserts, " << replaces << " replaces, "
                                       << removes << " removes, " << refused
                                       << " refused as expected");
  }
}

BOOST_AUTO_TEST_SUITE_END()
