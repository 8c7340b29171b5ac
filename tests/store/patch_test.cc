// SPDX-License-Identifier: Apache-2.0
// tests/store/patch_test.cc - Table::Patch and PatchAsync (src/store/table.cc),
// on whatever schema is compiled in: every table's fields, indexes and links
// are exercised through the descriptors.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::RandomValue;
using lmdbapi::testutil::SerialValue;
using lmdbapi::testutil::TempEnv;
using lmdbapi::testutil::UniqueFields;

namespace {

const Schema& S() { return Schema::Compiled(); }

std::map<std::string, std::uint64_t> Entries(Env& env) {
  auto stats = env.Stat();
  BOOST_TEST_REQUIRE(stats.ok());
  std::map<std::string, std::uint64_t> out;
  for (const DbStats& d : stats->dbs) out[d.name] = d.entries;
  return out;
}

// Inserts one record into `table`, creating its ancestors first, with
// UNIQUE values from a counter no test picks by hand.
Record InsertWithParents(Env& env, const TableDesc& table,
                         std::mt19937_64& rng) {
  static std::uint64_t serial = 2'000'000'000;
  Uuid parent;
  if (table.parent >= 0)
    parent = InsertWithParents(env, S().tables[table.parent], rng).uuid;
  Record r = RandomRecord(table, rng, ++serial, parent);
  REQUIRE_OK(Table(env, table).Insert(&r));
  return r;
}

bool Found(Table& t, const IndexDesc& index, const Record& r,
           const Uuid& uuid) {
  std::vector<Filter> filters;
  for (int k : index.key_fields) filters.push_back({k, r.fields[k]});
  auto page = t.Find(filters, {});
  BOOST_TEST_REQUIRE(page.ok(), page.status().message());
  for (const Record& got : page->records)
    if (got.uuid == uuid) return true;
  return false;
}

// A value for field i of td that differs from `now`.
Value Different(const TableDesc& td, int i, const Value& now,
                std::uint64_t serial) {
  Value v = SerialValue(td.fields[i].type, serial);
  if (v == now) v = SerialValue(td.fields[i].type, serial + 1);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(table_patch)

BOOST_AUTO_TEST_CASE(patch_sets_one_field_keeps_the_others_and_moves_its_index_entries) {
  TempEnv env;
  std::mt19937_64 rng(21);
  std::uint64_t serial = 5'000;
  for (const TableDesc& td : S().tables) {
    for (std::size_t i = 0; i < td.fields.size(); ++i) {
      if (td.fields[i].is_parent_link) continue;
      const int f = static_cast<int>(i);
      Record r = InsertWithParents(env.env(), td, rng);
      Table t(env.env(), td);
      Value v = Different(td, f, r.fields[f], ++serial);
      ++serial;
      auto patched = t.Patch(r.uuid, {{f, v}});
      REQUIRE_OK(patched);
      BOOST_TEST(patched->revision == 2u);
      Record want = r;
      want.fields[f] = v;
      BOOST_TEST((patched->fields == want.fields), td.name << "." << td.fields[f].name);
      auto got = t.Get(r.uuid);
      REQUIRE_OK(got);
      BOOST_TEST((got->fields == want.fields));
      BOOST_TEST(got->revision == 2u);
      for (const IndexDesc& index : td.indexes) {
        bool keyed = false;
        for (int k : index.key_fields) keyed = keyed || k == f;
        if (!keyed) continue;
        BOOST_TEST(Found(t, index, want, r.uuid), index.name << " finds the new key");
        BOOST_TEST(!Found(t, index, r, r.uuid), index.name << " drops the old key");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_empty_patch_is_a_write_that_bumps_the_revision) {
  TempEnv env;
  std::mt19937_64 rng(22);
  const TableDesc& td = S().tables[0];
  Record r = InsertWithParents(env.env(), td, rng);
  Table t(env.env(), td);
  auto patched = t.Patch(r.uuid, {});
  REQUIRE_OK(patched);
  BOOST_TEST(patched->revision == 2u);
  BOOST_TEST((patched->fields == r.fields));
  BOOST_TEST(t.Get(r.uuid)->revision == 2u);
}

BOOST_AUTO_TEST_CASE(a_stale_revision_conflicts_and_a_missing_record_is_not_found) {
  TempEnv env;
  std::mt19937_64 rng(23);
  const TableDesc& td = S().tables[0];
  Record r = InsertWithParents(env.env(), td, rng);
  Table t(env.env(), td);
  int f = td.fields[0].is_parent_link ? 1 : 0;
  Value v = Different(td, f, r.fields[f], 7'000);
  auto before = Entries(env.env());
  auto stale = t.Patch(r.uuid, {{f, v}}, 2);
  BOOST_TEST((stale.status().code() == Status::Code::kConflict));
  BOOST_TEST(stale.status().message().find("at revision 1") != std::string::npos,
             stale.status().message());
  BOOST_TEST((t.Get(r.uuid)->fields == r.fields));
  BOOST_TEST((Entries(env.env()) == before));
  REQUIRE_OK(t.Patch(r.uuid, {{f, v}}, 1));
  auto missing = t.Patch(Uuid::New(), {{f, v}});
  BOOST_TEST((missing.status().code() == Status::Code::kNotFound));
}

BOOST_AUTO_TEST_CASE(bad_patches_are_invalid_arguments_naming_the_field_and_write_nothing) {
  TempEnv env;
  std::mt19937_64 rng(24);
  for (const TableDesc& td : S().tables) {
    Record r = InsertWithParents(env.env(), td, rng);
    Table t(env.env(), td);
    auto before = Entries(env.env());
    const int n = static_cast<int>(td.fields.size());
    auto out_of_range = t.Patch(r.uuid, {{n, Value(std::int64_t{1})}});
    BOOST_TEST((out_of_range.status().code() == Status::Code::kInvalidArgument));
    int f = td.fields[0].is_parent_link ? 1 : 0;
    const FieldDesc& fd = td.fields[f];
    Value v = Different(td, f, r.fields[f], 9'000);
    auto twice = t.Patch(r.uuid, {{f, v}, {f, v}});
    BOOST_TEST((twice.status().code() == Status::Code::kInvalidArgument));
    BOOST_TEST(twice.status().subject() == fd.name);
    // The wrong type: BOOL for anything but a BOOL, else a string.
    Value wrong = fd.type == FieldType::BOOL ? Value(std::string("x")) : Value(true);
    auto typed = t.Patch(r.uuid, {{f, wrong}});
    BOOST_TEST((typed.status().code() == Status::Code::kInvalidArgument));
    BOOST_TEST(typed.status().subject() == fd.name);
    BOOST_TEST((Entries(env.env()) == before));
    BOOST_TEST(t.Get(r.uuid)->revision == 1u);
  }
}

BOOST_AUTO_TEST_CASE(patching_a_parent_link_needs_an_existing_parent_and_moves_the_link) {
  TempEnv env;
  std::mt19937_64 rng(25);
  for (const TableDesc& td : S().tables) {
    if (td.parent < 0) continue;
    const TableDesc& parent_td = S().tables[td.parent];
    Record child = InsertWithParents(env.env(), td, rng);
    Table t(env.env(), td);
    auto before = Entries(env.env());
    auto orphaned = t.Patch(child.uuid, {{td.link_field, Value(Uuid::New())}});
    BOOST_TEST((orphaned.status().code() == Status::Code::kMissingParent));
    BOOST_TEST((Entries(env.env()) == before));
    Record other = InsertWithParents(env.env(), parent_td, rng);
    REQUIRE_OK(t.Patch(child.uuid, {{td.link_field, Value(other.uuid)}}));
    Table p(env.env(), parent_td);
    auto under_new = p.Children(other.uuid, td, {});
    REQUIRE_OK(under_new);
    BOOST_TEST_REQUIRE(under_new->records.size() == 1u);
    BOOST_TEST((under_new->records[0].uuid == child.uuid));
    auto under_old = p.Children(std::get<Uuid>(child.fields[td.link_field]), td, {});
    REQUIRE_OK(under_old);
    BOOST_TEST(under_old->records.empty());
  }
}

BOOST_AUTO_TEST_CASE(concurrent_patches_of_different_fields_all_apply) {
  TempEnv env;
  std::mt19937_64 rng(26);
  const TableDesc& td = S().tables[0];
  Record r = InsertWithParents(env.env(), td, rng);
  // Every field but the UNIQUE-keyed ones (a serial of one thread may be
  // another's) and the link, each patched by its own thread many times.
  std::set<int> unique = UniqueFields(td);
  std::vector<int> fields;
  for (std::size_t i = 0; i < td.fields.size(); ++i)
    if (!td.fields[i].is_parent_link && !unique.count(static_cast<int>(i)))
      fields.push_back(static_cast<int>(i));
  BOOST_TEST_REQUIRE(fields.size() >= 2u);
  constexpr int kRounds = 40;
  std::vector<Value> last(td.fields.size());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int f : fields) {
    threads.emplace_back([&, f] {
      std::mt19937_64 local(1000 + f);
      Table t(env.env(), td);
      for (int round = 0; round < kRounds; ++round) {
        Value v = RandomValue(td.fields[f].type, local, 1000);
        if (!t.Patch(r.uuid, {{f, v}}).ok()) ++failures;
        last[f] = v;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  BOOST_TEST(failures.load() == 0);
  auto got = Table(env.env(), td).Get(r.uuid);
  REQUIRE_OK(got);
  BOOST_TEST(got->revision == 1u + kRounds * fields.size());
  for (int f : fields)
    BOOST_TEST((got->fields[f] == last[f]), td.fields[f].name << " kept its last patch");
}

BOOST_AUTO_TEST_CASE(patch_async_answers_with_the_stored_record) {
  TempEnv env;
  std::mt19937_64 rng(27);
  const TableDesc& td = S().tables[0];
  Record r = InsertWithParents(env.env(), td, rng);
  int f = td.fields[0].is_parent_link ? 1 : 0;
  Value v = Different(td, f, r.fields[f], 11'000);
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<Record>> outcome;
  Table(env.env(), td).PatchAsync(r.uuid, {{f, v}}, 1, [&](Result<Record> got) {
    std::lock_guard<std::mutex> lock(mu);
    outcome = std::move(got);
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  BOOST_TEST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(30),
                                 [&] { return outcome.has_value(); }));
  REQUIRE_OK(*outcome);
  BOOST_TEST((*outcome)->revision == 2u);
  BOOST_TEST(((*outcome)->fields[f] == v));
  BOOST_TEST(((*outcome)->uuid == r.uuid));
}

BOOST_AUTO_TEST_SUITE_END()
