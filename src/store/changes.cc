// SPDX-License-Identifier: Apache-2.0
// src/store/changes.cc - reading the change feed (include/lmdbapi/changes.h).

#include "lmdbapi/changes.h"

#include <algorithm>
#include <string>

#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/index_ops.h"
#include "store/mdb_status.h"
#include "store/txn.h"

namespace lmdbapi {
namespace {

Status Bounds(Env::Impl& env, MDB_txn* txn, ChangeBounds* out) {
  Cursor cur;
  Status s = cur.Open(txn, env.changes, kChangesDb);
  if (!s.ok()) return s;
  MDB_val k, v;
  int rc = cur.Get(&k, &v, MDB_FIRST);
  if (rc == MDB_NOTFOUND) {
    *out = ChangeBounds();
    return Status();
  }
  if (rc == MDB_SUCCESS && ChangeSeq(FromVal(k), &out->oldest))
    rc = cur.Get(&k, &v, MDB_LAST);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_cursor_get changes");
  if (!ChangeSeq(FromVal(k), &out->newest) || out->oldest == 0)
    return Status::Corruption("changes holds a key that is not a sequence");
  return Status();
}

const TableDesc* FindTable(const Schema& schema, std::string_view name) {
  for (const TableDesc& t : schema.tables)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

std::string_view ChangeOpName(ChangeOp op) {
  switch (op) {
    case ChangeOp::kInsert: return "insert";
    case ChangeOp::kUpdate: return "update";
    case ChangeOp::kDelete: return "delete";
  }
  return "unknown";
}

Result<ChangeBounds> GetChangeBounds(Env& env) {
  ReadTxn txn(env.impl());
  Status s = txn.Begin();
  if (!s.ok()) return s;
  ChangeBounds b;
  s = Bounds(env.impl(), txn.get(), &b);
  if (!s.ok()) return s;
  return b;
}

Result<ChangesPage> ReadChanges(Env& env, const ChangesRequest& request,
                                ChangeSink& sink,
                                std::uint64_t* trimmed_oldest) {
  Env::Impl& impl = env.impl();
  ReadTxn txn(impl);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  ChangesPage page;
  page.next = request.after;
  s = Bounds(impl, txn.get(), &page.bounds);
  if (!s.ok()) return s;
  if (request.after != 0 && page.bounds.oldest != 0 &&
      request.after + 1 < page.bounds.oldest) {
    if (trimmed_oldest != nullptr) *trimmed_oldest = page.bounds.oldest;
    return Status::NotFound(
        "changes after " + std::to_string(request.after) +
        " were trimmed; the oldest held is " +
        std::to_string(page.bounds.oldest) + " (start from after=" +
        std::to_string(page.bounds.oldest - 1) + ", or from a backup)");
  }
  if (page.bounds.newest <= request.after) return page;

  std::vector<bool> keep;
  if (!request.tables.empty()) {
    keep.assign(impl.schema.tables.size(), false);
    for (int t : request.tables)
      if (t >= 0 && t < static_cast<int>(keep.size())) keep[t] = true;
  }
  std::size_t limit = std::max<std::size_t>(request.limit, 1);

  Cursor cur;
  s = cur.Open(txn.get(), impl.changes, kChangesDb);
  if (!s.ok()) return s;
  std::string start = ChangeKey(request.after + 1);
  MDB_val k = ToVal(start), v;
  int rc = cur.Get(&k, &v, MDB_SET_RANGE);
  // One change is held back until the next is seen, to know whether it
  // ends its transaction.
  Change held;
  bool holding = false;
  std::size_t scanned = 0;
  auto hand = [&](bool txn_end) -> Status {
    held.txn_end = txn_end;
    page.next = held.seq;
    bool wanted = keep.empty() ||
                  (held.table != nullptr && keep[held.table->position]);
    if (!wanted) return Status();
    ++page.count;
    return sink.Add(held);
  };
  for (; rc == MDB_SUCCESS; rc = cur.Get(&k, &v, MDB_NEXT)) {
    Change c;
    if (!ChangeSeq(FromVal(k), &c.seq))
      return Status::Corruption("changes holds a key that is not a sequence");
    s = DecodeChange(FromVal(v), &c);
    if (!s.ok()) return s;
    c.table = FindTable(impl.schema, c.table_name);
    if (holding) {
      s = hand(c.txn != held.txn);
      if (!s.ok()) return s;
    }
    held = c;
    holding = true;
    ++scanned;
    if (page.count >= limit ||
        (request.max_scanned != 0 && scanned > request.max_scanned)) {
      holding = false;  // not handed out; the next call starts there
      break;
    }
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
    return FromMdb(rc, "mdb_cursor_get changes");
  // The snapshot holds whole transactions: its last change ends one.
  if (holding) {
    s = hand(true);
    if (!s.ok()) return s;
  }
  return page;
}

}  // namespace lmdbapi
