// SPDX-License-Identifier: Apache-2.0
// src/schema/schema_builder.h - assembles a Schema one .def row at a time.
//
// The rows arrive in file order and each names its table, so the builder
// only ever appends to the table named, looking it up by name. Errors (a
// default of the wrong type, a row for a table not yet opened) are recorded
// and reported by Finish(), never thrown. Tests use it to build older and
// newer variants of a schema.

#ifndef LMDBAPI_SCHEMA_SCHEMA_BUILDER_H_
#define LMDBAPI_SCHEMA_SCHEMA_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lmdbapi/schema.h"

namespace lmdbapi {

class SchemaBuilder {
 public:
  // A default as written in the .def; given its field's type by
  // DefaultField.
  using Literal = std::variant<bool, std::int64_t, double, std::string>;

  void Table(std::string_view table, std::string_view doc);
  void Parent(std::string_view table, std::string_view link,
              std::string_view parent);
  void Field(std::string_view table, std::string_view field, FieldType type,
             std::string_view doc);
  // OPTIONAL_FIELD: nullable, default_value Null.
  void NullableField(std::string_view table, std::string_view field,
                     FieldType type, std::string_view doc);
  // DEFAULT_FIELD: not nullable, default_value dflt given the field's type.
  void DefaultField(std::string_view table, std::string_view field,
                    FieldType type, const Literal& dflt, std::string_view doc);
  void Index(std::string_view table, std::string_view index, IndexKind kind,
             std::string_view doc);
  void IndexKey(std::string_view table, std::string_view index,
                std::string_view field);
  // Sets FieldDesc::max_bytes of a field declared earlier; once per field.
  void MaxBytes(std::string_view table, std::string_view field,
                std::size_t max_bytes);

  // Resolves cross references (parents, children, db names) and runs
  // Schema::Validate(). Fails with kInvalidArgument naming the first bad
  // row.
  Result<Schema> Finish();

 private:
  TableDesc* Find(std::string_view table);
  void Fail(std::string message);

  Schema schema_;
  std::vector<std::string> parent_names_;  // per table; "" for main tables
  std::string error_;                      // first bad row, if any
};

}  // namespace lmdbapi

#endif  // LMDBAPI_SCHEMA_SCHEMA_BUILDER_H_
