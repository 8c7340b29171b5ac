// SPDX-License-Identifier: Apache-2.0
// tests/store/changes_test.cc - the change feed: appending in every write
// (src/store/change_log.cc) and reading it (src/store/changes.cc), on
// whatever schema is compiled in.

#include <lmdb.h>

#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/admin.h"
#include "lmdbapi/changes.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::TempDir;
using lmdbapi::testutil::TempEnv;

namespace {

const Schema& S() { return Schema::Compiled(); }

// A change copied out of the read snapshot.
struct Seen {
  std::uint64_t seq, txn;
  bool txn_end;
  std::string table;
  Uuid uuid;
  ChangeOp op;
  std::uint64_t revision;
  std::string record;
};

class Collect : public ChangeSink {
 public:
  Status Add(const Change& c) override {
    seen.push_back({c.seq, c.txn, c.txn_end, std::string(c.table_name),
                    c.uuid, c.op, c.revision, std::string(c.record)});
    return Status();
  }
  std::vector<Seen> seen;
};

std::vector<Seen> ReadAll(Env& env, std::uint64_t after = 0,
                          std::vector<int> tables = {}) {
  Collect sink;
  ChangesRequest req;
  req.after = after;
  req.limit = 100000;
  req.tables = std::move(tables);
  auto page = ReadChanges(env, req, sink);
  BOOST_TEST_REQUIRE(page.ok(), page.status().message());
  return sink.seen;
}

Record Make(const TableDesc& t, std::uint64_t serial, const Uuid& parent = {}) {
  std::mt19937_64 rng(serial);
  return RandomRecord(t, rng, serial, parent);
}

// The first table with a child table, or null.
const TableDesc* ParentTable() {
  for (const TableDesc& t : S().tables)
    if (!t.children.empty()) return &t;
  return nullptr;
}

Options With(const TempDir& dir) {
  Options o;
  o.path = dir.path();
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{64} << 20;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes)

BOOST_AUTO_TEST_CASE(every_write_appends_one_change_with_the_record_after_it) {
  TempEnv e;
  const TableDesc& t = S().tables[0];
  Table table(e.env(), t);
  Record r = Make(t, 1);
  REQUIRE_OK(table.Insert(&r));
  Record again = r;
  REQUIRE_OK(table.Replace(&again));
  auto patched = table.Patch(r.uuid, {});
  REQUIRE_OK(patched);
  REQUIRE_OK(table.Remove(r.uuid));

  std::vector<Seen> seen = ReadAll(e.env());
  BOOST_TEST_REQUIRE(seen.size() == 4u);
  const ChangeOp ops[] = {ChangeOp::kInsert, ChangeOp::kUpdate,
                          ChangeOp::kUpdate, ChangeOp::kDelete};
  const std::uint64_t revisions[] = {1, 2, 3, 3};
  for (std::size_t i = 0; i < seen.size(); ++i) {
    BOOST_TEST(seen[i].seq == i + 1);
    BOOST_TEST(seen[i].txn == i + 1);  // each write its own transaction
    BOOST_TEST(seen[i].txn_end);
    BOOST_TEST(seen[i].table == t.name);
    BOOST_TEST(seen[i].uuid.ToString() == r.uuid.ToString());
    BOOST_TEST(static_cast<int>(seen[i].op) == static_cast<int>(ops[i]));
    BOOST_TEST(seen[i].revision == revisions[i]);
  }
  // The record after the write, as stored: it decodes to what was written.
  StoredRecord stored(t, r.uuid, seen[2].record);
  struct Rev : FieldVisitor {
    std::uint64_t rev = 0;
    void Revision(std::uint64_t r) override { rev = r; }
    void String(int, std::string_view) override {}
    void Int64(int, std::int64_t) override {}
    void Double(int, double) override {}
    void Bool(int, bool) override {}
    void Date(int, lmdbapi::Date) override {}
    void Timestamp(int, lmdbapi::Timestamp) override {}
    void Uuid(int, const lmdbapi::Uuid&) override {}
    void Null(int) override {}
  } rev;
  REQUIRE_OK(stored.Visit(rev));
  BOOST_TEST(rev.rev == 3u);
  BOOST_TEST(seen[3].record.empty());  // nothing after a delete
}

BOOST_AUTO_TEST_CASE(a_cascade_delete_is_one_transaction_of_contiguous_changes) {
  const TableDesc* parent = ParentTable();
  if (parent == nullptr) return;  // this schema has no links
  const TableDesc& child = S().tables[parent->children[0]];
  TempEnv e;
  Record p = Make(*parent, 10);
  if (parent->parent >= 0) {  // a grandchild table: give it its own parent
    Record gp = Make(S().tables[parent->parent], 9);
    REQUIRE_OK(Table(e.env(), S().tables[parent->parent]).Insert(&gp));
    p = Make(*parent, 10, gp.uuid);
  }
  REQUIRE_OK(Table(e.env(), *parent).Insert(&p));
  for (std::uint64_t i = 0; i < 3; ++i) {
    Record c = Make(child, 20 + i, p.uuid);
    REQUIRE_OK(Table(e.env(), child).Insert(&c));
  }
  auto before = GetChangeBounds(e.env());
  REQUIRE_OK(before);
  REQUIRE_OK(Table(e.env(), *parent).Remove(p.uuid));

  std::vector<Seen> seen = ReadAll(e.env(), before->newest);
  BOOST_TEST_REQUIRE(seen.size() >= 4u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    BOOST_TEST(seen[i].seq == before->newest + 1 + i);
    BOOST_TEST(seen[i].txn == before->newest + 1);
    BOOST_TEST((seen[i].op == ChangeOp::kDelete));
    BOOST_TEST(seen[i].txn_end == (i + 1 == seen.size()));
  }
  BOOST_TEST(seen.back().uuid.ToString() == p.uuid.ToString());  // children go first
}

BOOST_AUTO_TEST_CASE(a_write_that_fails_takes_no_sequence_number) {
  TempEnv e;
  const TableDesc& t = S().tables[0];
  Table table(e.env(), t);
  Record a = Make(t, 1);
  REQUIRE_OK(table.Insert(&a));
  Record dup = Make(t, 2);
  dup.uuid = a.uuid;
  BOOST_TEST(!table.Insert(&dup).ok());
  BOOST_TEST(!table.Remove(Uuid::New()).ok());

  // Concurrent writes share a commit; a failing one among them (nested
  // transaction aborted) leaves no gap and no stray marker.
  std::mutex mu;
  std::condition_variable cv;
  int pending = 9;
  for (int i = 0; i < 9; ++i) {
    Record r = Make(t, 100 + i);
    if (i == 4) r.uuid = a.uuid;  // fails: the uuid is taken
    table.InsertAsync(std::move(r), [&](Result<Record>) {
      std::lock_guard<std::mutex> lock(mu);
      if (--pending == 0) cv.notify_one();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending == 0; });
  }
  std::vector<Seen> seen = ReadAll(e.env());
  BOOST_TEST_REQUIRE(seen.size() == 9u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    BOOST_TEST(seen[i].seq == i + 1);
    BOOST_TEST(seen[i].txn == i + 1);
    BOOST_TEST(seen[i].txn_end);
  }
}

BOOST_AUTO_TEST_CASE(pages_continue_from_next_and_a_tables_filter_skips_others) {
  TempEnv e;
  const TableDesc& t = S().tables[0];
  const TableDesc* other = nullptr;
  for (const TableDesc& u : S().tables)
    if (u.parent < 0 && u.position != t.position) other = &u;
  for (std::uint64_t i = 0; i < 10; ++i) {
    Record r = Make(t, 1 + i);
    REQUIRE_OK(Table(e.env(), t).Insert(&r));
    if (other != nullptr) {
      Record o = Make(*other, 1000 + i);
      REQUIRE_OK(Table(e.env(), *other).Insert(&o));
    }
  }
  std::uint64_t total = other != nullptr ? 20 : 10;
  std::vector<std::uint64_t> seqs;
  ChangesRequest req;
  req.limit = 3;
  for (int calls = 0; calls < 20; ++calls) {
    Collect sink;
    auto page = ReadChanges(e.env(), req, sink);
    REQUIRE_OK(page);
    BOOST_TEST(page->count == sink.seen.size());
    BOOST_TEST(page->count <= 3u);
    for (const Seen& s : sink.seen) seqs.push_back(s.seq);
    if (page->count == 0) {
      BOOST_TEST(page->next == req.after);
      break;
    }
    req.after = page->next;
  }
  BOOST_TEST_REQUIRE(seqs.size() == total);
  for (std::size_t i = 0; i < seqs.size(); ++i) BOOST_TEST(seqs[i] == i + 1);

  std::vector<Seen> only = ReadAll(e.env(), 0, {t.position});
  BOOST_TEST(only.size() == 10u);
  for (const Seen& s : only) BOOST_TEST(s.table == t.name);
}

BOOST_AUTO_TEST_CASE(retention_by_count_trims_the_oldest_and_reports_them_gone) {
  TempDir dir;
  Options o = With(dir);
  o.changes_retain_count = 5;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  Env& env = *opened.value();
  const TableDesc& t = S().tables[0];
  for (std::uint64_t i = 0; i < 20; ++i) {
    Record r = Make(t, 1 + i);
    REQUIRE_OK(Table(env, t).Insert(&r));
  }
  auto b = GetChangeBounds(env);
  REQUIRE_OK(b);
  BOOST_TEST(b->newest == 20u);
  BOOST_TEST(b->oldest == 16u);  // trimmed as each write committed

  Collect sink;
  ChangesRequest req;
  req.after = 3;
  std::uint64_t oldest = 0;
  auto page = ReadChanges(env, req, sink, &oldest);
  BOOST_TEST((page.status().code() == Status::Code::kNotFound));
  BOOST_TEST(oldest == 16u);
  BOOST_TEST(page.status().message().find("16") != std::string::npos);
  req.after = 15;  // the change after it is still held
  REQUIRE_OK(ReadChanges(env, req, sink));
  BOOST_TEST(sink.seen.size() == 5u);
  BOOST_TEST(ReadAll(env).size() == 5u);  // after 0: from the oldest
}

BOOST_AUTO_TEST_CASE(retention_never_trims_the_newest_so_seqs_never_restart) {
  TempDir dir;
  Options o = With(dir);
  o.changes_retain_seconds = 1;
  o.changes_retain_count = 1;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  Env& env = *opened.value();
  const TableDesc& t = S().tables[0];
  for (std::uint64_t i = 0; i < 3; ++i) {
    Record r = Make(t, 1 + i);
    REQUIRE_OK(Table(env, t).Insert(&r));
  }
  auto b = GetChangeBounds(env);
  REQUIRE_OK(b);
  BOOST_TEST(b->oldest == 3u);
  BOOST_TEST(b->newest == 3u);
}

BOOST_AUTO_TEST_CASE(with_the_feed_off_writes_append_nothing) {
  TempDir dir;
  Options o = With(dir);
  o.changes = false;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  Env& env = *opened.value();
  const TableDesc& t = S().tables[0];
  Record r = Make(t, 1);
  REQUIRE_OK(Table(env, t).Insert(&r));
  auto b = GetChangeBounds(env);
  REQUIRE_OK(b);
  BOOST_TEST(b->newest == 0u);
  BOOST_TEST(ReadAll(env).empty());
}

BOOST_AUTO_TEST_CASE(an_environment_from_before_the_feed_opens_and_starts_it) {
  TempEnv e;
  const TableDesc& t = S().tables[0];
  Record r = Make(t, 1);
  REQUIRE_OK(Table(e.env(), t).Insert(&r));
  e.Close();
  {  // What an earlier release left: no changes database.
    MDB_env* raw;
    BOOST_TEST_REQUIRE(mdb_env_create(&raw) == 0);
    mdb_env_set_maxdbs(raw, 64);
    BOOST_TEST_REQUIRE(mdb_env_open(raw, e.path().c_str(), 0, 0600) == 0);
    MDB_txn* txn;
    MDB_dbi dbi;
    BOOST_TEST_REQUIRE(mdb_txn_begin(raw, nullptr, 0, &txn) == 0);
    BOOST_TEST_REQUIRE(mdb_dbi_open(txn, "changes", 0, &dbi) == 0);
    BOOST_TEST_REQUIRE(mdb_drop(txn, dbi, 1) == 0);
    BOOST_TEST_REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(raw);
  }
  e.Reopen();
  BOOST_TEST(ReadAll(e.env()).empty());
  REQUIRE_OK(Table(e.env(), t).Remove(r.uuid));
  std::vector<Seen> seen = ReadAll(e.env());
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0].seq == 1u);
}

BOOST_AUTO_TEST_CASE(check_walks_the_feed_and_stats_list_it) {
  TempEnv e;
  const TableDesc& t = S().tables[0];
  for (std::uint64_t i = 0; i < 4; ++i) {
    Record r = Make(t, 1 + i);
    REQUIRE_OK(Table(e.env(), t).Insert(&r));
  }
  auto summary = Check(e.env(), [](const CheckProblem& p) {
    BOOST_TEST_MESSAGE(p.db << " " << p.what);
  });
  REQUIRE_OK(summary);
  BOOST_TEST(summary->changes == 4u);
  BOOST_TEST(summary->problems == 0u);
  auto stats = e.env().Stat();
  REQUIRE_OK(stats);
  bool listed = false;
  for (const DbStats& d : stats->dbs)
    if (d.name == "changes") listed = d.entries == 4;
  BOOST_TEST(listed);
}

BOOST_AUTO_TEST_SUITE_END()
