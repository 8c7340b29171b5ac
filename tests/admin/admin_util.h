// SPDX-License-Identifier: Apache-2.0
// tests/admin/admin_util.h - helpers shared by the admin suites: run
// lmdbapi-admin in-process, fill an environment on any schema, and reach
// under the library with LMDB's C API to break things on purpose.

#ifndef LMDBAPI_TESTS_ADMIN_ADMIN_UTIL_H_
#define LMDBAPI_TESTS_ADMIN_ADMIN_UTIL_H_

#include <lmdb.h>

#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "admin/cli.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

namespace lmdbapi::testutil {

struct AdminRun {
  int status = -1;
  std::string out, err;
};

// Runs `lmdbapi-admin args...` in this process with `vars` as its whole
// environment (plus DURABILITY=nosync unless given: tests check logic, not
// the disk) and `input` on stdin.
inline AdminRun RunAdmin(const std::vector<std::string>& args,
                         const std::string& input = {},
                         std::map<std::string, std::string> vars = {},
                         bool progress = false) {
  vars.emplace("DURABILITY", "nosync");
  std::istringstream in(input);
  std::ostringstream out, err;
  admin::Io io;
  io.in = &in;
  io.out = &out;
  io.err = &err;
  io.progress = progress;
  io.getenv = [&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  AdminRun r;
  r.status = admin::Run(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// "--path DIR COMMAND ARGS..."
inline AdminRun Admin(const std::string& path, std::vector<std::string> args,
                      const std::string& input = {}) {
  args.insert(args.begin(), {"--path", path});
  return RunAdmin(args, input);
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Records of every table, parents before children: `per_table` per parent
// record for child tables, so every table has records. Returns them by
// table position.
inline std::vector<std::vector<Record>> FillAll(Env& env, int per_table,
                                                std::uint64_t seed) {
  const Schema& s = env.schema();
  std::vector<std::vector<Record>> out(s.tables.size());
  std::mt19937_64 rng(seed);
  std::uint64_t serial = seed * 100000;
  std::vector<bool> done(s.tables.size(), false);
  for (std::size_t pass = 0; pass < s.tables.size(); ++pass) {
    for (const TableDesc& t : s.tables) {
      if (done[t.position] || (t.parent >= 0 && !done[t.parent])) continue;
      done[t.position] = true;
      Table table(env, t);
      if (t.parent < 0) {
        for (int i = 0; i < per_table; ++i) {
          Record r = RandomRecord(t, rng, ++serial);
          REQUIRE_OK(table.Insert(&r));
          out[t.position].push_back(r);
        }
        continue;
      }
      for (const Record& p : out[t.parent]) {
        Record r = RandomRecord(t, rng, ++serial, p.uuid);
        REQUIRE_OK(table.Insert(&r));
        out[t.position].push_back(r);
      }
    }
  }
  return out;
}

// The environment at `path` opened with LMDB's C API, as a foreign tool
// would. REQUIRES: no Env of this process has it open.
class RawEnv {
 public:
  explicit RawEnv(const std::string& path) {
    BOOST_TEST_REQUIRE(mdb_env_create(&env_) == 0);
    mdb_env_set_maxdbs(env_, 64);
    mdb_env_set_mapsize(env_, std::size_t{1} << 30);
    BOOST_TEST_REQUIRE(mdb_env_open(env_, path.c_str(), MDB_NOTLS, 0644) == 0);
    BOOST_TEST_REQUIRE(mdb_txn_begin(env_, nullptr, 0, &txn_) == 0);
  }
  ~RawEnv() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    mdb_env_close(env_);
  }
  // Opens a database by its name, with the flags the library created it
  // with (LMDB refuses others).
  MDB_dbi Db(const std::string& name, bool dupsort) {
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn_, name.c_str(),
                          dupsort ? MDB_DUPSORT | MDB_DUPFIXED : 0, &dbi);
    BOOST_TEST_REQUIRE(rc == 0, name << ": " << mdb_strerror(rc));
    return dbi;
  }
  void Put(const std::string& db, bool dupsort, std::string_view key,
           std::string_view value) {
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    int rc = mdb_put(txn_, Db(db, dupsort), &k, &v, 0);
    BOOST_TEST_REQUIRE(rc == 0, db << ": " << mdb_strerror(rc));
  }
  void Delete(const std::string& db, bool dupsort, std::string_view key,
              std::string_view value = {}) {
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    int rc = mdb_del(txn_, Db(db, dupsort), &k, value.empty() ? nullptr : &v);
    BOOST_TEST_REQUIRE(rc == 0, db << ": " << mdb_strerror(rc));
  }
  void Commit() {
    BOOST_TEST_REQUIRE(mdb_txn_commit(txn_) == 0);
    txn_ = nullptr;
  }

 private:
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
};

// The first table with an index, and the first with a parent; null if the
// schema has none.
inline const TableDesc* IndexedTable(const Schema& s) {
  for (const TableDesc& t : s.tables)
    if (!t.indexes.empty()) return &t;
  return nullptr;
}
inline const TableDesc* ChildTable(const Schema& s) {
  for (const TableDesc& t : s.tables)
    if (t.parent >= 0) return &t;
  return nullptr;
}

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_ADMIN_ADMIN_UTIL_H_
