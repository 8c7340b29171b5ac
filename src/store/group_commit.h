// src/store/group_commit.h - many writers, one transaction, one fsync.
//
// With durable commits the fsync dominates a small write (about 1 ms here
// against a few microseconds of B-tree work), and LMDB allows one writer at
// a time anyway. So concurrent writes are coalesced: the first writer to
// arrive becomes the leader, takes every write queued so far, runs each in
// its own nested transaction (mdb_txn_begin with a parent) and commits the
// parent once. A write that fails aborts only its nested transaction, so it
// leaves nothing behind and never fails its neighbours. No write's Status is
// returned before the commit that holds it has returned, i.e. is durable
// under the Env's durability mode; if that commit fails, every write in it
// gets the commit's error and none of them happened.
//
// Writers that arrive while a leader commits queue up and wait; when the
// leader is done, the first of them leads the next batch. No extra thread.
// Each waiter sleeps on its own condition variable and is woken once: when
// its write is done, or when it comes to the front and must lead. (One
// shared condition variable woke every waiter after every commit, and the
// context switches cost more CPU than the writes.)

#ifndef LMDBAPI_STORE_GROUP_COMMIT_H_
#define LMDBAPI_STORE_GROUP_COMMIT_H_

#include <lmdb.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "lmdbapi/status.h"

namespace lmdbapi {

class GroupCommitter {
 public:
  // A write: runs inside a (nested) write transaction; on a non-OK Status
  // everything it did is rolled back.
  using Write = std::function<Status(MDB_txn* txn)>;

  // Most writes one transaction takes by default; bounds the latency a
  // batch adds.
  static constexpr std::size_t kMaxBatch = 256;

  // max_batch: most writes per transaction (1: one commit per write);
  // 0 = kMaxBatch. REQUIRES: max_batch <= kMaxBatch.
  GroupCommitter(MDB_env* env, std::size_t max_batch)
      : env_(env), max_batch_(max_batch == 0 ? kMaxBatch : max_batch) {}

  // Runs `write` in the next group commit and returns once it is durable
  // (OK) or rolled back (the error).
  Status Run(const Write& write);

  // Bucket i counts transactions that carried at most 2^i writes (and more
  // than 2^(i-1)); the last bucket is kMaxBatch.
  static constexpr std::size_t kBatchBuckets = 9;

  struct Counters {
    std::uint64_t commits = 0;  // write transactions committed or failed
    std::uint64_t writes = 0;   // writes they carried
    std::array<std::uint64_t, kBatchBuckets> batches{};  // by size, above
  };
  Counters counters() const;

 private:
  struct Pending {
    const Write* write;
    Status status;
    bool done = false;
    std::condition_variable cv;
  };

  void RunBatch(std::vector<Pending*>& batch);

  MDB_env* env_;
  std::size_t max_batch_;
  mutable std::mutex mu_;
  // Every write not yet done, in arrival order; the front one's thread
  // leads the batch being committed (which it does not remove until done).
  std::deque<Pending*> queue_;
  Counters counters_;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_GROUP_COMMIT_H_
