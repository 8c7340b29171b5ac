// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/batch.h - several writes on any tables, all or nothing,
// and the idempotency keys stored with them.
//
// A batch is a list of operations (insert, replace, patch, remove) on any
// tables of the Env's schema. It runs as ONE write of the group committer
// (group_commit.h): one nested transaction, so either every operation
// happens or none does, and an OK outcome is durable under the Env's
// durability mode, as a Table write's is. Each operation does exactly what
// the Table call of the same name does (the same code: the same checks,
// index entries, links and cascade) and, on failure, gives exactly its
// Status; the outcome says which operation failed. Operations run in list
// order, each seeing what the earlier ones wrote.
//
// A later operation may name the uuid an earlier insert of the same batch
// creates: as the uuid it works on (UuidRef::op) or as the value of a uuid
// field (FieldRef), e.g. a child's parent link. So a record and its
// children go in together.
//
// With an IdempotencyKey, the batch also stores, in the same transaction,
// the key, the digest of the request it answers and that answer (bytes the
// caller makes from the records, e.g. an HTTP response). Before running the
// operations, the transaction looks the key up: if an unexpired entry holds
// the same digest, nothing runs and the outcome carries the stored answer
// (replayed); a different digest is kInvalidArgument with key_reused set.
// Because both the look-up and the store happen inside the writer's
// transaction, two requests with one key never both write, whichever
// process or thread sends them. A batch that fails stores nothing (its
// transaction is rolled back), so its key stays free for a retry. Each
// keyed batch also removes up to kIdempotencySweepStep expired keys, so
// expired keys go away as keyed writes come, a few at a time.
//
// Thread-safety: as Table (any threads, one Env).

#ifndef LMDBAPI_BATCH_H_
#define LMDBAPI_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi {

// The uuid an operation works on: `uuid`, or, if op >= 0, the uuid that
// operation `op` of the batch inserted (it must be an earlier insert).
struct UuidRef {
  Uuid uuid;
  int op = -1;
};

// Field `field` (a UUID field of the operation's table) takes the uuid that
// operation `op` (an earlier insert) made, whatever the record or patch
// holds there.
struct FieldRef {
  int field = 0;
  int op = 0;
};

struct BatchOp {
  enum class Kind { kInsert, kReplace, kPatch, kRemove };
  Kind kind = Kind::kInsert;
  const TableDesc* table = nullptr;  // REQUIRES: one of the Env's tables
  UuidRef uuid;                      // replace, patch, remove
  // insert, replace: every field, as Table::Insert / Replace take them
  // (record.uuid: an insert's given uuid, as Insert keeps it; ignored by
  // replace, which uses `uuid`).
  Record record;
  std::vector<FieldPatch> patch;  // patch: the members
  // insert and replace: fields of `record`; patch: members of `patch`
  // (appended if the patch does not name the field).
  std::vector<FieldRef> refs;
  // replace, patch, remove: the revision the record must be at, else
  // kConflict, as in the Table calls.
  std::optional<std::uint64_t> expected_revision;
};

// The longest key, in bytes (the IETF draft sets none; 255 keeps the
// expiry index's keys well under LMDB's 511).
inline constexpr std::size_t kMaxIdempotencyKeyBytes = 255;
// Expired keys one keyed batch removes, at most.
inline constexpr std::size_t kIdempotencySweepStep = 16;

// What a key's entry holds.
struct StoredIdempotencyKey {
  std::uint64_t expires_at = 0;  // unix seconds
  std::string digest;            // the request's fingerprint
  std::string answer;            // the answer given, opaque to the store
};

struct IdempotencyKey {
  std::string key;     // 1..kMaxIdempotencyKeyBytes bytes
  std::string digest;  // the request's fingerprint; a repeat must match it
  std::uint64_t now = 0;          // unix seconds, for expiry
  std::uint64_t ttl_seconds = 86400;
  // The answer to store, made from the outcome's records once every
  // operation has succeeded: runs on the committer's thread inside the
  // transaction, so it must be quick and must not block. REQUIRES: set.
  std::function<std::string(const std::vector<Record>& records)> answer;
};

struct BatchOutcome {
  // OK: every operation happened (and is durable), or the key's stored
  // answer was replayed. Else nothing was written: the failed operation's
  // Status (or the commit's, with failed -1).
  Status status;
  int failed = -1;  // position of the operation at fault; -1: none
  // OK and not replayed: one per operation, as stored (uuid and revision
  // set); a remove's has its uuid and revision 0.
  std::vector<Record> records;
  // The answer stored under the key by the request that used it first.
  std::optional<std::string> replayed;
  bool key_reused = false;  // status: the key names another request
};

// Runs the batch and returns once it is durable or rolled back.
//   kInvalidArgument  an operation's own (see Table), or: an empty batch, a
//                     table not of this Env, a reference to an operation
//                     that is not an earlier insert, a FieldRef on a field
//                     that is not a uuid; or the key (key_reused)
//   and each operation's own errors, as the Table calls give them.
BatchOutcome RunBatch(Env& env, std::vector<BatchOp> ops,
                      std::optional<IdempotencyKey> key = std::nullopt);

// RunBatch without waiting: `done` is called exactly once with the outcome,
// as Table's *Async calls are (on the committer's thread after the commit,
// or on this thread before the return for a batch refused before it was
// queued). REQUIRES: the Env outlives the batch; `done` must not block.
using BatchDone = std::function<void(BatchOutcome)>;
void RunBatchAsync(Env& env, std::vector<BatchOp> ops,
                   std::optional<IdempotencyKey> key, BatchDone done);

// The unexpired entry of `key` at `now`, from a read snapshot (a quick
// check before a write; the write checks again in its transaction).
// nullopt if there is none.
Result<std::optional<StoredIdempotencyKey>> LookupIdempotencyKey(
    Env& env, std::string_view key, std::uint64_t now);

// Removes at most `max` keys that expired before `now`, in one write of
// their own; returns how many went. (Keyed batches sweep too; this is for
// tests and tools.)
Result<std::size_t> SweepIdempotencyKeys(Env& env, std::uint64_t now,
                                         std::size_t max);

}  // namespace lmdbapi

#endif  // LMDBAPI_BATCH_H_
