// SPDX-License-Identifier: Apache-2.0
// src/store/import_batch.cc - ImportBatch: many inserts, one transaction
// (see include/lmdbapi/admin.h).
//
// Each record goes into a nested transaction, as the group committer does
// for concurrent writes, so a record the schema refuses leaves no trace and
// its neighbours commit. The insert itself writes what Table::Insert
// writes: the record, its index entries (index_ops.h) and its parent link.

#include <lmdb.h>

#include <string>
#include <vector>

#include "lmdbapi/admin.h"
#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/headroom.h"
#include "store/index_ops.h"
#include "store/mdb_status.h"
#include "store/record_codec.h"
#include "store/txn.h"

namespace lmdbapi {

bool ImportBatch::LosesBatch(const Status& s) {
  switch (s.code()) {
    case Status::Code::kStorageFull:
    case Status::Code::kUnavailable:
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
      return true;
    default:
      return false;
  }
}

struct ImportBatch::Impl {
  Impl(Env::Impl& e, bool whole) : env(e), all_or_nothing(whole) {}
  Env::Impl& env;
  bool all_or_nothing;
  std::unique_ptr<WriteTxn> txn;  // null between batches
  Status failed;                  // set: the batch is lost
};

ImportBatch::ImportBatch(Env& env, bool all_or_nothing)
    : impl_(std::make_unique<Impl>(env.impl(), all_or_nothing)) {}
ImportBatch::~ImportBatch() = default;  // WriteTxn aborts

Status ImportBatch::Insert(const TableDesc& t, Record* record) {
  if (!impl_->failed.ok()) return impl_->failed;
  Status s = CheckRecordShape(t, *record);
  if (!s.ok()) return s;
  std::vector<std::string> keys;
  // Before the keys: a UNIQUE key with a null part holds the uuid.
  if (record->uuid == Uuid()) record->uuid = Uuid::New();
  s = AllIndexKeys(t, record->fields, record->uuid, &keys);
  if (!s.ok()) return s;
  if (record->revision == 0) record->revision = 1;
  std::string bytes;
  EncodeRecord(t, *record, &bytes);

  if (impl_->txn == nullptr) {
    // Grow the map now if it nears full: an open batch cannot wait for a
    // growth (its transaction holds the map gate, map_gate.h). A map at
    // its maximum is not refused here: the batch fills it as far as it
    // fits, as before.
    Status room = CheckInsertHeadroom(impl_->env);
    if (!room.ok() && room.code() != Status::Code::kStorageFull) return room;
    impl_->txn = std::make_unique<WriteTxn>(impl_->env);
    s = impl_->txn->Begin();
    if (!s.ok()) {
      impl_->txn.reset();
      return s;
    }
  }
  if (impl_->all_or_nothing) {
    // The whole load is one feed transaction.
    if (size_ == 0) BeginFeedWrite(impl_->env);
    s = InsertInTxn(impl_->env, impl_->txn->get(), t, *record, bytes, keys);
    if (s.ok()) {
      ++size_;
    } else {  // the transaction may hold part of this record: lose it all
      impl_->failed = s;
      impl_->txn.reset();
    }
    return s;
  }
  s = InNestedTxn(impl_->env, impl_->txn->get(), [&](MDB_txn* nested) {
    BeginFeedWrite(impl_->env);  // each record is a feed transaction
    return InsertInTxn(impl_->env, nested, t, *record, bytes, keys);
  });
  if (s.ok()) {
    ++size_;
  } else if (LosesBatch(s)) {
    impl_->failed = s;
    impl_->txn.reset();
  }
  return s;
}

Status ImportBatch::Commit() {
  Status s = impl_->failed;
  if (s.ok() && impl_->txn != nullptr) s = impl_->txn->Commit();
  impl_->txn.reset();
  impl_->failed = Status();
  size_ = 0;
  return s;
}

}  // namespace lmdbapi
