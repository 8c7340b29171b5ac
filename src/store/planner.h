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
// Page cursors are opaque to callers but self-checking: a tag byte for the
// path, then what the walk needs to resume strictly after the last record
// returned:
//   'S' uuid                          scan
//   'I' index# key uuid               index prefix walk (Find)
//   'R' index# key uuid               range walk (Range)
//   'L' uuid                          links walk (Find on the link, Children)
// A cursor comes back from the client, so it is input like any other:
// DecodeCursor checks every part of it against the walk that will use it
// before any byte of it reaches LMDB. A cursor from another query, or
// garbage, is kInvalidArgument ("after") -> 400, never a 5xx.

#ifndef LMDBAPI_STORE_PLANNER_H_
#define LMDBAPI_STORE_PLANNER_H_

#include <string>
#include <vector>

#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi {

struct Plan {
  enum class Kind { kScan, kIndex, kLink };
  Kind kind = Kind::kScan;
  int index = -1;               // kIndex: position in TableDesc::indexes
  int covered = 0;              // kIndex: leading key fields fixed by filters
  std::string prefix;           // kIndex: key bytes of the covered fields
  Uuid parent;                  // kLink: whose children
  std::vector<int> residual;    // filters (positions) checked per record
  std::string description;      // Page::plan
};

// REQUIRES: every filter names a field of table with a value of its type,
// or Null for a nullable field (whose key prefix is then the null marker).
Plan ChoosePlan(const TableDesc& table, const std::vector<Filter>& filters);

// Where a walk resumes: strictly after (key, uuid). Key is empty for scan
// and link cursors.
struct Resume {
  std::string key;
  Uuid uuid;
};

std::string EncodeCursor(char tag, int index, std::string_view key,
                         const Uuid& uuid);

// The walk a cursor is decoded for.
struct CursorScope {
  char tag = 'S';           // 'S', 'I', 'R' or 'L'
  int index = -1;           // 'I', 'R': position in TableDesc::indexes
  std::string_view prefix;  // 'I': Plan::prefix (may be empty)
};

// The walk `plan` runs (Find's): its cursors' tag, index and prefix.
// REQUIRES: plan outlives the scope (the prefix is a view of it).
CursorScope ScopeOf(const Plan& plan);

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
