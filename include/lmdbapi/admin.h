// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/admin.h - operations for operators: consistency check,
// hot backup, reindex, whole-table snapshots and batched imports.
//
// What lmdbapi-admin (src/admin/) is built on; none of it is needed to
// serve requests. Every operation works on an open Env while other
// processes (the worker) use the same environment: LMDB coordinates them,
// readers never block, and the writes here (reindex, import) take LMDB's
// one writer lock for the length of their transaction, delaying the
// worker's writes, never failing them.
//
// Thread-safety: as for Table; a Snapshot or ImportBatch belongs to the
// thread that made it.

#ifndef LMDBAPI_ADMIN_H_
#define LMDBAPI_ADMIN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lmdbapi/env.h"
#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi {

// Long operations call this now and then, on the calling thread, with the
// work done so far and the total (0 if unknown), in the operation's unit.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// ---------------------------------------------------------------- check

// One inconsistency between the databases of an environment.
struct CheckProblem {
  std::string db;    // the database holding the bad or missing entry, as
                     // mdb_stat -a names it: "permits", "permits.by_x", ...
  std::string uuid;  // the record concerned; "" if the key is not a uuid
  std::string what;  // what is wrong, naming the other side
};

struct CheckSummary {
  std::uint64_t records = 0;        // table entries read
  std::uint64_t index_entries = 0;  // index entries read
  std::uint64_t links = 0;          // link entries read
  std::uint64_t changes = 0;        // change feed entries read
  std::uint64_t problems = 0;       // CheckProblems reported
};

// Verifies, in one read transaction (a consistent snapshot), that
//   every record decodes and has the entry each of its indexes implies,
//   every index entry names a record whose values give that key,
//   every child record's parent exists and is linked to it,
//   every link entry names a child that points back at that parent,
//   the change feed's seqs follow one another with no gap, every change
//   decodes, and each transaction's changes are contiguous (changes.h).
// Calls `report` once per problem found and returns the totals; a non-zero
// `problems` is not an error Status. Progress counts entries read.
//   kCorruption / kIOError  LMDB itself failed (not a mismatch)
Result<CheckSummary> Check(Env& env,
                           const std::function<void(const CheckProblem&)>& report,
                           const Progress& progress = {});

// --------------------------------------------------------------- backup

// Writes a compacted copy of the environment to <dir>/data.mdb
// (mdb_env_copy2 with MDB_CP_COMPACT): a consistent snapshot as of the
// call, taken from a read transaction, so writers keep running. Free pages
// are left out, so the copy is often much smaller than the original. `dir`
// is created if missing; it must not already hold a data.mdb. The copy is
// fsynced before this returns; on failure the partial file is removed.
// Progress counts bytes written against the original's used bytes (an
// upper bound). Open the copy with Env::Open like any environment.
// The copy's newest change feed seq (changes.h; 0 if it holds none) is
// written beside it, as decimal text, to <dir>/changes-seq, and into
// *feed_seq if given: a consumer restored from the copy follows the feed
// from after that seq.
//   kInvalidArgument  dir already holds an environment
//   kIOError          dir cannot be created or written
Status Backup(Env& env, const std::string& dir, const Progress& progress = {},
              std::uint64_t* feed_seq = nullptr);

// -------------------------------------------------------------- reindex

// Empties and rebuilds indexes from their tables, all in one write
// transaction: readers see the old indexes until it commits. `table` empty:
// every index of every table; `index` empty: every index of `table`.
// Progress counts indexes rebuilt.
//   kInvalidArgument  no such table or index (subject "table" / "index")
//   kUniqueViolation  two records share a key of a UNIQUE index; nothing
//                     was changed
Status Reindex(Env& env, std::string_view table = {},
               std::string_view index = {}, const Progress& progress = {});

// ------------------------------------------------------------- snapshot

// One read transaction held open for whole-table walks (export): every
// Scan and Count sees the environment as of Begin(). Holding it keeps the
// pages it sees from being reused, so the data file may grow while it is
// open; close it when done.
class Snapshot {
 public:
  //   kUnavailable  no reader slot free (raise LMDB_MAX_READERS)
  static Result<std::unique_ptr<Snapshot>> Begin(Env& env);
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Records in the table, from LMDB's own count.
  Result<std::uint64_t> Count(const TableDesc& table);

  // Calls fn on every record of the table in uuid order, until fn returns
  // false (which is not an error). The record is only valid during the
  // call.
  //   kCorruption  a record does not decode
  Status Scan(const TableDesc& table,
              const std::function<bool(const Record&)>& fn);

 private:
  struct Impl;
  explicit Snapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// --------------------------------------------------------------- import

// Inserts many records in one write transaction. Each Insert runs in a
// nested transaction, so a record that fails leaves nothing behind and does
// not affect the others; Commit() makes the successful ones durable
// together. Unlike Table::Insert the revision is kept when set (a record
// moved between environments keeps its ETag); 0 means 1.
//
// The destructor discards an uncommitted batch. REQUIRES: the thread that
// made the batch does no other writes on the Env until Commit() or the
// destructor (LMDB allows one write transaction at a time).
//
// all_or_nothing: the caller wants the whole batch or none of it (POST
// /api/T/bulk), so records go straight into the batch's transaction, with
// no nested one each (LMDB allocates a nested transaction's dirty list,
// 2 MiB, at every begin). Then any failed Insert loses the whole batch,
// as LosesBatch errors do: call nothing but the destructor after it.
class ImportBatch {
 public:
  explicit ImportBatch(Env& env, bool all_or_nothing = false);
  ~ImportBatch();
  ImportBatch(const ImportBatch&) = delete;
  ImportBatch& operator=(const ImportBatch&) = delete;

  // As Table::Insert: a zero uuid gets a new one, a set uuid is kept.
  //   kInvalidArgument, kUniqueViolation (also a uuid that exists),
  //   kMissingParent (the parent may be earlier in the same batch)
  // kStorageFull / kIOError from LMDB fail the whole batch: call nothing
  // but the destructor after them.
  Status Insert(const TableDesc& table, Record* record);

  // Records inserted since the batch began.
  std::size_t size() const { return size_; }

  // Whether an error from Insert was about the environment (storage full,
  // unavailable, corruption, I/O), which loses the whole batch, rather
  // than about the record.
  static bool LosesBatch(const Status& s);

  // Commits the batch (if any record was inserted); the next Insert starts
  // a new one. On failure none of the batch was written.
  Status Commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::size_t size_ = 0;
};

// --------------------------------------------------------- stored schema

// The schema an environment was last opened with, read from its "meta"
// database without opening it for any schema (so it works when the
// compiled schema is refused: export with it, then import into a new
// environment). Opens the environment read-only and closes it again.
// REQUIRES: this process does not have `path` open as an Env.
//   kNotFound    no environment at path, or it holds no schema
//   kCorruption  the stored schema does not decode
Result<Schema> ReadStoredSchema(const std::string& path);

}  // namespace lmdbapi

#endif  // LMDBAPI_ADMIN_H_
