// SPDX-License-Identifier: Apache-2.0
// src/store/txn.cc - see txn.h.

#include "store/txn.h"

#include "store/map_growth.h"
#include "store/mdb_status.h"

namespace lmdbapi {

Status ReadTxn::Begin() {
  hold_.emplace(env_->gate);
  {
    std::lock_guard<std::mutex> lock(env_->idle_readers_mu);
    if (!env_->idle_readers.empty()) {
      txn_ = env_->idle_readers.back();
      env_->idle_readers.pop_back();
    }
  }
  if (txn_ != nullptr) {
    int rc = mdb_txn_renew(txn_);
    if (rc == MDB_SUCCESS) return Status();
    // MDB_MAP_RESIZED among others: BeginTxn below handles it.
    mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
  Status s = BeginTxn(*env_, *hold_, MDB_RDONLY, &txn_, "read");
  if (!s.ok()) hold_.reset();
  return s;
}

ReadTxn::~ReadTxn() {
  if (txn_ == nullptr) return;
  mdb_txn_reset(txn_);
  hold_.reset();  // a reset transaction holds nothing of the map
  std::lock_guard<std::mutex> lock(env_->idle_readers_mu);
  env_->idle_readers.push_back(txn_);
}

Status WriteTxn::Begin() {
  hold_.emplace(env_->gate);
  Status s = BeginTxn(*env_, *hold_, 0, &txn_, "write");
  if (!s.ok()) hold_.reset();
  return s;
}

Status WriteTxn::Commit() {
  MDB_txn* txn = txn_;
  txn_ = nullptr;  // freed by mdb_txn_commit whatever it returns
  Status s = FromMdb(mdb_txn_commit(txn), "mdb_txn_commit");
  hold_.reset();
  return s;
}

WriteTxn::~WriteTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

}  // namespace lmdbapi
