// SPDX-License-Identifier: Apache-2.0
// bench/raw_lmdb.h - the baseline: the library's storage work done with
// LMDB's C API directly, and nothing else.
//
// Same data (permit_gen.h), same environment flags (MDB_NOTLS, and the
// same durability), same databases: records keyed by a 16-byte
// time-ordered key with a ~200-byte value, and the three index entries the
// permits schema keeps (unique permit number; client + county + status and
// issued_on as sorted duplicates). What it leaves out is exactly what the
// library adds: msgpack, order-preserving key encoding, Status values,
// schema checks, Record/Value objects and group commit.

#ifndef LMDBAPI_BENCH_RAW_LMDB_H_
#define LMDBAPI_BENCH_RAW_LMDB_H_

#include <lmdb.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "permit_gen.h"

namespace lmdbapi::bench {

using RawKey = std::array<unsigned char, 16>;

class RawStore {
 public:
  RawStore() = default;
  ~RawStore();
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;

  // Opens (creating) the environment in `dir`; sync: fsync every commit
  // (durability sync), else MDB_NOSYNC. Exits on any LMDB error.
  void Open(const std::string& dir, bool sync);
  void Close();

  // One write transaction: the record and its three index entries.
  // Returns the record's key. Thread-safe (LMDB serialises writers).
  RawKey Insert(const Permit& p);

  // Each read runs in its own read transaction, renewed from *txn (one per
  // thread; nullptr on first use). They return false if nothing was found.
  bool Get(const RawKey& key, MDB_txn** txn);
  // The ~10 uuids under one composite key, and their records.
  std::size_t Composite(std::size_t combo, MDB_txn** txn);
  // Index walk over [from, to] days, loading each record; the count.
  std::size_t Range(std::int32_t from, std::int32_t to, MDB_txn** txn);
  // Cursor walk over every record with a check of its fee; the matches.
  std::size_t Scan(std::int64_t fee, MDB_txn** txn);

  void EndReader(MDB_txn* txn) { if (txn) mdb_txn_abort(txn); }

 private:
  MDB_txn* Reader(MDB_txn** txn);

  MDB_env* env_ = nullptr;
  MDB_dbi records_ = 0, by_number_ = 0, composite_ = 0, by_day_ = 0;
  std::atomic<std::uint64_t> next_key_{1};
};

}  // namespace lmdbapi::bench

#endif  // LMDBAPI_BENCH_RAW_LMDB_H_
