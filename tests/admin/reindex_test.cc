// SPDX-License-Identifier: Apache-2.0
// tests/admin/reindex_test.cc - Reindex() (src/store/reindex.cc) and
// `lmdbapi-admin reindex` (src/admin/reindex_cmd.cc): damage check finds is
// repaired, and names that do not exist are refused.

#include "lmdbapi/admin.h"

#include <boost/test/unit_test.hpp>

#include "admin_util.h"
#include "store/index_ops.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

const Schema& S() { return Schema::Compiled(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(reindex)

BOOST_AUTO_TEST_CASE(rebuilding_repairs_what_check_found) {
  const TableDesc* t = IndexedTable(S());
  if (t == nullptr) return;
  TempEnv env;
  auto records = FillAll(env.env(), 10, 41);
  env.Close();
  {
    RawEnv raw(env.path());
    for (std::size_t i = 0; i < t->indexes.size(); ++i) {
      const IndexDesc& index = t->indexes[i];
      const Record& r = records[t->position][i];
      std::string key;
      REQUIRE_OK(IndexKey(*t, index, r.fields, r.uuid, &key));
      raw.Delete(index.db_name, index.kind != IndexKind::UNIQUE, key,
                 r.uuid.AsBytes());
      raw.Put(index.db_name, index.kind != IndexKind::UNIQUE, key + "~",
              Uuid::New().AsBytes());
    }
    raw.Commit();
  }
  BOOST_TEST(Admin(env.path(), {"check"}).status == 1);
  // One index, then the whole table.
  AdminRun one = Admin(env.path(), {"reindex", t->name, t->indexes[0].name});
  BOOST_TEST(one.status == 0, one.err);
  BOOST_TEST(Contains(one.out, "rebuilt 1 index\n"), one.out);
  AdminRun all = Admin(env.path(), {"reindex", t->name});
  BOOST_TEST(all.status == 0, all.err);
  BOOST_TEST(Contains(all.out, "rebuilt " + std::to_string(t->indexes.size())),
             all.out);
  AdminRun checked = Admin(env.path(), {"check"});
  BOOST_TEST(checked.status == 0, checked.out);
}

BOOST_AUTO_TEST_CASE(everything_is_rebuilt_without_names) {
  TempEnv env;
  FillAll(env.env(), 5, 42);
  std::size_t indexes = 0;
  for (const TableDesc& t : S().tables) indexes += t.indexes.size();
  std::uint64_t calls = 0, last = 0;
  REQUIRE_OK(Reindex(env.env(), {}, {}, [&](std::uint64_t done, std::uint64_t total) {
    ++calls;
    last = done;
    BOOST_TEST(total == indexes);
  }));
  BOOST_TEST(last == indexes);
  BOOST_TEST(calls == indexes + 1);
  auto s = Check(env.env(), {});
  REQUIRE_OK(s);
  BOOST_TEST(s->problems == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_names_are_refused_and_change_nothing) {
  TempEnv env;
  BOOST_TEST((Reindex(env.env(), "no_such_table").code() ==
              Status::Code::kInvalidArgument));
  BOOST_TEST((Reindex(env.env(), S().tables[0].name, "no_such_index").code() ==
              Status::Code::kInvalidArgument));
  BOOST_TEST((Reindex(env.env(), {}, "no_table_named").code() ==
              Status::Code::kInvalidArgument));
  env.Close();
  AdminRun r = Admin(env.path(), {"reindex", "no_such_table"});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(Contains(r.err, "no table no_such_table"), r.err);
}

BOOST_AUTO_TEST_SUITE_END()
