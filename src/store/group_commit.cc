// src/store/group_commit.cc - see group_commit.h.

#include "store/group_commit.h"

#include <algorithm>

#include "store/mdb_status.h"

namespace lmdbapi {

Status GroupCommitter::Run(const Write& write) {
  Pending me;
  me.write = &write;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  while (!me.done && queue_.front() != &me) me.cv.wait(lock);
  if (me.done) return me.status;

  // At the front: lead a batch of the writes queued so far, this one first.
  std::size_t n = std::min(queue_.size(), max_batch_);
  std::vector<Pending*> batch(queue_.begin(), queue_.begin() + n);
  lock.unlock();
  RunBatch(batch);
  lock.lock();
  queue_.erase(queue_.begin(), queue_.begin() + n);
  ++counters_.commits;
  counters_.writes += n;
  std::size_t bucket = 0;
  while ((std::size_t{1} << bucket) < n) ++bucket;
  ++counters_.batches[bucket];
  // Under the lock: once done is set, a waiter may return and take its
  // Pending (and cv) with it.
  for (Pending* p : batch) {
    p->done = true;
    if (p != &me) p->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
  return me.status;
}

void GroupCommitter::RunBatch(std::vector<Pending*>& batch) {
  MDB_txn* parent;
  int rc = mdb_txn_begin(env_, nullptr, 0, &parent);
  if (rc != MDB_SUCCESS) {
    Status s = FromMdb(rc, "mdb_txn_begin (write)");
    for (Pending* p : batch) p->status = s;
    return;
  }
  // A batch of one needs no nested transaction: its failure aborts the
  // parent, which holds nothing else.
  bool single = batch.size() == 1;
  bool any_ok = false;
  for (Pending* p : batch) {
    if (single) {
      p->status = (*p->write)(parent);
      any_ok = p->status.ok();
      continue;
    }
    MDB_txn* child;
    rc = mdb_txn_begin(env_, parent, 0, &child);
    if (rc != MDB_SUCCESS) {
      p->status = FromMdb(rc, "mdb_txn_begin (nested)");
      continue;
    }
    p->status = (*p->write)(child);
    if (p->status.ok()) {
      rc = mdb_txn_commit(child);  // into the parent: no I/O
      if (rc != MDB_SUCCESS) p->status = FromMdb(rc, "mdb_txn_commit (nested)");
    } else {
      mdb_txn_abort(child);
    }
    any_ok = any_ok || p->status.ok();
  }
  if (!any_ok) {
    mdb_txn_abort(parent);
    return;
  }
  Status s = FromMdb(mdb_txn_commit(parent), "mdb_txn_commit");
  if (!s.ok())
    for (Pending* p : batch)
      if (p->status.ok()) p->status = s;
}

GroupCommitter::Counters GroupCommitter::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

}  // namespace lmdbapi
