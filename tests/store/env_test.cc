// SPDX-License-Identifier: Apache-2.0
// tests/store/env_test.cc - opening environments: schema evolution against a
// real environment written by an older schema, fingerprint refusals, a full
// map, and LMDB's own tools reading what the library wrote.

#include "lmdbapi/env.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <random>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::TempEnv;

namespace {

const Schema& S() { return Schema::Compiled(); }

bool Indexed(const TableDesc& t, int field) {
  for (const IndexDesc& i : t.indexes)
    for (int k : i.key_fields)
      if (k == field) return true;
  return false;
}

// A main table whose last field is optional and in no index: the field an
// "older" schema can lack. Null if the schema has none.
const TableDesc* TableWithAppendedField() {
  for (const TableDesc& t : S().tables) {
    int last = static_cast<int>(t.fields.size()) - 1;
    if (t.parent < 0 && !t.fields[last].required && !Indexed(t, last) &&
        t.fields.size() > 1)
      return &t;
  }
  return nullptr;
}

std::vector<Uuid> Fill(Env& env, const TableDesc& t, int n, std::uint64_t base) {
  std::mt19937_64 rng(base);
  std::vector<Uuid> out;
  for (int i = 0; i < n; ++i) {
    Record r = RandomRecord(t, rng, base + i);
    Table table(env, t);
    REQUIRE_OK(table.Insert(&r));
    out.push_back(r.uuid);
  }
  return out;
}

// Runs a shell command, its output to `out`; returns its exit status.
int Run(const std::string& cmd, const std::string& out = "/dev/null") {
  return std::system((cmd + " >" + out + " 2>&1").c_str());
}

const TableDesc& FirstMain() {
  for (const TableDesc& t : S().tables)
    if (t.parent < 0) return t;
  return S().tables[0];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(env)

BOOST_AUTO_TEST_CASE(appended_optional_field_reads_its_default_from_old_records) {
  const TableDesc* t = TableWithAppendedField();
  if (t == nullptr) return;  // this schema has no such field
  Schema old = S();
  old.tables[t->position].fields.pop_back();
  REQUIRE_OK(old.Validate());
  TempEnv env(old);
  std::vector<Record> written;
  {
    std::mt19937_64 rng(1);
    Table table(env.env(), old.tables[t->position]);
    for (int i = 0; i < 20; ++i) {
      Record r = RandomRecord(old.tables[t->position], rng, i);
      REQUIRE_OK(table.Insert(&r));
      written.push_back(r);
    }
  }
  env.Reopen(S());
  Table table(env.env(), *t);
  const FieldDesc& added = t->fields.back();
  for (const Record& old_record : written) {
    auto got = table.Get(old_record.uuid);
    REQUIRE_OK(got);
    BOOST_TEST_REQUIRE(got->fields.size() == t->fields.size());
    BOOST_TEST((got->fields.back() == added.default_value));
    for (std::size_t f = 0; f + 1 < t->fields.size(); ++f)
      BOOST_TEST((got->fields[f] == old_record.fields[f]));
  }
  // Old records can be replaced and filtered on the new field.
  Record r = table.Get(written[0].uuid).value();
  REQUIRE_OK(table.Replace(&r));
  auto page = table.Find({{static_cast<int>(t->fields.size()) - 1, added.default_value}},
                         {});
  REQUIRE_OK(page);
  BOOST_TEST(page->records.size() == std::min<std::size_t>(written.size(), 100));
}

BOOST_AUTO_TEST_CASE(incompatible_schemas_are_refused_saying_what_changed) {
  const TableDesc& t = FirstMain();
  TempEnv env;
  Fill(env.env(), t, 5, 1);

  struct Case {
    std::string name;
    std::function<void(Schema&)> change;
    std::string says;
  };
  std::vector<Case> cases = {
      {"required field appended",
       [&](Schema& s) {
         FieldDesc f;
         f.name = "added_later";
         f.type = FieldType::STRING;
         f.default_value = std::string();
         s.tables[t.position].fields.push_back(f);
       },
       "added_later was appended as a required field"},
      {"field retyped",
       [&](Schema& s) {
         FieldDesc& f = s.tables[t.position].fields.back();
         f.type = f.type == FieldType::BOOL ? FieldType::STRING : FieldType::BOOL;
         f.default_value = f.type == FieldType::BOOL ? Value(false) : Value(std::string());
         f.nullable = false;
         for (IndexDesc& i : s.tables[t.position].indexes)
           if (i.kind == IndexKind::RANGE) i.kind = IndexKind::MULTI;
       },
       "(retyped)"},
      {"field renamed",
       [&](Schema& s) { s.tables[t.position].fields.back().name = "renamed_field"; },
       "renamed"},
      {"field removed",
       [&](Schema& s) {
         TableDesc& td = s.tables[t.position];
         int last = static_cast<int>(td.fields.size()) - 1;
         std::vector<IndexDesc> kept;
         for (IndexDesc& i : td.indexes) {
           bool uses = false;
           for (int k : i.key_fields) uses = uses || k == last;
           if (!uses) kept.push_back(i);
         }
         td.indexes = kept;
         td.fields.pop_back();
       },
       "was removed"},
  };
  for (const Case& c : cases) {
    Schema changed = S();
    c.change(changed);
    BOOST_TEST_REQUIRE(changed.Validate().ok(), c.name << ": " << changed.Validate().message());
    Status s = env.TryReopen(changed);
    BOOST_TEST((s.code() == Status::Code::kSchemaMismatch), c.name);
    BOOST_TEST(s.message().find(c.says) != std::string::npos,
               c.name << ": " << s.message());
  }
  // A removed table (the last one: nothing links to it).
  if (S().tables.size() > 1) {
    Schema fewer = S();
    int gone = static_cast<int>(fewer.tables.size()) - 1;
    if (fewer.tables[gone].parent >= 0) {
      auto& kids = fewer.tables[fewer.tables[gone].parent].children;
      kids.erase(std::remove(kids.begin(), kids.end(), gone), kids.end());
    }
    fewer.tables.pop_back();
    Status s = env.TryReopen(fewer);
    BOOST_TEST((s.code() == Status::Code::kSchemaMismatch));
    BOOST_TEST(s.message().find("was removed") != std::string::npos, s.message());
  }
  // Nothing was changed by the refusals: the compiled schema still opens
  // and the records are there.
  env.Reopen();
  BOOST_TEST(Table(env.env(), t).Count().value() == 5u);
}

BOOST_AUTO_TEST_CASE(added_index_is_built_from_existing_records) {
  const TableDesc& t = FirstMain();
  if (t.indexes.empty()) return;
  Schema old = S();
  old.tables[t.position].indexes.clear();
  TempEnv env(old);
  std::vector<Uuid> uuids;
  std::mt19937_64 rng(100);
  for (int i = 0; i < 40; ++i) {
    // Values made for the full schema, so future UNIQUE keys are distinct.
    Record r = RandomRecord(t, rng, 100 + i);
    REQUIRE_OK(Table(env.env(), old.tables[t.position]).Insert(&r));
    uuids.push_back(r.uuid);
  }
  env.Reopen(S());
  Table table(env.env(), t);
  auto stats = env.env().Stat();
  REQUIRE_OK(stats);
  for (const DbStats& d : stats->dbs)
    if (d.name.rfind(t.name + ".", 0) == 0) BOOST_TEST(d.entries == 40u, d.name);
  for (const Uuid& u : uuids) {
    Record r = table.Get(u).value();
    for (const IndexDesc& index : t.indexes) {
      std::vector<Filter> f;
      for (int k : index.key_fields) f.push_back({k, r.fields[k]});
      auto page = table.Find(f, {});
      REQUIRE_OK(page);
      bool found = false;
      for (const Record& x : page->records) found = found || x.uuid == u;
      BOOST_TEST(found);
    }
  }
  // And a removed index is dropped: going back to the old schema works, and
  // mdb_stat no longer lists its database.
  env.Reopen(old);
  stats = env.env().Stat();
  for (const DbStats& d : stats->dbs) BOOST_TEST(d.name.rfind(t.name + ".", 0) != 0u, d.name);
  env.Close();
  std::string listing = env.path() + "/dbs.txt";
  BOOST_TEST(Run("mdb_stat -a " + env.path(), listing) == 0);
}

BOOST_AUTO_TEST_CASE(new_unique_index_over_duplicates_refuses_to_open) {
  const TableDesc& t = FirstMain();
  // A UNIQUE index on a field that holds repeats.
  int field = -1;
  for (std::size_t f = 0; f < t.fields.size(); ++f)
    if (!t.fields[f].is_parent_link && t.fields[f].type == FieldType::STRING &&
        !Indexed(t, static_cast<int>(f)))
      field = static_cast<int>(f);
  if (field < 0) return;
  TempEnv env;
  std::mt19937_64 rng(5);
  Table table(env.env(), t);
  for (int i = 0; i < 2; ++i) {
    Record r = RandomRecord(t, rng, 900 + i);
    r.fields[field] = std::string("same");
    REQUIRE_OK(table.Insert(&r));
  }
  Schema stricter = S();
  IndexDesc u;
  u.name = "by_" + t.fields[field].name;
  u.kind = IndexKind::UNIQUE;
  u.key_fields = {field};
  u.db_name = t.name + "." + u.name;
  stricter.tables[t.position].indexes.push_back(u);
  REQUIRE_OK(stricter.Validate());
  Status s = env.TryReopen(stricter);
  BOOST_TEST((s.code() == Status::Code::kUniqueViolation), s.message());
  env.Reopen();
  BOOST_TEST(Table(env.env(), t).Count().value() == 2u);
}

BOOST_AUTO_TEST_CASE(lmdb_tools_read_what_the_library_wrote) {
  TempEnv env;
  for (const TableDesc& t : S().tables)
    if (t.parent < 0) Fill(env.env(), t, 30, 7);
  BOOST_TEST(Run("mdb_stat -ea " + env.path()) == 0);
  BOOST_TEST(Run("mdb_dump -a " + env.path()) == 0);
  // The fingerprint is readable text in the meta database.
  std::string out = env.path() + "/meta.txt";
  BOOST_TEST(Run("mdb_dump -p -s meta " + env.path(), out) == 0);
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  BOOST_TEST(text.find("lmdb-api schema v1") != std::string::npos);
  // Every database the schema implies exists under its readable name.
  std::string names = env.path() + "/names.txt";
  BOOST_TEST(Run("mdb_stat -a " + env.path(), names) == 0);
  std::ifstream nin(names);
  std::string listing((std::istreambuf_iterator<char>(nin)), {});
  for (const TableDesc& t : S().tables) {
    BOOST_TEST(listing.find("Status of " + t.name + "\n") != std::string::npos, t.name);
    for (const IndexDesc& i : t.indexes)
      BOOST_TEST(listing.find("Status of " + i.db_name + "\n") != std::string::npos);
    if (t.parent >= 0)
      BOOST_TEST(listing.find("Status of " + t.links_db_name + "\n") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(full_map_refuses_writes_and_keeps_what_was_acknowledged) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{1} << 20;  // 1 MiB
  const TableDesc& t = FirstMain();
  std::vector<Record> acknowledged;
  {
    auto env = Env::Open(o);
    REQUIRE_OK(env);
    Table table(*env.value(), t);
    std::mt19937_64 rng(9);
    Status last;
    for (int i = 0; i < 100000; ++i) {
      Record r = RandomRecord(t, rng, i);
      Result<Uuid> got = table.Insert(&r);
      if (!got.ok()) {
        last = got.status();
        break;
      }
      acknowledged.push_back(r);
    }
    BOOST_TEST_REQUIRE((last.code() == Status::Code::kStorageFull), last.message());
    BOOST_TEST(last.message().find("LMDB_MAP_MAX") != std::string::npos);
    BOOST_TEST(table.Count().value() == acknowledged.size());
    // Reads still work, and a refused write changed nothing.
    REQUIRE_OK(table.Get(acknowledged.back().uuid));
    auto before = env.value()->Stat().value().dbs;
    Record again = RandomRecord(t, rng, 999999);
    BOOST_TEST((table.Insert(&again).status().code() == Status::Code::kStorageFull));
    auto after = env.value()->Stat().value().dbs;
    for (std::size_t i = 0; i < before.size(); ++i)
      BOOST_TEST(before[i].entries == after[i].entries, before[i].name);
    // The pages kept back from inserts let updates and deletes through.
    for (int i = 0; i < 10; ++i) {
      Record changed = RandomRecord(t, rng, 2'000'000 + i);
      changed.uuid = acknowledged[i].uuid;
      REQUIRE_OK(table.Replace(&changed));
      acknowledged[i] = changed;
    }
    for (int i = 0; i < 10; ++i) REQUIRE_OK(table.Remove(acknowledged[10 + i].uuid));
    acknowledged.erase(acknowledged.begin() + 10, acknowledged.begin() + 20);
    BOOST_TEST_MESSAGE("full map: " << acknowledged.size() << " records in 1 MiB");
  }
  o.map_size_bytes = std::uint64_t{8} << 20;
  auto env = Env::Open(o);
  REQUIRE_OK(env);
  Table table(*env.value(), t);
  for (const Record& r : acknowledged) {
    auto got = table.Get(r.uuid);
    REQUIRE_OK(got);
    BOOST_TEST((got->fields == r.fields));
  }
  std::mt19937_64 rng(10);
  Record more = RandomRecord(t, rng, 5'000'000);
  REQUIRE_OK(table.Insert(&more));
}

BOOST_AUTO_TEST_CASE(bad_options_name_what_is_wrong) {
  Options o;
  BOOST_TEST(Env::Open(o).status().subject() == "path");
  testutil::TempDir dir;
  o.path = dir.path();
  o.map_size_bytes = 10;
  BOOST_TEST(Env::Open(o).status().subject() == "map_size");
  o.map_size_bytes = 1 << 20;
  o.map_max_bytes = (1 << 20) - 4096;
  BOOST_TEST(Env::Open(o).status().subject() == "map_max");
  o.map_max_bytes = 0;
  o.path = "/proc/no-such-dir/env";
  BOOST_TEST((Env::Open(o).status().code() == Status::Code::kIOError));
}

BOOST_AUTO_TEST_CASE(stat_reports_tables_and_readers) {
  TempEnv env;
  Fill(env.env(), FirstMain(), 3, 1);
  auto st = env.env().Stat();
  REQUIRE_OK(st);
  BOOST_TEST(st->page_size >= 4096u);
  BOOST_TEST(st->used_bytes > 0u);
  BOOST_TEST(st->map_size == env.options().map_size_bytes);
  BOOST_TEST(st->max_readers >= 126u);
  bool found = false;
  for (const DbStats& d : st->dbs)
    if (d.name == FirstMain().name) found = d.entries == 3;
  BOOST_TEST(found);
  auto cleared = env.env().ClearStaleReaders();
  REQUIRE_OK(cleared);
  BOOST_TEST(cleared.value() == 0);
}

BOOST_AUTO_TEST_CASE(two_processes_see_each_others_writes) {
  // What two worker processes on one LMDB_PATH do. The child forks before
  // anything is open: an Env, like LMDB's own handle, must not be used or
  // closed in a child forked after it was opened (its committer thread
  // does not exist there).
  TempEnv env;
  const TableDesc& t = FirstMain();
  Options o = env.options();
  env.Close();
  pid_t pid = fork();
  if (pid == 0) {
    auto child = Env::Open(o);
    if (!child.ok()) _exit(2);
    std::mt19937_64 rng(77);
    Table table(*child.value(), t);
    for (int i = 0; i < 25; ++i) {
      Record r = RandomRecord(t, rng, 7000 + i);
      if (!table.Insert(&r).ok()) _exit(3);
    }
    _exit(0);
  }
  env.Reopen();
  Fill(env.env(), t, 25, 8000);
  int status = 0;
  waitpid(pid, &status, 0);
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  BOOST_TEST(Table(env.env(), t).Count().value() == 50u);
}

mode_t Mode(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

BOOST_AUTO_TEST_CASE(a_new_environment_is_private_to_its_user) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path() + "/made/by/open";
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{1} << 20;
  {
    auto env = Env::Open(o);
    REQUIRE_OK(env);
  }
  for (const std::string& d : {dir.path() + "/made", dir.path() + "/made/by", o.path})
    BOOST_TEST(Mode(d) == 0700u, d << " is mode " << std::oct << Mode(d));
  for (const char* f : {"/data.mdb", "/lock.mdb"})
    BOOST_TEST(Mode(o.path + f) == 0600u, f << " is mode " << std::oct << Mode(o.path + f));

  // A directory that exists keeps the mode its owner gave it.
  std::string shared = dir.path() + "/shared";
  BOOST_TEST_REQUIRE(mkdir(shared.c_str(), 0750) == 0);
  BOOST_TEST_REQUIRE(chmod(shared.c_str(), 0750) == 0);
  o.path = shared;
  auto env = Env::Open(o);
  REQUIRE_OK(env);
  BOOST_TEST(Mode(shared) == 0750u);
  BOOST_TEST(Mode(shared + "/data.mdb") == 0600u);
}

// Inserts from `writers` threads while `readers` threads read back what was
// acknowledged, until the map has grown to `until` bytes.
BOOST_AUTO_TEST_CASE(the_map_grows_under_concurrent_readers_and_writers) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{1} << 20;
  o.map_max_bytes = std::uint64_t{16} << 20;
  std::vector<std::string> lines;
  std::mutex lines_mu;
  o.on_map_change = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(lines_mu);
    lines.push_back(line);
  };
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  Env& env = *opened.value();
  const TableDesc& t = FirstMain();
  Table table(env, t);

  std::mutex mu;
  std::vector<Record> acked;
  std::vector<std::string> errors;
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  auto failed = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    errors.push_back(what);
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w)
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(100 + w);
      for (int i = 0; !stop.load() && i < 200000; ++i) {
        Record r = RandomRecord(t, rng, (w + 1) * 1'000'000 + i);
        if (i % 2 == 0) {
          Result<Uuid> got = table.Insert(&r);
          if (!got.ok()) return failed("insert: " + got.status().message());
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back(r);
        } else {
          // The worker's way: queued for the committer's thread. The
          // promise is the callback's: set_value may still be returning on
          // that thread when get() here has returned.
          auto done = std::make_shared<std::promise<Result<Record>>>();
          std::future<Result<Record>> answer = done->get_future();
          table.InsertAsync(r, [done](Result<Record> res) { done->set_value(std::move(res)); });
          Result<Record> res = answer.get();
          if (!res.ok()) return failed("async insert: " + res.status().message());
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back(res.value());
        }
      }
    });
  for (int rd = 0; rd < 3; ++rd)
    threads.emplace_back([&, rd] {
      std::mt19937_64 rng(200 + rd);
      while (!stop.load()) {
        Record want;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (acked.empty()) continue;
          want = acked[rng() % acked.size()];
        }
        auto got = table.Get(want.uuid);
        if (!got.ok()) return failed("get: " + got.status().message());
        if (!(got->fields == want.fields)) return failed("get: a record read back differently");
        auto n = table.Count();
        if (!n.ok()) return failed("count: " + n.status().message());
        ++reads;
      }
    });
  // Until the map reached 8 MiB (three doublings), or something failed.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    auto st = env.Stat();
    if (!st.ok()) {
      failed("stat: " + st.status().message());
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!errors.empty()) break;
    }
    if (st->map_size >= (std::uint64_t{8} << 20)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      failed("the map did not reach 8 MiB in 120 s");
      break;
    }
    std::this_thread::yield();
  }
  stop = true;
  for (std::thread& th : threads) th.join();
  BOOST_TEST(errors.empty(), errors.size() << " failures, first: "
                                           << (errors.empty() ? "" : errors.front()));
  auto st = env.Stat();
  REQUIRE_OK(st);
  BOOST_TEST(st->map_size >= (std::uint64_t{8} << 20));
  BOOST_TEST(st->map_size <= o.map_max_bytes);
  BOOST_TEST(st->map_max == o.map_max_bytes);
  BOOST_TEST(st->map_growths >= 3u);
  BOOST_TEST(lines.size() == st->map_growths, "one line per growth");
  if (!lines.empty())
    BOOST_TEST(lines.front().find("grown from 1 MiB") != std::string::npos, lines.front());
  BOOST_TEST(table.Count().value() == acked.size());
  for (const Record& r : acked) {
    auto got = table.Get(r.uuid);
    BOOST_TEST_REQUIRE(got.ok(), got.status().message());
    BOOST_TEST_REQUIRE((got->fields == r.fields));
  }
  BOOST_TEST_MESSAGE("map growth: " << acked.size() << " inserts, " << reads.load()
                                    << " reads, map " << (st->map_size >> 20) << " MiB after "
                                    << st->map_growths << " growths");
}

