// SPDX-License-Identifier: Apache-2.0
// src/store/group_commit.h - many writers, one transaction, one fsync.
//
// With durable commits the fsync dominates a small write (about 1 ms here
// against a few microseconds of B-tree work), and LMDB allows one writer at
// a time anyway. So concurrent writes are coalesced: the committer takes
// every write queued so far, runs each in its own nested transaction
// (mdb_txn_begin with a parent) and commits the parent once. A write that fails aborts only its nested transaction, so it
// leaves nothing behind and never fails its neighbours. No write's Status is
// handed out (Run's return, Submit's `done`) before the commit that holds it
// has returned, i.e. is durable under the Env's durability mode; if that
// commit fails, every write in it gets the commit's error and none of them
// happened.
//
// Writers need not wait for their commit: Submit queues the write and
// returns at once; the committer's own thread takes every write queued so
// far as one batch, commits it, and calls each write's `done`. This is what
// the HTTP worker uses: a request thread hands its write over and goes back
// to its other connections, and the committer answers every request of the
// batch, so a write costs no thread's sleep and wake-up (the largest CPU
// cost of durable inserts when each writer slept until its commit). Run is
// Submit plus that wait, for callers that want the Status back.
//
// A batch that runs out of map (MDB_MAP_FULL) is rolled back whole, the
// map grows (map_growth.h) and the batch runs again; only once the map is
// at its maximum do the writes that do not fit get kStorageFull, and the
// rest commit.
//
// Why a thread of its own rather than the first writer leading: a leader
// that ran batches until the queue was empty could be kept at it by the
// other writers for as long as they kept writing, and its own write, long
// durable, was not returned: 2.6 s for one Insert among 32 busy threads.

#ifndef LMDBAPI_STORE_GROUP_COMMIT_H_
#define LMDBAPI_STORE_GROUP_COMMIT_H_

#include <lmdb.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

namespace lmdbapi {

class GroupCommitter {
 public:
  // A write: runs inside a (nested) write transaction; on a non-OK Status
  // everything it did is rolled back.
  using Write = std::function<Status(MDB_txn* txn)>;
  // Told a write's outcome: OK once durable, else the error (rolled back).
  using Done = std::function<void(Status)>;

  // Most writes one transaction takes by default; bounds the latency a
  // batch adds.
  static constexpr std::size_t kMaxBatch = 256;

  // max_batch: most writes per transaction (1: one commit per write);
  // 0 = kMaxBatch. REQUIRES: max_batch <= kMaxBatch; `env` open and
  // outliving this. Starts the committer thread (std::system_error if it
  // cannot).
  GroupCommitter(Env::Impl& env, std::size_t max_batch);
  // Commits everything queued, calls its `done`s, and stops the thread.
  // REQUIRES: no Submit or Run from now on.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `write` for the next group commit and returns. `done` is called
  // exactly once with its outcome, after that commit returned, without any
  // lock held, on the committer's thread. `write` runs on that thread too,
  // and both are destroyed there after `done` returns, so what they capture
  // must be owned by them. Batches commit, and their `done`s are called, in
  // the order the writes were queued. Exceptions from `write` (the write
  // fails, kIOError) or `done` (ignored) never reach the other writes. If
  // Submit throws (std::bad_alloc, before queueing), `done` is never called.
  void Submit(Write write, Done done);

  // Returns once `write` is durable (OK) or rolled back (the error). With
  // nothing queued or committing it commits on the calling thread, a batch
  // of one; otherwise it is Submit plus a wait.
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
    Write write;
    Done done;
    Status status;
  };
  using Batch = std::vector<std::unique_ptr<Pending>>;

  void Loop();  // the committer thread
  void RunBatch(Batch& batch);
  // One attempt. With `may_grow`, a write or commit that runs out of map
  // rolls the whole batch back and returns false, *seen being the map size
  // it ran in; otherwise true, every write's status set.
  bool TryBatch(Batch& batch, bool may_grow, std::uint64_t* seen);
  void Count(std::size_t writes);  // a commit, into counters_; under mu_

  Env::Impl* env_;
  std::size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable work_;  // the committer waits here for writes
  // Writes the committer has not taken yet, in arrival order.
  std::deque<std::unique_ptr<Pending>> queue_;
  bool idle_ = false;      // the committer is waiting on work_
  bool busy_ = false;      // a batch is committing (the committer's or Run's)
  bool stopping_ = false;  // set by the destructor
  Counters counters_;
  std::thread thread_;     // last: started once the rest exists
};

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_GROUP_COMMIT_H_
