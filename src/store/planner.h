// SPDX-License-Identifier: Apache-2.0
// src/store/planner.h - choosing how a Find runs, and its page cursors.
//
// A query is a conjunction of equality filters. The planner picks the access
// path that reads the fewest entries:
//
//   1. the index whose leading key fields are most covered by the filters
//      (ties: a fully covered UNIQUE index, then the earlier-declared index);
//      the covered values, key-encoded, form a byte prefix and the walk
//      reads exactly the entries that start with it;
//   2. otherwise, on a linked table with a filter on the link field, that
//      parent's entries in the links database;
//   3. otherwise a scan of the table in uuid order.
//
// Filters the path does not cover are checked on each record it reads.
//
// A Query (table.h) may add one ordered condition on a field F: a range
// (from <= F <= to) or a prefix (F's string starts with p). Then the path
// is, in this order:
//
//   1. a UNIQUE index fully covered by equality filters (one entry);
//   2. the index whose key fields start with the most equality-filtered
//      fields and then F (ties: a RANGE index, then the earlier one). Its
//      keys from [eq prefix][F's lower bound] to [eq prefix][F's upper
//      bound] are one bounded cursor walk, in F order. A RANGE index on F is
//      the case of no equality field;
//   3. for a range, the equality path of 1..3 above (index or link), with
//      F checked on each record read (in that path's order);
//   4. nothing: kInvalidArgument naming F (the caller's check).
//
// Every index walk is a byte interval of the index: keys k with lo <= k and
// k[0, hi.size()) <= hi (Plan::lo, hi). An ordered condition checked per
// record compares F's key part (key_codec.h) with the same kind of bounds,
// so both paths agree on nulls (never in a range) and on every value.
// Descending walks the same interval from its top, with MDB_PREV.
//
// Page cursors are opaque to callers but self-checking: a tag byte for the
// path, then what the walk needs to resume strictly after the last record
// returned:
//   'S' uuid                          scan
//   'I' index# key uuid               index prefix walk (Find)
//   'R' index# key uuid               range walk (Range)
//   'L' uuid                          links walk (Find on the link, Children)
// followed by 4 bytes that identify the query (QueryTag: its filters and
// conditions, not the order or the page size). A descending walk's tag is
// the lower-case letter ('s', 'i', 'r', 'l'), so a cursor is refused with
// the other order, and with another query, naming which.
// A cursor comes back from the client, so it is input like any other:
// DecodeCursor checks every part of it against the walk that will use it
// before any byte of it reaches LMDB. A cursor from another query, or
// garbage, is kInvalidArgument ("after") -> 400, never a 5xx.

#ifndef LMDBAPI_STORE_PLANNER_H_
#define LMDBAPI_STORE_PLANNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi {

// Key-part bounds of an ordered condition: parts p with lo <= p and, if
// has_hi, p[0, hi.size()) <= hi. A range from A to B is lo = part(A) (or the
// value marker of a nullable field, so nulls are left out), hi = part(B);
// a prefix is lo = hi = the prefix's bytes as a key part starts with them.
struct PartBounds {
  std::string lo, hi;
  bool has_hi = false;
  bool Holds(std::string_view part) const {
    return part >= std::string_view(lo) &&
           (!has_hi || part.substr(0, hi.size()) <= std::string_view(hi));
  }
};

struct Plan {
  enum class Kind { kScan, kIndex, kLink };
  Kind kind = Kind::kScan;
  int index = -1;               // kIndex: position in TableDesc::indexes
  int covered = 0;              // kIndex: leading key fields fixed by filters
  std::string prefix;           // kIndex: key bytes of the covered fields
  // kIndex: the walk's interval: keys k with lo <= k and, if has_hi,
  // k[0, hi.size()) <= hi. For equality filters alone lo = hi = prefix.
  PartBounds keys;
  Uuid parent;                  // kLink: whose children
  std::vector<int> residual;    // filters (positions) checked per record
  // The ordered condition when the path does not serve it: field (-1 if
  // none, or if the index walk serves it) and its bounds, per record.
  int ordered_field = -1;
  PartBounds ordered;
  bool descending = false;
  std::string description;      // Page::plan
};

// REQUIRES: every filter names a field of table with a value of its type,
// or Null for a nullable field (whose key prefix is then the null marker).
Plan ChoosePlan(const TableDesc& table, const std::vector<Filter>& filters);

// The same for a whole query. REQUIRES: as above, and the query's ordered
// condition is one CheckOrdered accepts.
Plan ChooseQueryPlan(const TableDesc& table, const Query& query);

// kInvalidArgument (subject: the field) unless the query's range or prefix
// is one some path serves (see above); OK without either.
Status CheckOrdered(const TableDesc& table, const Query& query);

// 4 bytes identifying the query's filters and condition (FNV-1a of their
// key bytes), for its cursors.
std::uint32_t QueryTag(const TableDesc& table, const Query& query);

// Where a walk resumes: strictly after (key, uuid). Key is empty for scan
// and link cursors.
struct Resume {
  std::string key;
  Uuid uuid;
};

// `tag` as the walk makes it: lower case for a descending walk.
std::string EncodeCursor(char tag, int index, std::string_view key,
                         const Uuid& uuid, std::uint32_t query = 0);

// The walk a cursor is decoded for.
struct CursorScope {
  char tag = 'S';           // 'S', 'I', 'R' or 'L' (upper case)
  int index = -1;           // 'I', 'R': position in TableDesc::indexes
  std::string_view prefix;  // 'I': Plan::prefix (may be empty)
  bool descending = false;  // the cursor's tag is then lower case
  std::uint32_t query = 0;  // QueryTag
};

// The walk `plan` runs (Find's): its cursors' tag, index, prefix and order.
// REQUIRES: plan outlives the scope (the prefix is a view of it).
CursorScope ScopeOf(const Plan& plan, std::uint32_t query = 0);

// Parses `after` for a walk of `table` described by `scope`. Accepted only
// if, besides tag and index, the key is:
//   'S', 'L'  empty;
//   'I'       1..kMaxKeyBytes bytes that read (ReadIndexKey) as exactly a
//             key of the index, and start with scope.prefix;
//   'R'       the same, for a RANGE index.
// So the resume key is one LMDB accepts (MDB_BAD_VALSIZE cannot follow) and
// one the walk's index could hold.
//   kInvalidArgument  (subject "after") malformed, or from another query;
//                     *resume is then unchanged
// REQUIRES: scope names a walk of table (tag 'I'/'R' with an index of it).
Status DecodeCursor(std::string_view after, const TableDesc& table,
                    const CursorScope& scope, Resume* resume);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_PLANNER_H_
