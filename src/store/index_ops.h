// SPDX-License-Identifier: Apache-2.0
// src/store/index_ops.h - a record's index entries and parent link, inside
// a write transaction.
//
// Shared by the table operations (insert, replace, remove) and by the index
// (re)builds that Env::Open runs, so both write exactly the same entries.

#ifndef LMDBAPI_STORE_INDEX_OPS_H_
#define LMDBAPI_STORE_INDEX_OPS_H_

#include <lmdb.h>

#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "store/env_impl.h"

namespace lmdbapi {

inline MDB_val ToVal(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view FromVal(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// An LMDB cursor, closed on every path out of the scope that opened it.
// Shared by the table walks and the consistency check.
class Cursor {
 public:
  Cursor() = default;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() {
    if (cur_ != nullptr) mdb_cursor_close(cur_);
  }
  // `name` is the database's, for the message of a failure.
  Status Open(MDB_txn* txn, MDB_dbi dbi, std::string_view name);
  // mdb_cursor_get's rc, unmapped: MDB_NOTFOUND ends a walk.
  int Get(MDB_val* k, MDB_val* v, MDB_cursor_op op) {
    return mdb_cursor_get(cur_, k, v, op);
  }
  // mdb_cursor_count's rc: the duplicates of the current key.
  int CountDups(std::size_t* n) { return mdb_cursor_count(cur_, n); }

 private:
  MDB_cursor* cur_ = nullptr;
};

// The key of `index` for record `uuid` with these field values (the uuid
// is part of a UNIQUE key with a null part: key_codec.h). kInvalidArgument
// naming the field that makes it too long if it exceeds kMaxKeyBytes.
Status IndexKey(const TableDesc& table, const IndexDesc& index,
                const std::vector<Value>& fields, const Uuid& uuid,
                std::string* key);

// Index keys of every index of the table, in TableDesc::indexes order.
Status AllIndexKeys(const TableDesc& table, const std::vector<Value>& fields,
                    const Uuid& uuid, std::vector<std::string>* keys);

// Adds uuid under key in index i. kUniqueViolation on a taken UNIQUE key.
Status PutIndexEntry(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                     int i, const std::string& key, const Uuid& uuid,
                     const std::vector<Value>& fields);

// Removes exactly (key, uuid) from index i. kCorruption if it is missing:
// the index disagreed with its table.
Status DeleteIndexEntry(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                        int i, const std::string& key, const Uuid& uuid);

// kMissingParent (subject: the link field) unless the record's parent link
// names a record of the parent table. REQUIRES: table.parent >= 0.
Status CheckParent(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                   const Record& record);

// Adds child under parent in table's links database (idempotent).
Status PutLink(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
               const Uuid& parent, const Uuid& child);

// Everything an insert writes: the parent check, the record (`bytes`, its
// encoding, under its uuid; kUniqueViolation "uuid" if taken), its index
// entries (`keys`, from AllIndexKeys) and its parent link. Shared by
// Table::Insert and the admin import, so both write exactly the same.
Status InsertInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                   const Record& record, std::string_view bytes,
                   const std::vector<std::string>& keys);

// Empties index i and refills it from the table. kUniqueViolation if the
// table holds two records with one UNIQUE key.
Status RebuildIndex(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                    int i);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_INDEX_OPS_H_
