// SPDX-License-Identifier: Apache-2.0
// tests/permits/upgrade_test.cc - a database written by the landed release
// (before nulls) opens, reads, filters and takes writes under this one.
//
// The fixture, tests/permits/landed_permits.dump, is `mdb_dump -a` text
// (portable across machines and LMDB builds), made with the landed
// release's own code path, commit 8e9de8b:
//   lmdbapi-admin --path data import all permits.ndjson   (8e9de8b build)
//   mdb_dump -a data > landed_permits.dump
// from these lines (uuids fixed so the test can name them):
//   permits L-1: fee_cents 0, notes ""       (both sent)
//   permits L-2: fee_cents 12500, notes "paid"
//   permits L-3: fee_cents and notes absent  (the landed default: 0, "")
//   processing_status under L-1 (note "") and L-2 (note "ok")
// Then fee_cents and notes were DEFAULT fields (OPTIONAL_FIELD with a
// default); now they are nullable, and permits has a RANGE index on
// fee_cents that did not exist, so opening converts the stored schema
// (version 1 -> 2) and builds the index.

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/admin.h"
#include "lmdbapi/table.h"
#include "admin/process_util.h"
#include "testutil.h"

using namespace lmdbapi;

namespace {

Uuid U(const char* text) { return Uuid::Parse(text).value(); }

const Uuid kL1 = U("0190a5c4-0000-7000-8000-000000000001");
const Uuid kL2 = U("0190a5c4-0000-7000-8000-000000000002");
const Uuid kL3 = U("0190a5c4-0000-7000-8000-000000000003");
const Uuid kStep1 = U("0190a5c4-0000-7000-8000-000000000011");

// The uuids of every record a Find returns (one page is enough here).
std::set<std::string> Found(Table& t, const std::vector<Filter>& filters,
                            std::string* plan = nullptr) {
  PageRequest req;
  req.limit = 100;
  auto page = t.Find(filters, req);
  BOOST_TEST_REQUIRE(page.ok(), page.status().message());
  if (plan != nullptr) *plan = page->plan;
  std::set<std::string> out;
  for (const Record& r : page->records) out.insert(r.uuid.ToString());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(upgrade)

BOOST_AUTO_TEST_CASE(a_landed_database_keeps_its_values_and_gains_nulls) {
  testutil::TempEnv env;
  env.Close();
  const std::filesystem::path dir = env.path();
  std::filesystem::remove(dir / "data.mdb");
  std::filesystem::remove(dir / "lock.mdb");
  const std::string dump =
      (testutil::RepoRoot() / "tests" / "permits" / "landed_permits.dump").string();
  const std::string load = "mdb_load -f " + testutil::Quote(dump) + " " +
                           testutil::Quote(dir.string());
  BOOST_TEST_REQUIRE(std::system(load.c_str()) == 0, load);
  env.Reopen();  // converts the schema, builds permits.by_fee_cents

  // Opening says what it changed, naming each field and index.
  const std::vector<std::string>& changes = env.env().schema_changes();
  auto said = [&changes](std::string_view words) {
    for (const std::string& c : changes)
      if (c.find(words) != std::string::npos) return true;
    return false;
  };
  BOOST_TEST(said("permits.fee_cents was DEFAULT_FIELD 0, is now nullable"));
  BOOST_TEST(said("permits.notes was DEFAULT_FIELD"));
  BOOST_TEST(said("index permits.by_fee_cents built from its table"));

  const Schema& s = env.env().schema();
  const TableDesc& pd = *s.FindTable("permits");
  const TableDesc& sd = *s.FindTable("processing_status");
  const int fee = pd.FieldIndex("fee_cents"), notes = pd.FieldIndex("notes");
  Table permits(env.env(), pd);
  Table steps(env.env(), sd);

  // Stored values stay: 0 is 0 and "" is "", also where the landed default
  // filled them in.
  for (const Uuid& u : {kL1, kL3}) {
    auto r = permits.Get(u);
    REQUIRE_OK(r);
    BOOST_TEST((r->fields[fee] == Value(std::int64_t{0})));
    BOOST_TEST((r->fields[notes] == Value(std::string())));
    BOOST_TEST(r->revision == 1u);
  }
  auto l2 = permits.Get(kL2);
  REQUIRE_OK(l2);
  BOOST_TEST((l2->fields[fee] == Value(std::int64_t{12500})));
  auto step = steps.Get(kStep1);
  REQUIRE_OK(step);
  BOOST_TEST((step->fields[sd.FieldIndex("note")] == Value(std::string())));

  // Filters: by 0 through the new index, and no null anywhere yet.
  std::string plan;
  BOOST_TEST((Found(permits, {{fee, std::int64_t{0}}}, &plan) ==
              std::set<std::string>{kL1.ToString(), kL3.ToString()}));
  BOOST_TEST(plan == "index by_fee_cents");
  BOOST_TEST(Found(permits, {{fee, Null{}}}).empty());
  BOOST_TEST(Found(permits, {{notes, Null{}}}).empty());

  // A write of null reads null, and the index and filters follow it.
  Record r = permits.Get(kL3).value();
  r.fields[fee] = Null{};
  r.fields[notes] = Null{};
  REQUIRE_OK(permits.Replace(&r));
  auto back = permits.Get(kL3);
  REQUIRE_OK(back);
  BOOST_TEST(IsNull(back->fields[fee]));
  BOOST_TEST(IsNull(back->fields[notes]));
  BOOST_TEST((Found(permits, {{fee, Null{}}}) == std::set<std::string>{kL3.ToString()}));
  BOOST_TEST((Found(permits, {{fee, std::int64_t{0}}}) ==
              std::set<std::string>{kL1.ToString()}));
  // A range leaves the null out.
  PageRequest req;
  req.limit = 100;
  auto range = permits.Range(fee, std::nullopt, std::nullopt, req);
  REQUIRE_OK(range);
  BOOST_TEST(range->records.size() == 2u);

  // A merge patch of a landed record: null where it had a value, in one
  // transaction with its index entries.
  auto patched = permits.Patch(kL2, {{fee, Null{}}, {notes, std::string("re-paid")}},
                               std::nullopt);
  REQUIRE_OK(patched);
  BOOST_TEST(patched->revision == 2u);
  BOOST_TEST(IsNull(patched->fields[fee]));
  BOOST_TEST((patched->fields[notes] == Value(std::string("re-paid"))));
  BOOST_TEST((Found(permits, {{fee, Null{}}}) ==
              std::set<std::string>{kL2.ToString(), kL3.ToString()}));
  BOOST_TEST(Found(permits, {{fee, std::int64_t{12500}}}).empty());

  // The other indexes still work, and the whole database checks clean.
  BOOST_TEST((Found(permits, {{pd.FieldIndex("permit_number"), std::string("L-2")}},
                    &plan) == std::set<std::string>{kL2.ToString()}));
  BOOST_TEST(plan == "index by_permit_number");
  auto summary = Check(env.env(), nullptr);
  REQUIRE_OK(summary);
  BOOST_TEST(summary->problems == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
