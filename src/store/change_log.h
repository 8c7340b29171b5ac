// SPDX-License-Identifier: Apache-2.0
// src/store/change_log.h - writing the change feed (the `changes`
// database; its format is in include/lmdbapi/changes.h): appending a
// change inside a write's transaction, and trimming old ones.
//
// Transactions of the feed: the code that runs a write (the group
// committer, an import batch) calls BeginFeedWrite before each write; the
// changes that write appends are marked with the seq of its first. A write
// rolled back (its nested transaction aborted) leaves neither seqs nor a
// marker behind, since the next write begins anew.

#ifndef LMDBAPI_STORE_CHANGE_LOG_H_
#define LMDBAPI_STORE_CHANGE_LOG_H_

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lmdbapi/changes.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/uuid.h"
#include "store/env_impl.h"

namespace lmdbapi {

inline constexpr char kChangesDb[] = "changes";

// The next write's changes are a feed transaction of their own.
// REQUIRES: the caller holds the environment's write transaction.
inline void BeginFeedWrite(Env::Impl& env) { ++env.feed_write; }

// Appends one change for `table`/`uuid` in `txn` (the write's own, maybe
// nested, transaction), unless the feed is off. `record` is the record's
// stored bytes after the write; empty for a delete.
Status AppendChange(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                    const Uuid& uuid, ChangeOp op, std::uint64_t revision,
                    std::string_view record);

// Deletes at most `max_steps` of the oldest changes that retention
// (Options::changes_retain_*) no longer keeps, never the newest; returns
// how many. REQUIRES: txn is a write transaction.
Result<std::size_t> TrimChanges(Env::Impl& env, MDB_txn* txn,
                                std::size_t max_steps);

// Each group commit trims at most this many changes.
inline constexpr std::size_t kTrimStepsPerCommit = 256;

// The key of `seq`: 8 big-endian bytes.
std::string ChangeKey(std::uint64_t seq);
// The seq of a key; false if it is not 8 bytes.
bool ChangeSeq(std::string_view key, std::uint64_t* seq);

// Decodes a stored change value into *change (seq and txn_end untouched;
// views point into `value`). kCorruption if malformed.
Status DecodeChange(std::string_view value, Change* change);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_CHANGE_LOG_H_
