// SPDX-License-Identifier: Apache-2.0
// src/store/mdb_status.cc - LMDB return code -> Status (see mdb_status.h).

#include "store/mdb_status.h"

#include <lmdb.h>

#include <string>

namespace lmdbapi {

Status FromMdb(int rc, std::string_view op, std::string_view subject) {
  if (rc == MDB_SUCCESS) return Status();
  std::string msg = std::string(op) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_MAP_FULL:
      // The caller's write transaction aborts, so nothing of this operation
      // reached the map. Below the maximum the group committer grows the
      // map and retries (map_growth.h), so this is the maximum's knob.
      return Status::StorageFull(msg + " (raise LMDB_MAP_MAX_GB)");
    case MDB_TXN_FULL:
      // Retrying the same request would fail the same way, so not
      // kUnavailable: say how to make the operation smaller.
      return Status::StorageFull(
          msg + " (the operation changes more than one transaction can hold; "
                "nothing was written: remove the record's children in "
                "smaller requests first, then retry)");
    case MDB_BAD_VALSIZE:
      return Status::InvalidArgument(
          std::string(subject),
          (subject.empty() ? "" : std::string(subject) + ": ") + msg +
              " (an index key must be 1 to 511 bytes)");
    case MDB_READERS_FULL:
      return Status::Unavailable(msg + " (raise LMDB_MAX_READERS)");
    case MDB_DBS_FULL:
      return Status::Unavailable(msg);
    case MDB_MAP_RESIZED:
      // BeginTxn adopts the new size and retries; this is what is left
      // after several retries, another process growing the map meanwhile.
      return Status::Unavailable(msg + " (another process keeps growing the "
                                       "map; retry)");
    case MDB_BAD_TXN:
    case MDB_BAD_DBI:
      return Status::IOError(msg + " (a misuse of LMDB: please report it)");
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_PANIC:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
    case MDB_CURSOR_FULL:
    case MDB_NOTFOUND:
    case MDB_KEYEXIST:
      return Status::Corruption(msg);
    default:
      return Status::IOError(msg);  // errno values: EACCES, ENOSPC, EIO...
  }
}

}  // namespace lmdbapi
