// SPDX-License-Identifier: Apache-2.0
// tests/admin/export_test.cc - `lmdbapi-admin export` (src/admin/
// export_cmd.cc) and the Snapshot it reads through: the API's JSON, uuid
// order, "table" members and parents first for `all`, and reading an
// environment the compiled schema refuses with --stored-schema.

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "admin_util.h"
#include "http/config.h"
#include "json/record_json.h"
#include "lmdbapi/admin.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

const Schema& S() { return Schema::Compiled(); }

std::string Json(const Record& r, const TableDesc& t) {
  std::string out;
  http::AppendRecordJson(r, t, &out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(export_)

BOOST_AUTO_TEST_CASE(a_table_exports_as_the_apis_json_in_uuid_order) {
  TempEnv env;
  auto records = FillAll(env.env(), 30, 11);
  env.Close();
  for (const TableDesc& t : S().tables) {
    std::vector<Record> want = records[t.position];
    std::sort(want.begin(), want.end(),
              [](const Record& a, const Record& b) { return a.uuid < b.uuid; });
    AdminRun r = Admin(env.path(), {"export", t.name});
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    auto lines = Lines(r.out);
    BOOST_TEST_REQUIRE(lines.size() == want.size(), t.name);
    for (std::size_t i = 0; i < want.size(); ++i) {
      want[i].revision = 1;
      BOOST_TEST(lines[i] == Json(want[i], t), t.name << " line " << i + 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(all_tags_each_line_and_puts_parents_before_children) {
  TempEnv env;
  auto records = FillAll(env.env(), 3, 12);
  env.Close();
  AdminRun r = Admin(env.path(), {"export", "all"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  std::vector<std::string> seen;  // table of each line
  for (const std::string& line : Lines(r.out)) {
    BOOST_TEST_REQUIRE(line.rfind("{\"table\":\"", 0) == 0u, line);
    std::size_t end = line.find('"', 10);
    seen.push_back(line.substr(10, end - 10));
    const TableDesc* t = S().FindTable(seen.back());
    BOOST_TEST_REQUIRE(t != nullptr, line);
    // Without the tag it is the API's JSON of a record of that table.
    std::string bare = "{" + line.substr(end + 2);
    auto parsed = http::ParseRecordJson(bare, *t, http::MetaFields::kAccept,
                                        http::kDefaultMaxStringBytes);
    BOOST_TEST(parsed.ok(), parsed.status().message() << ": " << bare);
  }
  std::size_t total = 0;
  for (const auto& rs : records) total += rs.size();
  BOOST_TEST(seen.size() == total);
  // Each table's lines are one block, after its parent's block.
  for (const TableDesc& t : S().tables) {
    auto first = std::find(seen.begin(), seen.end(), t.name);
    auto last = std::find(seen.rbegin(), seen.rend(), t.name).base();
    BOOST_TEST(std::count(first, last, t.name) == last - first, t.name);
    if (t.parent >= 0) {
      auto parent_last = std::find(seen.rbegin(), seen.rend(),
                                   S().tables[t.parent].name).base();
      BOOST_TEST((parent_last <= first), t.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_empty_table_exports_nothing) {
  TempEnv env;
  env.Close();
  AdminRun r = Admin(env.path(), {"export", S().tables[0].name});
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(unknown_table_and_missing_environment_are_refused) {
  TempEnv env;
  env.Close();
  AdminRun r = Admin(env.path(), {"export", "no_such_table"});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(Contains(r.err, "no table \"no_such_table\""), r.err);
  BOOST_TEST(Contains(r.err, S().tables[0].name), r.err);

  std::string nowhere = env.path() + "/nowhere";
  r = Admin(nowhere, {"export", "all"});
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.err, "no LMDB environment at " + nowhere), r.err);
  BOOST_TEST(!std::filesystem::exists(nowhere));  // not created
}

BOOST_AUTO_TEST_CASE(stored_schema_reads_what_the_compiled_one_refuses) {
  // The environment was written by a schema with one more required field
  // at the end of the first table: to this build, a removed field.
  Schema old = S();
  FieldDesc extra;
  extra.name = "dropped_later";
  extra.type = FieldType::STRING;
  extra.default_value = std::string();
  old.tables[0].fields.push_back(extra);
  REQUIRE_OK(old.Validate());
  TempEnv env(old);
  std::mt19937_64 rng(5);
  Record r = RandomRecord(old.tables[0], rng, 1);
  REQUIRE_OK(Table(env.env(), old.tables[0]).Insert(&r));
  env.Close();

  AdminRun refused = Admin(env.path(), {"export", "all"});
  BOOST_TEST(refused.status == 1);
  BOOST_TEST(Contains(refused.err, "dropped_later"), refused.err);

  AdminRun got = Admin(env.path(), {"export", S().tables[0].name,
                                    "--stored-schema"});
  BOOST_TEST_REQUIRE(got.status == 0, got.err);
  auto lines = Lines(got.out);
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(Contains(lines[0], "\"uuid\":\"" + r.uuid.ToString() + "\""));
  BOOST_TEST(Contains(lines[0], "\"dropped_later\":"), lines[0]);
}

BOOST_AUTO_TEST_CASE(a_snapshot_does_not_see_later_writes) {
  TempEnv env;
  const TableDesc& t = S().tables[0];
  auto records = FillAll(env.env(), 5, 13);
  auto snap = Snapshot::Begin(env.env());
  REQUIRE_OK(snap);
  FillAll(env.env(), 5, 14);
  BOOST_TEST(snap.value()->Count(t).value() == 5u);
  int n = 0;
  REQUIRE_OK(snap.value()->Scan(t, [&](const Record&) { return ++n < 3; }));
  BOOST_TEST(n == 3);  // stopped when asked
}

BOOST_AUTO_TEST_SUITE_END()
