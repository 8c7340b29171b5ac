// SPDX-License-Identifier: Apache-2.0
// bench/raw_lmdb.h - the baseline: the library's storage work done with
// LMDB's C API directly, and nothing else.
//
// Same data (permit_gen.h), same environment flags (MDB_NOTLS, and the
// same durability), same databases: records keyed by a 16-byte
// time-ordered key with a ~200-byte value, and the three index entries the
// permits schema keeps (unique permit number; client + county + status,
// issued_on, client + issued_on and county + issued_on as sorted
// duplicates). What it leaves out is exactly what the
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
  // The queries of issue 13, each the cursor work its library row does:
  // one client's records over [from, to] days through client + day;
  std::size_t ClientRange(const std::string& client, std::int32_t from,
                          std::int32_t to, MDB_txn** txn);
  // the last `limit` records of [from, to] days, walked backwards;
  std::size_t RangeDesc(std::int32_t from, std::int32_t to, std::size_t limit,
                        MDB_txn** txn);
  // the record count (mdb_stat), and the duplicates of one composite key;
  std::size_t CountAll(MDB_txn** txn);
  std::size_t CountComposite(std::size_t combo, MDB_txn** txn);
  // the first `limit` records whose composite key starts with `prefix`.
  std::size_t Prefix(const std::string& prefix, std::size_t limit,
                     MDB_txn** txn);

  void EndReader(MDB_txn* txn) { if (txn) mdb_txn_abort(txn); }

 private:
  MDB_txn* Reader(MDB_txn** txn);

  MDB_env* env_ = nullptr;
  MDB_dbi records_ = 0, by_number_ = 0, composite_ = 0, by_day_ = 0;
  MDB_dbi client_day_ = 0, county_day_ = 0;
  std::atomic<std::uint64_t> next_key_{1};
};

}  // namespace lmdbapi::bench

#endif  // LMDBAPI_BENCH_RAW_LMDB_H_
