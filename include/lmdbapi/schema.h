// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/schema.h - the schema as data: tables, fields, indexes.
//
// The schema file (schema/*.def, chosen by the Makefile's SCHEMA=) is
// compiled into one Schema value, Schema::Compiled(). The store, the HTTP
// router and the OpenAPI writer walk these descriptors like any other data;
// nothing else in the code knows a table's name.
//
// A Schema is also an ordinary value: tests build older or newer variants
// of it (drop the last field, add an index) to exercise schema evolution
// against a real environment. Cross references are positions, not
// pointers, so copies stay valid.
//
// LMDB database names are stable and readable, because operators see them
// in `mdb_stat -a` and `mdb_dump -s`:
//   permits                      the table: uuid -> msgpack record
//   permits.main_composite       an index: key bytes -> uuid
//   permits>processing_status    links: parent uuid -> child uuids
//   meta                         the schema fingerprint

#ifndef LMDBAPI_SCHEMA_H_
#define LMDBAPI_SCHEMA_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/status.h"
#include "lmdbapi/value.h"

namespace lmdbapi {

// MULTI: non-unique, any number of key fields (composite lookups).
// UNIQUE: at most one record per key; a second gets kUniqueViolation.
// RANGE: non-unique, exactly one DATE, TIMESTAMP or INT64 key field; the
//        only kind Table::Range accepts.
enum class IndexKind { MULTI, UNIQUE, RANGE };
std::string_view KindName(IndexKind kind);  // "MULTI", ...

// A field is one of three kinds, from its .def row:
//   FIELD           required: never absent, never null
//   OPTIONAL_FIELD  nullable: absent or null stores null (Null)
//   DEFAULT_FIELD   has a default: absent or null stores the default; never
//                   holds null
// The rule every writer and reader keeps: a field left out (of a JSON
// body, of a record written before the field was appended) takes
// f.default_value, which is Null for a nullable field; required fields may
// not be left out.
struct FieldDesc {
  std::string name;
  FieldType type = FieldType::STRING;
  bool required = true;
  bool nullable = false;  // OPTIONAL_FIELD (then required is false too)
  // Nullable: Null. DEFAULT_FIELD: the default, of the field's type.
  // Required: a zero value of the field's type, never read.
  Value default_value;
  std::string doc;
  bool is_parent_link = false;  // the PARENT row's uuid field
  // STRING fields: the most bytes (UTF-8) a value may hold, from the .def's
  // MAX_BYTES row; 0: the caller's default (the worker's MAX_STRING_BYTES).
  // Not part of the fingerprint: a limit decides what may be written, not
  // how stored bytes are read, so changing it needs no migration.
  std::size_t max_bytes = 0;
};

// The most a MAX_BYTES row (and the MAX_STRING_BYTES setting) may say.
inline constexpr std::size_t kMaxStringLimit = std::size_t{1} << 30;

// The byte limit of STRING field f: its max_bytes, or default_max_bytes
// when that is 0. 0 means no limit.
std::size_t StringLimit(const FieldDesc& f, std::size_t default_max_bytes);

// kInvalidArgument with subject f.name when `value` (of STRING field f) is
// longer than StringLimit(f, default_max_bytes) bytes, e.g.
//   "notes: 70000 bytes, more than the 65536 this field may hold
//    (MAX_STRING_BYTES)"
// naming MAX_BYTES in the schema instead when the limit is the field's own.
Status CheckStringBytes(const FieldDesc& f, std::string_view value,
                        std::size_t default_max_bytes);

struct IndexDesc {
  std::string name;
  IndexKind kind = IndexKind::MULTI;
  std::string doc;
  std::vector<int> key_fields;  // positions in TableDesc::fields, key order
  std::string db_name;          // "<table>.<index>"
};

struct TableDesc {
  std::string name;
  std::string doc;
  int position = 0;       // in Schema::tables
  int parent = -1;        // table position of the parent, -1 for main tables
  int link_field = -1;    // position of the parent-link field, or -1
  std::vector<FieldDesc> fields;    // declaration order = storage order
  std::vector<IndexDesc> indexes;
  std::vector<int> children;        // positions of tables linked to this one
  std::string links_db_name;        // "<parent>><table>" when parent >= 0

  bool is_main() const { return parent < 0; }
  int FieldIndex(std::string_view field) const;  // -1 if absent
  const IndexDesc* FindIndex(std::string_view index) const;
};

class Schema {
 public:
  // The schema compiled from LMDBAPI_SCHEMA. Built once, on first use.
  static const Schema& Compiled();

  std::vector<TableDesc> tables;

  const TableDesc* FindTable(std::string_view name) const;

  // Checks the rules a .def cannot check by itself at compile time: names
  // unique and usable in URLs, index keys exist, RANGE indexes have one key
  // of an ordered type, defaults have their field's type, byte limits
  // (max_bytes) are on STRING fields and at most kMaxStringLimit. Compiled() aborts
  // start-up if its own schema fails this; tests call it on variants.
  Status Validate() const;

  // A canonical description of everything that decides how stored bytes
  // are read: tables, field names, types, order, each field's kind
  // (required, nullable, or default and its value),
  // indexes and their keys (not byte limits: see FieldDesc::max_bytes).
  // Stored in the "meta" database; see src/schema/fingerprint.h for how two
  // of them are compared.
  std::string Fingerprint() const;
  // A short stable hash of Fingerprint(), shown by /api/health.
  std::string FingerprintHash() const;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_SCHEMA_H_