BOOST_AUTO_TEST_CASE(inserts_get_storage_full_only_at_the_maximum) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{1} << 20;
  o.map_max_bytes = std::uint64_t{4} << 20;
  auto env = Env::Open(o);
  REQUIRE_OK(env);
  const TableDesc& t = FirstMain();
  Table table(*env.value(), t);
  std::mt19937_64 rng(11);
  Status last;
  for (int i = 0; i < 1'000'000 && last.ok(); ++i) {
    Record r = RandomRecord(t, rng, i);
    last = table.Insert(&r).status();
  }
  BOOST_TEST_REQUIRE((last.code() == Status::Code::kStorageFull), last.message());
  auto st = env.value()->Stat();
  REQUIRE_OK(st);
  BOOST_TEST(st->map_size == o.map_max_bytes, "refused at " << st->map_size);
  BOOST_TEST(st->used_bytes > (std::uint64_t{3} << 20));
  BOOST_TEST(last.message().find("LMDB_MAP_MAX_GB") != std::string::npos, last.message());
}

BOOST_AUTO_TEST_CASE(a_process_adopts_the_map_another_process_grew) {
  // The child forks before anything is open (see env.h), waits until the
  // parent has opened the environment with a 1 MiB map that may not grow,
  // then grows it itself to 4 MiB or more by inserting. The parent's next
  // transactions get MDB_MAP_RESIZED and must adopt the larger map.
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{1} << 20;
  const TableDesc& t = FirstMain();
  int to_child[2], to_parent[2];
  BOOST_TEST_REQUIRE(pipe(to_child) == 0);
  BOOST_TEST_REQUIRE(pipe(to_parent) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    char go;
    if (read(to_child[0], &go, 1) != 1) _exit(2);
    Options grow = o;
    grow.map_max_bytes = std::uint64_t{16} << 20;
    auto child = Env::Open(grow);
    if (!child.ok()) _exit(3);
    Table table(*child.value(), t);
    std::mt19937_64 rng(5);
    std::uint32_t n = 0;
    for (;; ++n) {
      auto st = child.value()->Stat();
      if (!st.ok()) _exit(4);
      if (st->used_bytes > (std::uint64_t{3} << 20)) break;
      Record r = RandomRecord(t, rng, 3'000'000 + n);
      if (!table.Insert(&r).ok()) _exit(5);
    }
    if (write(to_parent[1], &n, sizeof n) != sizeof n) _exit(6);
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  auto env = Env::Open(o);
  REQUIRE_OK(env);
  Table table(*env.value(), t);
  std::vector<Uuid> mine = Fill(*env.value(), t, 5, 9'000'000);
  REQUIRE_OK(table.Get(mine[0]));  // leaves a reset reader in the pool
  BOOST_TEST_REQUIRE(write(to_child[1], "g", 1) == 1);
  std::uint32_t theirs = 0;
  BOOST_TEST_REQUIRE(read(to_parent[0], &theirs, sizeof theirs) == ssize_t(sizeof theirs));
  int status = 0;
  waitpid(pid, &status, 0);
  close(to_child[1]);
  close(to_parent[0]);
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0, "the child failed at step " << WEXITSTATUS(status));

  // Reads (a renewed pooled reader, a new one), a write, and Stat.
  REQUIRE_OK(table.Get(mine[0]));
  auto count = table.Count();
  REQUIRE_OK(count);
  BOOST_TEST(count.value() == theirs + 5u);
  std::mt19937_64 rng(6);
  Record r = RandomRecord(t, rng, 9'500'000);
  REQUIRE_OK(table.Insert(&r));
  auto st = env.value()->Stat();
  REQUIRE_OK(st);
  BOOST_TEST(st->map_size >= (std::uint64_t{3} << 20));
  BOOST_TEST(st->map_adoptions >= 1u);
  BOOST_TEST(st->map_growths == 0u, "this process could not grow its map itself");
}

BOOST_AUTO_TEST_SUITE_END()
