// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/changes.h - the change feed: every committed write, in
// order, as the `changes` database holds it.
//
// Each write appends one change per record it touched to the `changes`
// database, in the same LMDB transaction as the write itself, so a change
// exists exactly when its write committed. A change holds:
//
//   seq       its sequence number: 1, 2, 3... per environment, with no gaps
//             (taken from the last key inside the write transaction, so a
//             write that rolls back takes no number)
//   txn       the seq of the first change of the write it belongs to: one
//             write (an insert, a patch, a delete with its cascade, an
//             import batch's record, a batch of the batch API) is one feed
//             transaction, and its changes are contiguous
//   table, uuid, op (insert, update, delete), revision (after the write;
//             for a delete, the revision that was deleted)
//   record    the record after the write, as stored (record_codec.h's
//             msgpack bytes); empty after a delete
//   time_ms   when the write ran (Unix milliseconds; retention by age)
//
// Stored form: key = seq as 8 big-endian bytes (so LMDB's byte order is
// seq order); value = the msgpack array
//   [txn, table name, uuid (bin 16), op (1 insert, 2 update, 3 delete),
//    revision, record (bin, or nil after a delete), time_ms]
// Readers ignore elements past these, so later releases may append some.
//
// Retention (Options::changes_retain_*): the oldest changes are trimmed a
// few at a time as writes commit (never one long write transaction); the
// newest change is never trimmed, so the sequence never restarts.
//
// Thread-safety: any number of threads may read at once, beside writers.

#ifndef LMDBAPI_CHANGES_H_
#define LMDBAPI_CHANGES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/uuid.h"

namespace lmdbapi {

enum class ChangeOp : std::uint8_t { kInsert = 1, kUpdate = 2, kDelete = 3 };

// "insert", "update", "delete".
std::string_view ChangeOpName(ChangeOp op);

// One change, valid only during the ChangeSink::Add call that receives it
// (its views point into LMDB's map).
struct Change {
  std::uint64_t seq = 0;
  std::uint64_t txn = 0;  // seq of the first change of its transaction
  // This is the last change of its transaction (seen at read time: the
  // next change starts another, or none follows in the snapshot read).
  bool txn_end = false;
  std::string_view table_name;
  const TableDesc* table = nullptr;  // null: not a table of this schema
  Uuid uuid;
  ChangeOp op = ChangeOp::kInsert;
  std::uint64_t revision = 0;
  std::string_view record;  // stored bytes; empty after a delete
  std::int64_t time_ms = 0;
};

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // A non-OK Status stops the read, and ReadChanges returns it.
  virtual Status Add(const Change& change) = 0;
};

// The seqs held: oldest and newest, both 0 when the feed is empty.
struct ChangeBounds {
  std::uint64_t oldest = 0;
  std::uint64_t newest = 0;
};

struct ChangesRequest {
  // Changes with seq > after. 0: from the first change held.
  std::uint64_t after = 0;
  std::size_t limit = 100;  // most changes handed to the sink; 0 means 1
  // Table positions to keep (schema order); empty: every table. Changes of
  // other tables are skipped but still advance `next`.
  std::vector<int> tables;
  // Most changes looked at (kept or skipped) in one call, so a filter that
  // matches little cannot make one call walk the whole feed; 0: no bound.
  std::size_t max_scanned = 10000;
};

struct ChangesPage {
  // Pass as `after` to continue: the seq of the last change looked at
  // (handed out or skipped), or the request's `after` if none.
  std::uint64_t next = 0;
  std::size_t count = 0;  // changes handed to the sink
  ChangeBounds bounds;    // in the snapshot read
};

// The feed's bounds now.
Result<ChangeBounds> GetChangeBounds(Env& env);

// Hands the changes after request.after to `sink`, in seq order, from one
// read snapshot. Fails with:
//   kNotFound  request.after is nonzero and the change after it was
//              trimmed (after + 1 < bounds.oldest); the message names the
//              oldest seq held, also in *trimmed_oldest if non-null
//   kCorruption a change that cannot be decoded
// The feed being off (Options::changes false) does not stop reads: the
// feed then holds what earlier runs wrote.
Result<ChangesPage> ReadChanges(Env& env, const ChangesRequest& request,
                                ChangeSink& sink,
                                std::uint64_t* trimmed_oldest = nullptr);

}  // namespace lmdbapi

#endif  // LMDBAPI_CHANGES_H_
