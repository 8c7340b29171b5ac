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
//
// InNestedTxn runs one write inside a transaction another holds (group
// commit's batch, an import batch), so that its failure undoes only itself.

#ifndef LMDBAPI_STORE_TXN_H_
#define LMDBAPI_STORE_TXN_H_

#include <lmdb.h>

#include <optional>

#include "lmdbapi/status.h"
#include "store/env_impl.h"
#include "store/map_gate.h"
#include "store/mdb_status.h"

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

// Runs body(child), child a transaction nested in `parent` (mdb_txn_begin
// with a parent): committed into the parent, which costs no I/O, if body
// returns OK; else aborted, leaving the parent as it was. Returns body's
// Status, or the begin's or commit's failure (FromMdb).
// REQUIRES: parent is a live write transaction of env, used by no other
// thread meanwhile.
template <typename Body>
Status InNestedTxn(Env::Impl& env, MDB_txn* parent, Body&& body) {
  MDB_txn* child;
  int rc = mdb_txn_begin(env.env, parent, 0, &child);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_txn_begin (nested)");
  Status s = body(child);
  if (!s.ok()) {
    mdb_txn_abort(child);
    return s;
  }
  return FromMdb(mdb_txn_commit(child), "mdb_txn_commit (nested)");
}

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_TXN_H_
