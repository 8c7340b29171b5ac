// SPDX-License-Identifier: Apache-2.0
// tests/store/group_commit_test.cc - concurrent writers share commits, and
// one writer's failure never fails or half-writes its neighbours.

#include "store/group_commit.h"

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/table.h"
#include "record_gen.h"
#include "store/env_impl.h"
#include "testutil.h"

using namespace lmdbapi;

namespace {

// Puts key -> "v" into the meta database.
Status PutMeta(Env::Impl& impl, MDB_txn* txn, const std::string& key) {
  std::string val = "v";
  MDB_val k{key.size(), const_cast<char*>(key.data())},
      v{val.size(), val.data()};
  if (mdb_put(txn, impl.meta, &k, &v, 0) != MDB_SUCCESS)
    return Status::IOError("put " + key);
  return Status();
}

// Whether a committed transaction holds key, seen from a new reader.
bool Committed(Env::Impl& impl, const std::string& key) {
  MDB_txn* txn;
  if (mdb_txn_begin(impl.env, nullptr, MDB_RDONLY, &txn) != 0) return false;
  MDB_val k{key.size(), const_cast<char*>(key.data())}, v;
  bool found = mdb_get(txn, impl.meta, &k, &v) == MDB_SUCCESS;
  mdb_txn_abort(txn);
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_commit)

BOOST_AUTO_TEST_CASE(concurrent_writes_are_grouped_and_each_is_all_or_nothing) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.durability = Durability::kSync;  // the case group commit is for
  o.map_size_bytes = std::uint64_t{64} << 20;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  Env& env = *opened.value();
  const TableDesc* t = nullptr;
  for (const TableDesc& d : env.schema().tables)
    if (d.parent < 0 && !testutil::UniqueFields(d).empty()) t = &d;
  if (t == nullptr) t = &env.schema().tables[0];
  bool has_unique = !testutil::UniqueFields(*t).empty();

