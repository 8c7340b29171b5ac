// SPDX-License-Identifier: Apache-2.0
// tests/admin/stats_test.cc - `lmdbapi-admin stats` (src/admin/
// stats_cmd.cc): every database under its schema name with its entries.

#include <boost/test/unit_test.hpp>

#include "admin_util.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(every_database_is_listed_with_its_entries) {
  TempEnv env;
  auto records = FillAll(env.env(), 7, 61);
  env.Close();
  AdminRun r = Admin(env.path(), {"stats"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(Contains(r.out, "readers "), r.out);
  BOOST_TEST(Contains(r.out, "map "), r.out);
  auto lines = Lines(r.out);
  // "<name> <entries> ..." for a database.
  auto entries = [&](const std::string& name) -> long {
    for (const std::string& l : lines) {
      std::istringstream in(l);
      std::string first;
      long n = -1;
      if (in >> first >> n && first == name) return n;
    }
    return -1;
  };
  for (const TableDesc& t : Schema::Compiled().tables) {
    long n = static_cast<long>(records[t.position].size());
    BOOST_TEST(entries(t.name) == n, t.name);
    for (const IndexDesc& i : t.indexes)
      BOOST_TEST(entries(i.db_name) == n, i.db_name);
    if (t.parent >= 0) BOOST_TEST(entries(t.links_db_name) == n);
  }
  BOOST_TEST(entries("meta") >= 1);
}

BOOST_AUTO_TEST_CASE(a_missing_environment_is_not_created) {
  TempDir dir;
  std::string path = dir.path() + "/typo";
  AdminRun r = Admin(path, {"stats"});
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.err, "no LMDB environment at " + path), r.err);
  BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_SUITE_END()
