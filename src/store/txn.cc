// src/store/txn.cc - see txn.h.

#include "store/txn.h"

#include "store/mdb_status.h"

namespace lmdbapi {

Status ReadTxn::Begin() {
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
    mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
  int rc = mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn_);
  if (rc != MDB_SUCCESS) {
    txn_ = nullptr;
    return FromMdb(rc, "mdb_txn_begin (read)");
  }
  return Status();
}

ReadTxn::~ReadTxn() {
  if (txn_ == nullptr) return;
  mdb_txn_reset(txn_);
  std::lock_guard<std::mutex> lock(env_->idle_readers_mu);
  env_->idle_readers.push_back(txn_);
}

Status WriteTxn::Begin() {
  int rc = mdb_txn_begin(env_->env, nullptr, 0, &txn_);
  if (rc != MDB_SUCCESS) {
    txn_ = nullptr;
    return FromMdb(rc, "mdb_txn_begin (write)");
  }
  return Status();
}

Status WriteTxn::Commit() {
  MDB_txn* txn = txn_;
  txn_ = nullptr;  // freed by mdb_txn_commit whatever it returns
  return FromMdb(mdb_txn_commit(txn), "mdb_txn_commit");
}

WriteTxn::~WriteTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

}  // namespace lmdbapi
