// SPDX-License-Identifier: Apache-2.0
// src/schema/fingerprint.h - the schema a database was written with, and
// whether the compiled schema may read it.
//
// Env::Open stores the schema in the "meta" database twice: as msgpack
// (key "schema", what is compared) and as Schema::Fingerprint() text (key
// "fingerprint", what an operator reads with `mdb_dump -p -s meta`).
//
// Compatibility rule, since records store fields by position:
//   compatible    fields appended as OPTIONAL_FIELD or DEFAULT_FIELD; new
//                 tables; indexes added, removed or changed (indexes are
//                 derived data: the store drops and rebuilds them); new
//                 docs or defaults; a required or DEFAULT field becoming
//                 nullable (stored values stay, records that predate it
//                 read null; indexes on it are rebuilt, as its key bytes
//                 change, see key_codec.h)
//   incompatible  a table removed or re-parented; a field removed, renamed,
//                 retyped or moved; a field appended as required (old
//                 records have no value for it); a nullable field becoming
//                 required or DEFAULT (stored nulls could not be read)
//
// The stored form has a version: 2 since nullable fields; version 1 (the
// landed version's, whose "optional" fields had defaults) is still read.

#ifndef LMDBAPI_SCHEMA_FINGERPRINT_H_
#define LMDBAPI_SCHEMA_FINGERPRINT_H_

#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi {

std::string EncodeSchema(const Schema& schema);
//   kCorruption  the bytes are not a stored schema
Result<Schema> DecodeSchema(std::string_view bytes);

// What opening a database written with `stored` under `compiled` must do.
struct SchemaChanges {
  struct IndexRef {
    int table;  // position in the compiled schema
    int index;  // position in that table's indexes
  };
  struct DroppedIndex {
    std::string db_name;
    bool dupsort;  // how it was opened when it was written
  };
  bool differs = false;                 // store the compiled schema
  std::vector<int> new_tables;          // compiled positions
  std::vector<IndexRef> build_indexes;  // new or changed: build from table
  std::vector<DroppedIndex> drop_indexes;  // removed or changed
  // Compatible changes that alter what a record reads as, one sentence
  // each naming the table and field (for a log or an operator).
  std::vector<std::string> notes;
};

//   kSchemaMismatch  incompatible; the message lists every difference
Result<SchemaChanges> CompareSchemas(const Schema& stored,
                                     const Schema& compiled);

}  // namespace lmdbapi

#endif  // LMDBAPI_SCHEMA_FINGERPRINT_H_
