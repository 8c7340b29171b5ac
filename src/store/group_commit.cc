// SPDX-License-Identifier: Apache-2.0
// src/store/group_commit.cc - see group_commit.h.

#include "store/group_commit.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <string>
#include <utility>

#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/map_growth.h"
#include "store/mdb_status.h"
#include "store/txn.h"

namespace lmdbapi {

GroupCommitter::GroupCommitter(Env::Impl& env, std::size_t max_batch)
    : env_(&env), max_batch_(max_batch == 0 ? kMaxBatch : max_batch) {
  thread_ = std::thread([this] { Loop(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

void GroupCommitter::Submit(Write write, Done done) {
  auto pending = std::make_unique<Pending>();
  pending->write = std::move(write);
  pending->done = std::move(done);
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(pending));
    wake = idle_;
    idle_ = false;
  }
  // Only an idle committer needs waking: a busy one takes the queue when
  // its current batch is done.
  if (wake) work_.notify_one();
}

// Each batch holds what queued during the last commit, up to max_batch_.
void GroupCommitter::Loop() {
  Batch batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while ((queue_.empty() || busy_) && !(stopping_ && queue_.empty())) {
      idle_ = true;
      work_.wait(lock);
    }
    idle_ = false;
    if (queue_.empty()) return;  // stopping, and everything is done
    busy_ = true;
    std::size_t n = std::min(queue_.size(), max_batch_);
    batch.clear();
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    busy_ = false;
    Count(n);
    // Outside the lock: a `done` may write to a socket, and writers keep
    // queueing meanwhile.
    lock.unlock();
    for (auto& p : batch) {
      try {
        p->done(std::move(p->status));
      } catch (...) {
        // Its caller's problem; the other writes must still be told.
      }
      p.reset();  // what the write captured goes now, on this thread
    }
    lock.lock();
  }
}

Status GroupCommitter::Run(const Write& write) {
  // Nothing queued and nothing committing: commit this write here, a batch
  // of one, rather than pay two thread hand-offs (a single thread's
  // unsynced inserts ran 6x slower through the committer's thread).
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!busy_ && queue_.empty()) {
      busy_ = true;
      lock.unlock();
      Batch batch;
      batch.push_back(std::make_unique<Pending>());
      batch[0]->write = write;
      RunBatch(batch);
      lock.lock();
      busy_ = false;
      Count(1);
      bool wake = !queue_.empty() && idle_;
      if (wake) idle_ = false;
      lock.unlock();
      // What queued meanwhile is the committer's.
      if (wake) work_.notify_one();
      return std::move(batch[0]->status);
    }
  }
  // The caller waits, so the write may refer to its stack.
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  Status result;
  Submit([&write](MDB_txn* txn) { return write(txn); },
         [&](Status s) {
           std::lock_guard<std::mutex> lock(mu);
           result = std::move(s);
           finished = true;
           // Under the lock: once finished is seen, the waiter may return
           // and take cv with it.
           cv.notify_one();
         });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

namespace {

Status RunWrite(const GroupCommitter::Write& write, MDB_txn* txn) {
  try {
    return write(txn);
  } catch (const std::exception& e) {
    return Status::IOError(std::string("write failed: ") + e.what());
  } catch (...) {
    return Status::IOError("write failed with an exception");
  }
}

// Retention's share of each commit: a few of the oldest changes, in a
// nested transaction so that a trim that fails (out of map, say) costs
// the batch nothing; the next commit tries again.
void TrimFeed(Env::Impl& env, MDB_txn* parent) {
  // A nested transaction is not free (LMDB allocates its dirty list):
  // none at all without retention.
  if (env.options.changes_retain_count == 0 &&
      env.options.changes_retain_seconds == 0)
    return;
  MDB_txn* child;
  if (mdb_txn_begin(env.env, parent, 0, &child) != MDB_SUCCESS) return;
  Result<std::size_t> trimmed = TrimChanges(env, child, kTrimStepsPerCommit);
  if (trimmed.ok() && trimmed.value() > 0 && mdb_txn_commit(child) == MDB_SUCCESS)
    return;
  if (!trimmed.ok() || trimmed.value() == 0) mdb_txn_abort(child);
}

}  // namespace

// Growth can take two steps when another process's writes filled the map
// between the growth and the retry; after that, what fits commits.
constexpr int kGrowthsPerBatch = 2;

void GroupCommitter::RunBatch(Batch& batch) {
  std::uint64_t seen = 0;
  for (int round = 0;; ++round) {
    bool may_grow = round < kGrowthsPerBatch;
    if (TryBatch(batch, may_grow, &seen)) return;
    // Rolled back for lack of map. Growing fails at the maximum (or if this
    // process's transactions would not pause): then one last round
    // commits what fits and refuses the rest.
    if (!GrowMap(*env_, seen).ok()) {
      TryBatch(batch, false, &seen);
      return;
    }
  }
}

namespace {

bool OutOfMap(const Status& s) {
  return s.code() == Status::Code::kStorageFull;
}

}  // namespace

bool GroupCommitter::TryBatch(Batch& batch, bool may_grow,
                              std::uint64_t* seen) {
  MapGate::Hold hold(env_->gate);
  *seen = MapSize(*env_);
  MDB_txn* parent;
  Status begun = BeginTxn(*env_, hold, 0, &parent, "write");
  if (!begun.ok()) {
    for (auto& p : batch) p->status = begun;
    return true;
  }
  // A batch of one needs no nested transaction: its failure aborts the
  // parent, which holds nothing else.
  bool single = batch.size() == 1;
  bool any_ok = false;
  for (auto& p : batch) {
    BeginFeedWrite(*env_);
    if (single) {
      p->status = RunWrite(p->write, parent);
      any_ok = p->status.ok();
    } else {
      p->status = InNestedTxn(*env_, parent, [&](MDB_txn* child) {
        return RunWrite(p->write, child);
      });
      any_ok = any_ok || p->status.ok();
    }
    if (may_grow && OutOfMap(p->status)) {
      mdb_txn_abort(parent);
      return false;
    }
  }
  if (!any_ok) {
    mdb_txn_abort(parent);
    return true;
  }
  TrimFeed(*env_, parent);
  Status s = FromMdb(mdb_txn_commit(parent), "mdb_txn_commit");
  if (may_grow && OutOfMap(s)) return false;  // nothing committed
  if (!s.ok())
    for (auto& p : batch)
      if (p->status.ok()) p->status = s;
  return true;
}

void GroupCommitter::Count(std::size_t n) {
  ++counters_.commits;
  counters_.writes += n;
  std::size_t bucket = 0;
  while ((std::size_t{1} << bucket) < n) ++bucket;
  ++counters_.batches[bucket];
}

GroupCommitter::Counters GroupCommitter::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

}  // namespace lmdbapi
