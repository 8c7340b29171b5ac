// SPDX-License-Identifier: Apache-2.0
// src/store/txn.h - RAII LMDB transactions.
//
// A WriteTxn aborts in its destructor unless Commit() ran, so every early
// `return s;` leaves nothing half-written. (mdb_txn_commit frees the
// transaction even when it fails, so it is never aborted after a commit.)
// A ReadTxn borrows a reset read transaction from the Env's pool, renews
// it, and on destruction resets it and gives it back.
//
// Both hold the Env's map gate (map_gate.h) from Begin until they end, so
// the map is never resized under them; Begin adopts another process's
// larger map when LMDB reports MDB_MAP_RESIZED. A thread must not wait for
// a map growth while it holds one (GrowMap would give up).

#ifndef LMDBAPI_STORE_TXN_H_
#define LMDBAPI_STORE_TXN_H_

#include <lmdb.h>

#include <optional>

#include "lmdbapi/status.h"
#include "store/env_impl.h"
#include "store/map_gate.h"

namespace lmdbapi {

class ReadTxn {
 public:
  explicit ReadTxn(Env::Impl& env) : env_(&env) {}
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  Status Begin();
  MDB_txn* get() const { return txn_; }

 private:
  Env::Impl* env_;
  std::optional<MapGate::Hold> hold_;  // from Begin until reset
  MDB_txn* txn_ = nullptr;
};

class WriteTxn {
 public:
  explicit WriteTxn(Env::Impl& env) : env_(&env) {}
  ~WriteTxn();
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;

  Status Begin();
  Status Commit();
  MDB_txn* get() const { return txn_; }

 private:
  Env::Impl* env_;
  std::optional<MapGate::Hold> hold_;  // from Begin until commit or abort
  MDB_txn* txn_ = nullptr;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_TXN_H_