  const int kThreads = 8, kPerThread = 60;
  std::atomic<int> ok{0}, refused{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      std::mt19937_64 rng(th);
      Table table(env, *t);
      for (int i = 0; i < kPerThread; ++i) {
        // Every third write repeats a UNIQUE key another thread also uses:
        // exactly one of each pair may win.
        std::uint64_t serial = (i % 3 == 0 && has_unique)
                                   ? 1'000'000 + i
                                   : th * 10'000 + i;
        Record r = testutil::RandomRecord(*t, rng, serial);
        Result<Uuid> got = table.Insert(&r);
        if (got.ok()) {
          ++ok;
        } else if (got.status().code() == Status::Code::kUniqueViolation) {
          ++refused;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(wrong.load() == 0);
  Table table(env, *t);
  BOOST_TEST(table.Count().value() == static_cast<std::uint64_t>(ok.load()));
  if (has_unique) {
    // Each contested key was won exactly once.
    BOOST_TEST(refused.load() == (kThreads - 1) * ((kPerThread + 2) / 3));
  }
  auto st = env.Stat();
  REQUIRE_OK(st);
  for (const DbStats& d : st->dbs)
    if (d.name.rfind(t->name + ".", 0) == 0)
      BOOST_TEST(d.entries == static_cast<std::uint64_t>(ok.load()), d.name);
  BOOST_TEST(st->writes == static_cast<std::uint64_t>(kThreads * kPerThread));
  BOOST_TEST(st->write_commits <= st->writes);
  BOOST_TEST_MESSAGE("group commit: " << st->writes << " writes in "
                                      << st->write_commits << " commits");
}

BOOST_AUTO_TEST_CASE(a_failed_write_rolls_back_only_itself) {
  testutil::TempEnv env;
  Env::Impl& impl = env.env().impl();
  const TableDesc& t = env.env().schema().tables[0];
  // Drive the committer directly with a batch in which the middle write
  // puts a record and then fails: its put must vanish, the others stay.
  GroupCommitter gc(impl, 0);
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  std::vector<Status> results(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      ++started;
      results[i] = gc.Run([&, i](MDB_txn* txn) -> Status {
        std::string key = "k" + std::to_string(i), val = "v";
        MDB_val k{key.size(), key.data()}, v{val.size(), val.data()};
        int rc = mdb_put(txn, impl.meta, &k, &v, 0);
        if (rc != MDB_SUCCESS) return Status::IOError("put");
        if (i == 1) return Status::InvalidArgument("x", "fails on purpose");
        return Status();
      });
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(results[0].ok());
  BOOST_TEST(!results[1].ok());
  BOOST_TEST(results[2].ok());
  MDB_txn* txn;
  BOOST_TEST_REQUIRE(mdb_txn_begin(impl.env, nullptr, MDB_RDONLY, &txn) == 0);
  for (int i = 0; i < 3; ++i) {
    std::string key = "k" + std::to_string(i);
    MDB_val k{key.size(), key.data()}, v;
    BOOST_TEST((mdb_get(txn, impl.meta, &k, &v) == MDB_SUCCESS) == (i != 1));
  }
  mdb_txn_abort(txn);
  (void)t;
}

// The first write holds the committer while 20 more queue (Submit returns
// at once); each done then runs once, on the committer's thread, after a
// commit that a new reader sees, with the failing writes' puts gone and
// their neighbours' kept, in batches of at most max_batch.
BOOST_AUTO_TEST_CASE(submit_is_done_once_per_write_after_its_commit) {
  testutil::TempEnv env;
  Env::Impl& impl = env.env().impl();
  const std::size_t kMaxBatch = 4;
  const int kQueued = 20;
  GroupCommitter gc(impl, kMaxBatch);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> leading;
  std::atomic<int> finished{0};
  std::vector<std::atomic<int>> calls(kQueued + 1);
  std::vector<Status> results(kQueued + 1);
  std::vector<bool> visible(kQueued + 1);
  std::vector<std::thread::id> done_on(kQueued + 1);
  auto done_for = [&](int i) {
    return [&, i](Status s) {
      ++calls[i];
      results[i] = s;
      visible[i] = Committed(impl, "s" + std::to_string(i));
      done_on[i] = std::this_thread::get_id();
      ++finished;
    };
  };
  gc.Submit(
      [&](MDB_txn* txn) {
        leading.set_value();
        released.wait();
        return PutMeta(impl, txn, "s0");
      },
      done_for(0));
  leading.get_future().wait();
  for (int i = 1; i <= kQueued; ++i)
    gc.Submit(
        [&, i](MDB_txn* txn) -> Status {
          Status s = PutMeta(impl, txn, "s" + std::to_string(i));
          if (s.ok() && i % 3 == 0)
            return Status::InvalidArgument("x", "fails on purpose");
          return s;
        },
        done_for(i));
  // Queued behind the held committer: nothing may be done yet.
  for (int i = 0; i <= kQueued; ++i) BOOST_TEST(calls[i].load() == 0);
  release.set_value();
  for (int waited = 0; finished.load() < kQueued + 1 && waited < 1000; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  for (int i = 0; i <= kQueued; ++i) {
    bool fails = i % 3 == 0 && i != 0;
    BOOST_TEST(calls[i].load() == 1, "write " << i);
    BOOST_TEST(results[i].ok() == !fails, "write " << i);
    BOOST_TEST(visible[i] == !fails, "write " << i);
    BOOST_TEST(Committed(impl, "s" + std::to_string(i)) == !fails);
    BOOST_TEST((done_on[i] == done_on[0]), "write " << i);
    BOOST_TEST((done_on[i] != std::this_thread::get_id()), "write " << i);
  }
  GroupCommitter::Counters c = gc.counters();
  BOOST_TEST(c.writes == static_cast<std::uint64_t>(kQueued + 1));
  BOOST_TEST(c.commits == 1u + (kQueued + kMaxBatch - 1) / kMaxBatch);
  for (std::size_t b = 3; b < GroupCommitter::kBatchBuckets; ++b)
    BOOST_TEST(c.batches[b] == 0u, "no batch over " << kMaxBatch);
}

// Run is Submit plus a wait, among other writers' Submits.
BOOST_AUTO_TEST_CASE(run_returns_the_write_status_while_submits_go_on) {
  testutil::TempEnv env;
  Env::Impl& impl = env.env().impl();
  GroupCommitter gc(impl, 0);
  std::atomic<int> done{0}, failed{0};
  std::thread submitter([&] {
    for (int i = 0; i < 200; ++i)
      gc.Submit([&, i](MDB_txn* txn) {
                  return PutMeta(impl, txn, "a" + std::to_string(i));
                },
                [&](Status s) {
                  if (!s.ok()) ++failed;
                  ++done;
                });
  });
  for (int i = 0; i < 50; ++i) {
    Status s = gc.Run([&, i](MDB_txn* txn) -> Status {
      if (i % 2 == 0) return Status::Conflict("fails on purpose");
      return PutMeta(impl, txn, "r" + std::to_string(i));
    });
    BOOST_TEST(s.ok() == (i % 2 == 1));
    BOOST_TEST(Committed(impl, "r" + std::to_string(i)) == (i % 2 == 1));
  }
  submitter.join();
  // Batches are done in queue order: once a later Run returns, every
  // Submit before it is done.
  REQUIRE_OK(gc.Run([](MDB_txn*) { return Status(); }));
  BOOST_TEST(done.load() == 200);
  BOOST_TEST(failed.load() == 0);
}

BOOST_AUTO_TEST_CASE(max_batch_writes_one_gives_every_write_its_own_commit) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.durability = Durability::kNoSync;
  o.map_size_bytes = std::uint64_t{64} << 20;
  o.max_batch_writes = 1;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  Env& env = *opened.value();
  const TableDesc& t = env.schema().tables[0];
  const int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&, th] {
      std::mt19937_64 rng(th);
      Table table(env, t);
      for (int i = 0; i < kPerThread; ++i) {
        Record r = testutil::RandomRecord(t, rng, th * 10'000 + i);
        if (!table.Insert(&r).ok()) ++failed;
      }
    });
  for (auto& th : threads) th.join();
  BOOST_TEST(failed.load() == 0);
  auto st = env.Stat();
  REQUIRE_OK(st);
  BOOST_TEST(st->writes == static_cast<std::uint64_t>(kThreads * kPerThread));
  BOOST_TEST(st->write_commits == st->writes);
}

BOOST_AUTO_TEST_CASE(max_batch_writes_over_the_limit_is_refused_by_name) {
  testutil::TempDir dir;
  Options o;
  o.path = dir.path();
  o.max_batch_writes = GroupCommitter::kMaxBatch + 1;
  auto opened = Env::Open(o);
  BOOST_TEST_REQUIRE(!opened.ok());
  BOOST_TEST((opened.status().code() == Status::Code::kInvalidArgument));
  BOOST_TEST(opened.status().subject() == "max_batch_writes");
}

BOOST_AUTO_TEST_SUITE_END()
