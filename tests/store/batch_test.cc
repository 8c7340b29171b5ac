// SPDX-License-Identifier: Apache-2.0
// tests/store/batch_test.cc - RunBatch and RunBatchAsync, with and without
// idempotency keys (src/store/batch.cc, src/store/idempotency.cc), on
// whatever schema is compiled in.

#include <lmdb.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/batch.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::TempEnv;

namespace {

const Schema& S() { return Schema::Compiled(); }

std::map<std::string, std::uint64_t> Entries(Env& env) {
  auto stats = env.Stat();
  BOOST_TEST_REQUIRE(stats.ok());
  std::map<std::string, std::uint64_t> out;
  for (const DbStats& d : stats->dbs) out[d.name] = d.entries;
  return out;
}

// A child table (one with a parent) of the schema; every schema shipped has
// one.
const TableDesc& Child() {
  for (const TableDesc& t : S().tables)
    if (t.parent >= 0) return t;
  BOOST_FAIL("the schema has no child table");
  return S().tables.front();
}

std::uint64_t serial = 3'000'000'000;

// An insert of `table`, its parent link taken from operation parent_op (if
// >= 0) or holding `parent`.
BatchOp InsertOp(const TableDesc& table, std::mt19937_64& rng,
                 int parent_op = -1, Uuid parent = {}) {
  BatchOp op;
  op.kind = BatchOp::Kind::kInsert;
  op.table = &table;
  op.record = RandomRecord(table, rng, ++serial, parent);
  if (parent_op >= 0) op.refs.push_back({table.link_field, parent_op});
  return op;
}

// The chain root -> ... -> Child(), one insert each, each linked to the
// insert before it by a $ref.
std::vector<BatchOp> Chain(std::mt19937_64& rng) {
  std::vector<const TableDesc*> tables;
  for (const TableDesc* t = &Child();; t = &S().tables[t->parent]) {
    tables.insert(tables.begin(), t);
    if (t->parent < 0) break;
  }
  std::vector<BatchOp> ops;
  for (std::size_t i = 0; i < tables.size(); ++i)
    ops.push_back(InsertOp(*tables[i], rng, static_cast<int>(i) - 1));
  return ops;
}

IdempotencyKey Key(std::string key, std::string digest, std::uint64_t now) {
  IdempotencyKey k;
  k.key = std::move(key);
  k.digest = std::move(digest);
  k.now = now;
  k.ttl_seconds = 100;
  k.answer = [](const std::vector<Record>& records) {
    return "answer for " + records.front().uuid.ToString();
  };
  return k;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batch)

BOOST_AUTO_TEST_CASE(a_ref_chain_inserts_parent_and_children_together) {
  TempEnv env;
  std::mt19937_64 rng(1);
  std::vector<BatchOp> ops = Chain(rng);
  const std::size_t n = ops.size();
  BatchOutcome out = RunBatch(env.env(), ops);
  REQUIRE_OK(out.status);
  BOOST_TEST_REQUIRE(out.records.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    const TableDesc& t = *ops[i].table;
    auto got = Table(env.env(), t).Get(out.records[i].uuid);
    REQUIRE_OK(got);
    BOOST_TEST(got->revision == 1u);
    if (i > 0)
      BOOST_TEST((std::get<Uuid>(got->fields[t.link_field]) ==
                 out.records[i - 1].uuid));
  }
}

BOOST_AUTO_TEST_CASE(a_failing_last_operation_writes_nothing_and_is_named) {
  TempEnv env;
  std::mt19937_64 rng(2);
  const auto before = Entries(env.env());
  std::vector<BatchOp> ops = Chain(rng);
  BatchOp missing;
  missing.kind = BatchOp::Kind::kRemove;
  missing.table = &S().tables.front();
  missing.uuid.uuid = Uuid::New();
  ops.push_back(missing);
  BatchOutcome out = RunBatch(env.env(), ops);
  BOOST_TEST((out.status.code() == Status::Code::kNotFound));
  BOOST_TEST(out.failed == static_cast<int>(ops.size()) - 1);
  BOOST_TEST(out.records.empty());
  BOOST_TEST(Entries(env.env()) == before);
}

BOOST_AUTO_TEST_CASE(each_operation_fails_with_its_table_calls_status) {
  TempEnv env;
  std::mt19937_64 rng(3);
  const TableDesc& root = S().tables.front();
  Record r = RandomRecord(root, rng, ++serial);
  REQUIRE_OK(Table(env.env(), root).Insert(&r));

  BatchOp stale;  // a replace at the wrong revision: kConflict
  stale.kind = BatchOp::Kind::kReplace;
  stale.table = &root;
  stale.uuid.uuid = r.uuid;
  stale.record = RandomRecord(root, rng, ++serial);
  stale.expected_revision = 7;
  BatchOutcome out = RunBatch(env.env(), {InsertOp(root, rng), stale});
  BOOST_TEST((out.status.code() == Status::Code::kConflict));
  BOOST_TEST(out.failed == 1);

  BatchOp orphan = InsertOp(Child(), rng, -1, Uuid::New());  // no parent
  out = RunBatch(env.env(), {orphan});
  BOOST_TEST((out.status.code() == Status::Code::kMissingParent));
  BOOST_TEST(out.failed == 0);

  BatchOp bad_patch;  // a field named twice: refused before the commit
  bad_patch.kind = BatchOp::Kind::kPatch;
  bad_patch.table = &root;
  bad_patch.uuid.uuid = r.uuid;
  bad_patch.patch = {{0, r.fields[0]}, {0, r.fields[0]}};
  out = RunBatch(env.env(), {InsertOp(root, rng), InsertOp(root, rng),
                             bad_patch});
  BOOST_TEST((out.status.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(out.failed == 2);
  auto count = Table(env.env(), root).Count();
  REQUIRE_OK(count);
  BOOST_TEST(count.value() == 1u);
}

BOOST_AUTO_TEST_CASE(a_ref_must_name_an_earlier_insert) {
  TempEnv env;
  std::mt19937_64 rng(4);
  const TableDesc& root = S().tables.front();
  // Forward reference.
  BatchOp child = InsertOp(Child(), rng, 1);
  BatchOutcome out = RunBatch(env.env(), {InsertOp(root, rng), child});
  BOOST_TEST((out.status.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(out.failed == 1);
  BOOST_TEST(out.status.subject() == "$ref");
  // A reference to a remove.
  Record r = RandomRecord(root, rng, ++serial);
  REQUIRE_OK(Table(env.env(), root).Insert(&r));
  BatchOp remove;
  remove.kind = BatchOp::Kind::kRemove;
  remove.table = &root;
  remove.uuid.uuid = r.uuid;
  BatchOp again = remove;
  again.uuid = {Uuid(), 0};
  out = RunBatch(env.env(), {remove, again});
  BOOST_TEST((out.status.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(out.failed == 1);
  REQUIRE_OK(Table(env.env(), root).Get(r.uuid));
  // An empty batch.
  out = RunBatch(env.env(), {});
  BOOST_TEST((out.status.code() == Status::Code::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(later_operations_see_earlier_ones_by_ref) {
  TempEnv env;
  std::mt19937_64 rng(5);
  const TableDesc& root = S().tables.front();
  BatchOp patch;
  patch.kind = BatchOp::Kind::kPatch;
  patch.table = &root;
  patch.uuid = {Uuid(), 0};
  patch.expected_revision = 1;
  BatchOp remove;
  remove.kind = BatchOp::Kind::kRemove;
  remove.table = &root;
  remove.uuid = {Uuid(), 0};
  remove.expected_revision = 2;
  BatchOutcome out = RunBatch(env.env(), {InsertOp(root, rng), patch, remove});
  REQUIRE_OK(out.status);
  BOOST_TEST(out.records[1].revision == 2u);
  BOOST_TEST((out.records[2].uuid == out.records[0].uuid));
  BOOST_TEST((Table(env.env(), root).Get(out.records[0].uuid).status().code() ==
             Status::Code::kNotFound));
}

BOOST_AUTO_TEST_CASE(async_batch_tells_done_once_after_the_commit) {
  TempEnv env;
  std::mt19937_64 rng(6);
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  BatchOutcome got;
  RunBatchAsync(env.env(), Chain(rng), std::nullopt, [&](BatchOutcome o) {
    std::lock_guard<std::mutex> lock(mu);
    got = std::move(o);
    ++calls;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  BOOST_TEST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(30),
                                 [&] { return calls > 0; }));
  REQUIRE_OK(got.status);
  REQUIRE_OK(Table(env.env(), *Chain(rng).back().table)
                 .Get(got.records.back().uuid));
  // Refused before queueing: told on this thread, before the return.
  lock.unlock();
  RunBatchAsync(env.env(), {}, std::nullopt, [&](BatchOutcome o) {
    std::lock_guard<std::mutex> l(mu);
    got = std::move(o);
    ++calls;
  });
  lock.lock();
  BOOST_TEST(calls == 2);
  BOOST_TEST((got.status.code() == Status::Code::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(a_key_repeated_with_the_same_digest_replays_and_writes_nothing) {
  TempEnv env;
  std::mt19937_64 rng(7);
  const TableDesc& root = S().tables.front();
  BatchOutcome first = RunBatch(env.env(), {InsertOp(root, rng)},
                                Key("k1", "digest-a", 1000));
  REQUIRE_OK(first.status);
  BOOST_TEST(!first.replayed.has_value());
  const std::string answer = "answer for " + first.records[0].uuid.ToString();
  const auto after_first = Entries(env.env());

  BatchOutcome again = RunBatch(env.env(), {InsertOp(root, rng)},
                                Key("k1", "digest-a", 1050));
  REQUIRE_OK(again.status);
  BOOST_TEST_REQUIRE(again.replayed.has_value());
  BOOST_TEST(*again.replayed == answer);
  BOOST_TEST(again.records.empty());
  BOOST_TEST(Entries(env.env()) == after_first);

  auto stored = LookupIdempotencyKey(env.env(), "k1", 1050);
  REQUIRE_OK(stored);
  BOOST_TEST_REQUIRE(stored->has_value());
  BOOST_TEST(stored.value()->answer == answer);
  BOOST_TEST(stored.value()->expires_at == 1100u);
}

BOOST_AUTO_TEST_CASE(a_key_repeated_with_another_digest_is_refused) {
  TempEnv env;
  std::mt19937_64 rng(8);
  const TableDesc& root = S().tables.front();
  REQUIRE_OK(RunBatch(env.env(), {InsertOp(root, rng)},
                      Key("k2", "digest-a", 1000)).status);
  const auto before = Entries(env.env());
  BatchOutcome out = RunBatch(env.env(), {InsertOp(root, rng)},
                              Key("k2", "digest-b", 1001));
  BOOST_TEST((out.status.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(out.status.subject() == "Idempotency-Key");
  BOOST_TEST(out.key_reused);
  BOOST_TEST(out.failed == -1);
  BOOST_TEST(Entries(env.env()) == before);
}

BOOST_AUTO_TEST_CASE(a_failed_batch_stores_no_key) {
  TempEnv env;
  std::mt19937_64 rng(9);
  BatchOp orphan = InsertOp(Child(), rng, -1, Uuid::New());
  BatchOutcome out = RunBatch(env.env(), {orphan}, Key("k3", "d", 1000));
  BOOST_TEST((out.status.code() == Status::Code::kMissingParent));
  auto stored = LookupIdempotencyKey(env.env(), "k3", 1000);
  REQUIRE_OK(stored);
  BOOST_TEST(!stored->has_value());
  // The retry, with the parent there this time, runs.
  out = RunBatch(env.env(), Chain(rng), Key("k3", "d", 1001));
  REQUIRE_OK(out.status);
  BOOST_TEST(!out.replayed.has_value());
}

BOOST_AUTO_TEST_CASE(expired_keys_are_free_again_and_swept_in_steps) {
  TempEnv env;
  std::mt19937_64 rng(10);
  const TableDesc& root = S().tables.front();
  for (int i = 0; i < 40; ++i)
    REQUIRE_OK(RunBatch(env.env(), {InsertOp(root, rng)},
                        Key("old" + std::to_string(i), "d", 1000)).status);
  BOOST_TEST(Entries(env.env())["idempotency-keys"] == 40u);
  // Past the ttl (100 s) the key answers nothing and may run again; that
  // keyed write also sweeps kIdempotencySweepStep expired keys.
  auto stored = LookupIdempotencyKey(env.env(), "old0", 1100);
  REQUIRE_OK(stored);
  BOOST_TEST(!stored->has_value());
  BatchOutcome out = RunBatch(env.env(), {InsertOp(root, rng)},
                              Key("old0", "other", 1100));
  REQUIRE_OK(out.status);
  BOOST_TEST(!out.replayed.has_value());
  // old0 itself was replaced (39 expired keys and old0 anew), then
  // kIdempotencySweepStep of the 39 went.
  auto e = Entries(env.env());
  BOOST_TEST(e["idempotency-keys"] == 40u - kIdempotencySweepStep);
  BOOST_TEST(e["idempotency-expiry"] == 40u - kIdempotencySweepStep);
  // The re-stored key has a later expiry: a sweep leaves it alone.
  auto swept = SweepIdempotencyKeys(env.env(), 1100, 1000);
  REQUIRE_OK(swept);
  BOOST_TEST(swept.value() == 39u - kIdempotencySweepStep);
  e = Entries(env.env());
  BOOST_TEST(e["idempotency-keys"] == 1u);
  BOOST_TEST(e["idempotency-expiry"] == 1u);
  stored = LookupIdempotencyKey(env.env(), "old0", 1150);
  REQUIRE_OK(stored);
  BOOST_TEST(stored->has_value());
}

BOOST_AUTO_TEST_CASE(a_data_directory_without_key_databases_opens) {
  TempEnv env;
  std::mt19937_64 rng(11);
  const TableDesc& root = S().tables.front();
  Record r = RandomRecord(root, rng, ++serial);
  REQUIRE_OK(Table(env.env(), root).Insert(&r));
  env.Close();
  // As the previous release left it: no idempotency databases.
  {
    MDB_env* raw;
    BOOST_TEST_REQUIRE(mdb_env_create(&raw) == 0);
    mdb_env_set_maxdbs(raw, 64);
    mdb_env_set_mapsize(raw, std::size_t{256} << 20);
    BOOST_TEST_REQUIRE(mdb_env_open(raw, env.path().c_str(), 0, 0600) == 0);
    MDB_txn* txn;
    BOOST_TEST_REQUIRE(mdb_txn_begin(raw, nullptr, 0, &txn) == 0);
    for (const char* name : {"idempotency-keys", "idempotency-expiry"}) {
      MDB_dbi dbi;
      BOOST_TEST_REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
      BOOST_TEST_REQUIRE(mdb_drop(txn, dbi, 1) == 0);
    }
    BOOST_TEST_REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(raw);
  }
  env.Reopen();
  REQUIRE_OK(Table(env.env(), root).Get(r.uuid));
  REQUIRE_OK(RunBatch(env.env(), {InsertOp(root, rng)}, Key("k", "d", 1))
                 .status);
  BOOST_TEST(Entries(env.env())["idempotency-keys"] == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
