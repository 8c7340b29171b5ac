// SPDX-License-Identifier: Apache-2.0
// src/store/mdb_status.h - the store's one place that knows LMDB's codes.
//
// Only genuine corruption becomes kCorruption (500 "Stored data is
// unreadable", which `lmdbapi-admin check` can confirm). Codes a client can
// provoke, or that say what to do, map to what the client or operator can
// act on:
//
//   MDB_MAP_FULL        kStorageFull  507  raise LMDB_MAP_SIZE_GB
//   MDB_TXN_FULL        kStorageFull  507  the one operation (e.g. a cascade
//                                          delete of a parent with very many
//                                          children) dirties more pages than
//                                          one LMDB transaction can hold.
//                                          Nothing was written, and a retry
//                                          cannot succeed: the message says
//                                          to remove the children in smaller
//                                          requests first. The work is not
//                                          split across transactions, since a
//                                          half-done cascade would be visible.
//   MDB_BAD_VALSIZE     kInvalidArgument 400  a key LMDB refuses (empty, or
//                                          over 511 bytes). Keys come from
//                                          the request (values, cursors), so
//                                          this is the request's fault; the
//                                          store checks keys before LMDB
//                                          sees them, and this is the net
//                                          under those checks.
//   MDB_READERS_FULL    kUnavailable  503  raise LMDB_MAX_READERS
//   MDB_DBS_FULL, MDB_MAP_RESIZED
//                       kUnavailable  503
//   MDB_BAD_TXN, MDB_BAD_DBI
//                       kIOError      500  a misuse of LMDB by this program
//                                          (a bug to report), not bad data
//   MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_PANIC, MDB_INVALID,
//   MDB_VERSION_MISMATCH, MDB_INCOMPATIBLE, MDB_CURSOR_FULL (a B-tree
//   deeper than 32 levels cannot be built from sane pages)
//                       kCorruption   500
//   MDB_NOTFOUND, MDB_KEYEXIST
//                       kCorruption   500  only reach here where the caller
//                                          knew the entry must (not) exist in
//                                          its own transaction: the databases
//                                          disagree. Callers handle them
//                                          first wherever they are answers
//                                          (a missing uuid, a taken key).
//   errno values        kIOError      500

#ifndef LMDBAPI_STORE_MDB_STATUS_H_
#define LMDBAPI_STORE_MDB_STATUS_H_

#include <string_view>

#include "lmdbapi/status.h"

namespace lmdbapi {

// OK for MDB_SUCCESS; otherwise a Status (table above) whose message starts
// with `op` (e.g. "mdb_put permits") and says what to do, where there is a
// fix. `subject` is the request part whose bytes made the key (a field name,
// or "after"): it becomes the kInvalidArgument's subject.
Status FromMdb(int rc, std::string_view op, std::string_view subject = {});

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_MDB_STATUS_H_
