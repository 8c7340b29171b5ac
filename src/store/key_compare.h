// SPDX-License-Identifier: Apache-2.0
// src/store/key_compare.h - LMDB's default key order, faster for uuids.
//
// LMDB compares keys with its own mdb_cmp_memn unless told otherwise: a
// memcmp(3) of the shorter length, then the shorter key first. A get by
// uuid binary-searches a dozen keys per page level, and those memcmp calls
// (through the PLT, with a length check each) were a fifth of the library's
// get by uuid. CompareKeys gives exactly the same order, so data written
// with either comparator reads back with the other (the previous release,
// mdb_dump and mdb_stat all use LMDB's default), but compares two 16-byte
// keys as two big-endian 64-bit integers. Other sizes go the default way.
//
// Installed in the transaction that opens the databases (env.cc), where
// keys or duplicates are uuids: mdb_set_compare on each table's records and
// links, mdb_set_dupsort on its links and non-unique indexes. LMDB keeps
// them for the environment's life.

#ifndef LMDBAPI_STORE_KEY_COMPARE_H_
#define LMDBAPI_STORE_KEY_COMPARE_H_

#include <lmdb.h>

namespace lmdbapi {

// <0, 0 or >0 as a sorts before, equal to or after b, in LMDB's default
// order (byte-wise, unsigned; a prefix before its extensions).
int CompareKeys(const MDB_val* a, const MDB_val* b);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_KEY_COMPARE_H_
