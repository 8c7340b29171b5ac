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
  // A walk that reads records one by one stops once it has read this many,
  // and the page ends there, with a `next` that resumes right after the
  // last record read, however few matches the page holds (none, even).
  // Every record read counts, matching or not. 0: no bound.
  std::size_t max_examined = 0;
};

// What Table::Select and Table::CountWhere look for: every equality filter,
// and at most one ordered condition (a range or a prefix) on another field.
struct Query {
  std::vector<Filter> filters;
  // from <= range_field <= to (either bound may be absent; a null never
  // matches a range), or -1. range_field must be a DATE, TIMESTAMP or
  // INT64 field.
  int range_field = -1;
  std::optional<Value> from, to;
  // Values of the STRING field prefix_field that start with `prefix` (bytes),
  // or -1. prefix_field must lead an index.
  int prefix_field = -1;
  std::string prefix;
  // Walk the access path backwards (MDB_PREV): the reverse of the
  // ascending order, pages and cursors included.
  bool descending = false;
};

// A count, or part of one: see Table::CountWhere.
struct CountPage {
  std::uint64_t count = 0;
  // Present when the count stopped at PageRequest::max_examined: the
  // matches after it are not counted; pass it as `after` to count them.
  std::optional<std::string> next;
  std::string plan;
  std::uint64_t examined = 0;  // records read (0 when no record was read)
};

struct Page {
  std::vector<Record> records;
  std::optional<std::string> next;  // absent on the last page
  // How the query ran: "index <name>", "link <links db>", "primary" (a uuid
  // filter), or "scan"; a query walked backwards adds " desc".
  std::string plan;
  // Records read to make the page (matching or not; see max_examined).
  std::uint64_t examined = 0;
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

  // Records matching the query, one page of them. The access path, in the
  // planner's order of preference (planner.h):
  //   - with a range or prefix on F: the index whose leading key fields are
  //     the most equality-filtered fields followed by F (one bounded walk,
  //     in F order); a UNIQUE index fully covered by equality filters wins
  //     over it; for a range, an index on the equality filters alone comes
  //     next (the range is then checked per record, and the order is that
  //     index's);
  //   - else as Find.
  // Descending walks the same entries backwards.
  //   kInvalidArgument  (subject: the field) a range on a field that is not
  //                     DATE, TIMESTAMP or INT64 or that no index serves, a
  //                     prefix on a field that is not a STRING leading an
  //                     index, a range and a prefix together, or a filter
  //                     as Find refuses it; (subject "after") a cursor of
  //                     another query or of the other order
  Result<Page> Select(const Query& query, const PageRequest& page);

  // How many records match, and how it was counted (CountPage::plan):
  //   "entries"            no filter: LMDB's own count (O(1))
  //   "index <name> keys"  the index covers every condition: its keys are
  //                        walked and counted (mdb_cursor_count per key
  //                        on a non-unique index, so an exact key is one
  //                        call), and no record is read
  //   "link <db> keys"     the parent link alone: mdb_cursor_count
  //   otherwise the plan Select would run; records are read and count
  //   against page.max_examined, and a count that stops there has a next
  //   (page.after continues it: add the counts). page.limit is not used.
  // Errors as Select.
  Result<CountPage> CountWhere(const Query& query, const PageRequest& page);

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
