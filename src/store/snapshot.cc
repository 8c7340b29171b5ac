// SPDX-License-Identifier: Apache-2.0
// src/store/snapshot.cc - Snapshot (whole-table walks in one read
// transaction) and ReadStoredSchema (see include/lmdbapi/admin.h).

#include <lmdb.h>

#include <filesystem>
#include <optional>
#include <string>

#include "lmdbapi/admin.h"
#include "schema/fingerprint.h"
#include "store/env_impl.h"
#include "store/index_ops.h"
#include "store/map_growth.h"
#include "store/mdb_status.h"
#include "store/record_codec.h"

namespace lmdbapi {

struct Snapshot::Impl {
  Env::Impl* env = nullptr;
  // For the snapshot's life: this process's map cannot grow meanwhile
  // (map_gate.h), so an admin tool holds one only as long as it must.
  std::optional<MapGate::Hold> hold;
  MDB_txn* txn = nullptr;
  ~Impl() {
    if (txn != nullptr) mdb_txn_abort(txn);
  }
};

Snapshot::Snapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Snapshot::~Snapshot() = default;

Result<std::unique_ptr<Snapshot>> Snapshot::Begin(Env& env) {
  auto impl = std::make_unique<Impl>();
  impl->env = &env.impl();
  // Not the Env's pooled readers: those are for short reads, and this one
  // may stay open for minutes.
  impl->hold.emplace(impl->env->gate);
  Status s = BeginTxn(*impl->env, *impl->hold, MDB_RDONLY, &impl->txn,
                      "snapshot");
  if (!s.ok()) return s;
  return std::unique_ptr<Snapshot>(new Snapshot(std::move(impl)));
}

Result<std::uint64_t> Snapshot::Count(const TableDesc& table) {
  MDB_stat st;
  int rc = mdb_stat(impl_->txn, impl_->env->dbs[table.position].records, &st);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_stat " + table.name);
  return std::uint64_t{st.ms_entries};
}

Status Snapshot::Scan(const TableDesc& table,
                      const std::function<bool(const Record&)>& fn) {
  MDB_cursor* cur;
  int rc = mdb_cursor_open(impl_->txn, impl_->env->dbs[table.position].records,
                           &cur);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_cursor_open " + table.name);
  Status s;
  MDB_val k, v;
  Record record;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (!Uuid::FromBytes(FromVal(k), &record.uuid)) {
      s = Status::Corruption(table.name + " has a key that is not a uuid "
                             "(run lmdbapi-admin check)");
      break;
    }
    s = DecodeRecord(table, FromVal(v), &record);
    if (!s.ok() || !fn(record)) break;
  }
  mdb_cursor_close(cur);
  if (!s.ok()) return s;
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
    return FromMdb(rc, "mdb_cursor_get " + table.name);
  return Status();
}

Result<Schema> ReadStoredSchema(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(path) / "data.mdb", ec))
    return Status::NotFound("no LMDB environment at " + path +
                            " (no data.mdb)");
  MDB_env* env;
  int rc = mdb_env_create(&env);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_create");
  struct Close {
    MDB_env* env;
    ~Close() { mdb_env_close(env); }
  } close_guard{env};
  rc = mdb_env_set_maxdbs(env, 1);
  if (rc == MDB_SUCCESS)
    rc = mdb_env_open(env, path.c_str(), MDB_RDONLY | MDB_NOTLS, 0600);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_open " + path);
  MDB_txn* txn;
  rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_txn_begin " + path);
  // The names Env::Open stores the schema under (src/store/env.cc); part of
  // the on-disk format.
  MDB_dbi meta;
  rc = mdb_dbi_open(txn, "meta", 0, &meta);
  MDB_val key = ToVal("schema"), val;
  if (rc == MDB_SUCCESS) rc = mdb_get(txn, meta, &key, &val);
  if (rc == MDB_NOTFOUND) {
    mdb_txn_abort(txn);
    return Status::NotFound(path + " holds no lmdb-api schema (meta/schema)");
  }
  if (rc != MDB_SUCCESS) {
    mdb_txn_abort(txn);
    return FromMdb(rc, "reading meta/schema in " + path);
  }
  Result<Schema> schema = DecodeSchema(FromVal(val));
  mdb_txn_abort(txn);
  return schema;
}

}  // namespace lmdbapi
