// SPDX-License-Identifier: Apache-2.0
// src/schema/descriptors.cc - the compiled schema as runtime data.
//
// Consumer of LMDBAPI_SCHEMA that turns rows into a Schema value (one
// builder call per row, in file order), plus a second consumer that turns
// rows into compile-time checks, so a typo in the .def fails the build at
// the .def's line instead of at run time.

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "lmdbapi/records.h"
#include "lmdbapi/schema.h"
#include "schema/schema_builder.h"

namespace lmdbapi {
namespace {

// Compile-time checks. Each INDEX row declares a tag type, so an INDEX_KEY
// naming an undeclared index, a duplicate index name, an index key that is
// not a field of its table, or a PARENT naming no table fails to compile;
// so does a MAX_BYTES row naming no STRING field of its table, or a limit
// outside 1..kMaxStringLimit.
// (Duplicate tables and fields already fail: records.h would declare a
// struct or member twice.)
namespace checks {
#define INDEX(t, i, kind, doc) struct t##__##i##_index {};
#include "lmdbapi/schema_prologue.def"
#include LMDBAPI_SCHEMA
#include "lmdbapi/schema_epilogue.def"
#define INDEX_KEY(t, i, f)                                             \
  static_assert(sizeof(t##__##i##_index) > 0, "INDEX_KEY of " #t "." #i \
                                              " names no INDEX");      \
  static_assert(sizeof(&t##_record::f) > 0, "index key " #t "." #f);
#define PARENT(t, link, parent) \
  static_assert(sizeof(parent##_record) > 0, "parent of " #t);
#define MAX_BYTES(t, f, n)                                                 \
  static_assert(std::is_same_v<decltype(t##_record::f), std::string>,      \
                "MAX_BYTES(" #t ", " #f ", ...): only a STRING field has "  \
                "a byte limit");                                           \
  static_assert((n) >= 1 && static_cast<unsigned long long>(n) <=          \
                                static_cast<unsigned long long>(           \
                                    kMaxStringLimit),                      \
                "MAX_BYTES(" #t ", " #f ", " #n "): expected 1..1073741824");
#include "lmdbapi/schema_prologue.def"
#include LMDBAPI_SCHEMA
#include "lmdbapi/schema_epilogue.def"
}  // namespace checks

// A .def default literal, before it is given its field's type.
[[maybe_unused]] SchemaBuilder::Literal DefaultLiteral(bool v) { return v; }
[[maybe_unused]] SchemaBuilder::Literal DefaultLiteral(int v) { return std::int64_t{v}; }
[[maybe_unused]] SchemaBuilder::Literal DefaultLiteral(long v) { return std::int64_t{v}; }
[[maybe_unused]] SchemaBuilder::Literal DefaultLiteral(long long v) { return std::int64_t{v}; }
[[maybe_unused]] SchemaBuilder::Literal DefaultLiteral(double v) { return v; }
[[maybe_unused]] SchemaBuilder::Literal DefaultLiteral(const char* v) { return std::string(v); }

Result<Schema> BuildCompiled() {
  SchemaBuilder b;
#define TABLE(t, doc) b.Table(#t, doc);
#define PARENT(t, link, parent) b.Parent(#t, #link, #parent);
#define FIELD(t, f, type, doc) b.Field(#t, #f, FieldType::type, doc);
#define OPTIONAL_FIELD(t, f, type, doc) \
  b.NullableField(#t, #f, FieldType::type, doc);
#define DEFAULT_FIELD(t, f, type, dflt, doc) \
  b.DefaultField(#t, #f, FieldType::type, DefaultLiteral(dflt), doc);
#define INDEX(t, i, kind, doc) b.Index(#t, #i, IndexKind::kind, doc);
#define INDEX_KEY(t, i, f) b.IndexKey(#t, #i, #f);
#define MAX_BYTES(t, f, n) b.MaxBytes(#t, #f, n);
#include "lmdbapi/schema_prologue.def"
#include LMDBAPI_SCHEMA
#include "lmdbapi/schema_epilogue.def"
  return b.Finish();
}

}  // namespace

const Schema& Schema::Compiled() {
  static const Schema schema = [] {
    Result<Schema> s = BuildCompiled();
    if (!s.ok()) {
      // A schema the build accepted but the rules refuse: nothing can run.
      std::fprintf(stderr, "lmdb-api: invalid schema %s: %s\n",
                   LMDBAPI_SCHEMA, s.status().message().c_str());
      std::abort();
    }
    return std::move(s.value());
  }();
  return schema;
}

}  // namespace lmdbapi
