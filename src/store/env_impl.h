// SPDX-License-Identifier: Apache-2.0
// src/store/env_impl.h - what an open Env holds; private to src/store.
//
// Database handles (MDB_dbi) are opened once, in Env::Open's transaction,
// and stay valid for the life of the environment, so the hot path never
// opens a database.

#ifndef LMDBAPI_STORE_ENV_IMPL_H_
#define LMDBAPI_STORE_ENV_IMPL_H_

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/schema.h"
#include "store/group_commit.h"
#include "store/map_gate.h"

namespace lmdbapi {

struct TableDbs {
  MDB_dbi records = 0;               // uuid -> msgpack record
  std::vector<MDB_dbi> indexes;      // parallel to TableDesc::indexes
  MDB_dbi links = 0;                 // parent uuid -> child uuids (children)
};

struct Env::Impl {
  MDB_env* env = nullptr;
  Options options;
  Schema schema;
  MDB_dbi meta = 0;
  // Idempotency keys (idempotency.h): key -> request digest and answer,
  // and (expiry, key) for the sweep.
  MDB_dbi idempotency = 0;
  MDB_dbi idempotency_expiry = 0;
  MDB_dbi changes = 0;        // the change feed (change_log.h)
  // The write whose changes are being appended (change_log.h): bumped by
  // BeginFeedWrite, read and set by AppendChange, only ever by the thread
  // holding the environment's write transaction.
  std::uint64_t feed_write = 0;
  std::uint64_t feed_marked_write = ~std::uint64_t{0};
  std::uint64_t feed_txn_first = 0;
  std::vector<TableDbs> dbs;  // parallel to schema.tables
  std::vector<std::string> schema_changes;  // Env::schema_changes()

  // Map size changes (map_gate.h, map_growth.h). Every top-level
  // transaction holds `gate` while it is active.
  MapGate gate;
  std::uint64_t map_max = 0;         // Options::map_max_bytes, resolved
  std::mutex grow_mu;                // one growth or adoption at a time
  std::atomic<std::uint64_t> map_growths{0};    // by this process
  std::atomic<std::uint64_t> map_adoptions{0};  // other processes' growth

  // Every write of the Table API goes through here (see group_commit.h).
  std::unique_ptr<GroupCommitter> committer;

  // Reset read transactions waiting to be renewed (MDB_NOTLS lets any thread
  // renew any of them). Taking one is a pop under a mutex held for a few
  // instructions; the pool never holds more than the peak number of
  // concurrent readers.
  std::mutex idle_readers_mu;
  std::vector<MDB_txn*> idle_readers;

  ~Impl();
};

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_ENV_IMPL_H_
