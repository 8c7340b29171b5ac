// src/store/group_commit.cc - see group_commit.h.

#include "store/group_commit.h"

#include "store/mdb_status.h"

namespace lmdbapi {

Status GroupCommitter::Run(const Write& write) {
  Pending me{&write, Status(), false};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  while (!me.done) {
    if (leading_) {
      cv_.wait(lock);
      continue;
    }
    leading_ = true;
    std::vector<Pending*> batch;
    if (queue_.size() <= max_batch_) {
      batch.swap(queue_);
    } else {
      batch.assign(queue_.begin(), queue_.begin() + max_batch_);
      queue_.erase(queue_.begin(), queue_.begin() + max_batch_);
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    for (Pending* p : batch) p->done = true;
    ++counters_.commits;
    counters_.writes += batch.size();
    std::size_t bucket = 0;
    while ((std::size_t{1} << bucket) < batch.size()) ++bucket;
    ++counters_.batches[bucket];
    leading_ = false;
    cv_.notify_all();
  }
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
