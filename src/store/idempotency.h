// SPDX-License-Identifier: Apache-2.0
// src/store/idempotency.h - idempotency keys in LMDB, inside a write
// transaction.
//
// Two named databases, created by Env::Open when missing:
//
//   idempotency-keys     key bytes -> msgpack [expires_at, digest, answer]
//                        expires_at: unix seconds (uint); digest: the
//                        request's fingerprint (bin); answer: what the
//                        caller stored, opaque here (bin)
//   idempotency-expiry   8-byte big-endian expires_at + key bytes -> empty,
//                        so the sweep finds the oldest keys first without
//                        a scan
//
// Names with '-', which no table or index name may hold, so a schema never
// collides with them. An entry whose expires_at has passed is as good as
// absent: Get reports it not found, Put overwrites it, and Sweep removes it.
// Private to src/store.

#ifndef LMDBAPI_STORE_IDEMPOTENCY_H_
#define LMDBAPI_STORE_IDEMPOTENCY_H_

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lmdbapi/batch.h"
#include "lmdbapi/status.h"
#include "store/env_impl.h"

namespace lmdbapi {

inline constexpr const char kIdempotencyDb[] = "idempotency-keys";
inline constexpr const char kIdempotencyExpiryDb[] = "idempotency-expiry";

// The entry for `key`, unexpired at `now`: *found tells whether there is
// one. kCorruption if its bytes do not decode.
Status GetIdempotencyKey(Env::Impl& env, MDB_txn* txn, std::string_view key,
                         std::uint64_t now, StoredIdempotencyKey* out,
                         bool* found);

// Stores `entry` under `key` (replacing an expired entry) with its expiry
// entry. kInvalidArgument (subject "Idempotency-Key") for an empty key or
// one over kMaxIdempotencyKeyBytes.
Status PutIdempotencyKey(Env::Impl& env, MDB_txn* txn, std::string_view key,
                         const StoredIdempotencyKey& entry);

// Removes at most `max` entries that expired before `now`, oldest first;
// *removed (if given) counts them. Small steps, so a write that sweeps
// holds the writer only briefly.
Status SweepIdempotencyKeys(Env::Impl& env, MDB_txn* txn, std::uint64_t now,
                            std::size_t max, std::size_t* removed = nullptr);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_IDEMPOTENCY_H_
