// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/table.h - the operations on one table.
//
// A Table is a cheap handle: an Env plus one of its schema's TableDescs.
// Every write touches the record, all of its index entries and its parent
// link in one LMDB write transaction: it happens entirely or not at all.
// Reads run in a read transaction cached per thread, so they see one
// consistent snapshot and never block writers.
//
// Thread-safety: any number of threads may use Tables of one Env at once.
//
// Errors (Status codes) every operation may also return: kStorageFull (the
// map is full; nothing was written), kUnavailable (no reader slot),
// kCorruption, kIOError.

#ifndef LMDBAPI_TABLE_H_
#define LMDBAPI_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/record.h"
#include "lmdbapi/record_sink.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi {

// field == value, on a field position of the table.
struct Filter {
  int field = 0;
  Value value;
};

// One member of a patch: the field at position `field` takes `value`.
struct FieldPatch {
  int field = 0;
  Value value;
};

struct PageRequest {
  std::size_t limit = 100;  // 0 is treated as 1
  // Empty for the first page, else the `next` of the previous page of the
  // same query. Cursors are opaque bytes; a malformed one is
  // kInvalidArgument (subject "after"), never undefined behaviour.
  std::string after;
  // A page also ends, with a `next`, once its records' values pass this
  // many bytes (and it holds at least one), so a page of large records
  // cannot take unbounded memory. 0: no byte limit.
  std::size_t max_bytes = std::size_t{4} << 20;
  // If set, each record of the page goes to the sink, as stored, while the
  // read snapshot is open (see record_sink.h), and Page::records stays
  // empty; next and plan are as usual. A sink's error ends the call.
  RecordSink* sink = nullptr;
};

struct Page {
  std::vector<Record> records;
  std::optional<std::string> next;  // absent on the last page
  // How the query ran: "index <name>", "link <links db>", "primary" (a uuid
  // filter), or "scan".
  std::string plan;
};

class Table {
 public:
  // REQUIRES: desc is one of env.schema().tables.
  Table(Env& env, const TableDesc& desc) : env_(&env), desc_(&desc) {}

  const TableDesc& desc() const { return *desc_; }

  // Stores a new record. record->fields must hold one value of the right
  // type per field. If record->uuid is all zero a new UUIDv7 is made;
  // otherwise the given uuid is kept (imports). On success record->uuid and
  // record->revision (1) are set.
  //   kInvalidArgument  wrong field count or type, NaN, a string longer
  //                     than its field's MAX_BYTES (the worker's
  //                     MAX_STRING_BYTES default is not the library's),
  //                     or an index key over LMDB's 511-byte limit
  //                     (subject: the field)
  //   kUniqueViolation  a UNIQUE index, or the uuid, is taken
  //   kMissingParent    the parent link names no record
  Result<Uuid> Insert(Record* record);

  //   kNotFound  no record with that uuid
  Result<Record> Get(const Uuid& uuid);
  // The same record handed to `sink` as stored (see record_sink.h); the
  // sink's error, if any, is returned.
  Status Get(const Uuid& uuid, RecordSink& sink);

  // Replaces every field of record->uuid's record and moves its index
  // entries and parent link to match. If expected_revision is given and the
  // stored revision differs, fails with kConflict and writes nothing. On
  // success record->revision is the new revision.
  //   kNotFound, kInvalidArgument, kUniqueViolation, kMissingParent,
  //   kConflict
  Status Replace(Record* record,
                 std::optional<std::uint64_t> expected_revision = {});

  // Sets the fields `patch` names (each at most once) on uuid's record and
  // leaves the others as stored, moving index entries and the parent link
  // as Replace does (a new parent must exist). The record is read inside
  // the write transaction, so patches of different fields that run at the
  // same time all apply (no lost update). The revision goes up by one even
  // when no value changes, and for an empty patch: a patch is a write.
  // Values are checked as Insert checks them, on the patched record.
  // Returns the record as stored, with its new revision.
  //   kNotFound, kInvalidArgument (also: a field position out of range or
  //   named twice), kUniqueViolation, kMissingParent, kConflict
  Result<Record> Patch(const Uuid& uuid, std::vector<FieldPatch> patch,
                       std::optional<std::uint64_t> expected_revision = {});

  // Deletes the record, its index entries, its parent link and, in the same
  // transaction, every record linked to it (recursively).
  //   kNotFound, kConflict
  //   kStorageFull  the map is full, or (MDB_TXN_FULL) the cascade is more
  //                 than one transaction holds; nothing was removed
  Status Remove(const Uuid& uuid,
                std::optional<std::uint64_t> expected_revision = {});

  // Insert, Replace, Patch and Remove without waiting for the commit. Each does
  // the blocking call's work and checks, with the same errors, and calls
  // `done` exactly once with its outcome: the record as stored (uuid and
  // revision set) or the error. An OK outcome is durable, as the blocking
  // call's return is. `done` runs on the Env's committer thread, after the
  // commit (a write that fails its checks is told on this thread, before
  // the call returns), and must not block for long: the batch's other
  // writes are told after it, and the next batch waits. If a call throws
  // (std::bad_alloc), `done` is never called.
  // REQUIRES: the Env outlives every write not yet done.
  using RecordDone = std::function<void(Result<Record>)>;
  using StatusDone = std::function<void(Status)>;
  void InsertAsync(Record record, RecordDone done);
  void ReplaceAsync(Record record,
                    std::optional<std::uint64_t> expected_revision,
                    RecordDone done);
  void PatchAsync(const Uuid& uuid, std::vector<FieldPatch> patch,
                  std::optional<std::uint64_t> expected_revision,
                  RecordDone done);
  void RemoveAsync(const Uuid& uuid,
                   std::optional<std::uint64_t> expected_revision,
                   StatusDone done);

  // Records matching every filter (all of them if none), in the order of the
  // access path chosen: the index whose leading key fields are best covered
  // by the filters (UNIQUE preferred on ties), else the parent link, else a
  // scan in uuid order. Page::plan names the choice.
  Result<Page> Find(const std::vector<Filter>& filters,
                    const PageRequest& page);

  // Find({}, page): the whole table in uuid (= creation time) order.
  Result<Page> List(const PageRequest& page) { return Find({}, page); }

  // Records with from <= field <= to, in ascending field order (ties in
  // uuid order), through the RANGE index on `field`. Either bound may be
  // absent.
  //   kInvalidArgument  no RANGE index on that field, or a bound of the
  //                     wrong type
  Result<Page> Range(int field, const std::optional<Value>& from,
                     const std::optional<Value>& to, const PageRequest& page);

  // The records of `child` (a table whose parent is this one) linked to
  // `parent`, in uuid order.
  //   kNotFound          no such parent record
  //   kInvalidArgument   child is not linked to this table
  Result<Page> Children(const Uuid& parent, const TableDesc& child,
                        const PageRequest& page);

  // Number of records, from LMDB's own count (no scan).
  Result<std::uint64_t> Count();

 private:
  Env* env_;
  const TableDesc* desc_;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_TABLE_H_
