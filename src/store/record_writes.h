// SPDX-License-Identifier: Apache-2.0
// src/store/record_writes.h - one record's write, in two halves, for the
// callers that run several writes in one transaction (batch.cc).
//
// Table's writes each check and encode before their transaction (Prepare*)
// and do the rest inside it (*InTxn). The bodies live in table.cc, beside
// the Table calls that use them; this header only lets the batch call the
// very same code, so a batch operation writes exactly what the Table call
// would (and fails with exactly its Status). InsertInTxn is index_ops.h's.
// Private to src/store.

#ifndef LMDBAPI_STORE_RECORD_WRITES_H_
#define LMDBAPI_STORE_RECORD_WRITES_H_

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"
#include "store/env_impl.h"

namespace lmdbapi::internal {

// Insert's checks and encoding: sets a new uuid (if all zero) and revision
// 1, and fills the index keys and the stored bytes for InsertInTxn.
Status PrepareInsert(Env::Impl& env, const TableDesc& t, Record* record,
                     std::vector<std::string>* keys, std::string* bytes);

// Replace's checks; fills the new index keys for ReplaceInTxn.
Status PrepareReplace(const TableDesc& t, const Record& record,
                      std::vector<std::string>* new_keys);

// Replace inside the transaction: kNotFound, kConflict (expected_revision),
// kUniqueViolation, kMissingParent. Sets record->revision.
Status ReplaceInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                    Record* record, const std::vector<std::string>& new_keys,
                    std::optional<std::uint64_t> expected_revision);

// Patch's checks before the transaction: each member names a field, once.
Status PreparePatch(const TableDesc& t, const std::vector<FieldPatch>& patch);

// Patch inside the transaction; *out receives the record as stored.
Status PatchInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                  const Uuid& uuid, const std::vector<FieldPatch>& patch,
                  std::optional<std::uint64_t> expected_revision,
                  Record* out);

// Remove (with its cascade) inside the transaction: kNotFound, kConflict.
Status RemoveByUuid(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                    const Uuid& uuid,
                    std::optional<std::uint64_t> expected_revision);

}  // namespace lmdbapi::internal

#endif  // LMDBAPI_STORE_RECORD_WRITES_H_
