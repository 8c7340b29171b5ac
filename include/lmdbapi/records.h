// include/lmdbapi/records.h - one C++ struct per schema table.
//
// Consumer of LMDBAPI_SCHEMA that turns rows into *types*, for C++ callers
// who prefer `permit.client` to `record.fields[1]`:
//
//   struct permits_record { Uuid uuid; std::uint64_t revision;
//                           std::string permit_number; ... };
//   Record ToRecord(const permits_record&);
//   void FromRecord(const Record&, permits_record*);
//
// Generated names keep the schema's spelling, so grepping a table name finds
// every use. Everything generic (codecs, index keys, routes, OpenAPI) walks
// the runtime descriptors in schema.h instead.
//
// A field's position in Record::fields is its declaration order, which is
// also the order of the struct's members after uuid and revision.

#ifndef LMDBAPI_RECORDS_H_
#define LMDBAPI_RECORDS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "lmdbapi/record.h"
#include "lmdbapi/value.h"

namespace lmdbapi {

template <FieldType T>
using field_t = std::variant_alternative_t<static_cast<std::size_t>(T), Value>;

// The default of an OPTIONAL_FIELD as its struct member's initial value.
// DATE, TIMESTAMP and UUID defaults are written as text in the .def;
// Schema::Validate() rejects one that does not parse, so the fallback to {}
// below is never what a valid schema gets.
template <FieldType T, typename Literal>
field_t<T> StructDefault(Literal literal) {
  if constexpr (T == FieldType::DATE || T == FieldType::TIMESTAMP ||
                T == FieldType::UUID) {
    auto v = ParseValue(T, literal, "default");
    return v.ok() ? std::get<field_t<T>>(v.value()) : field_t<T>{};
  } else {
    return field_t<T>(literal);
  }
}

#define TABLE(t, doc) \
  struct t##_record { \
    Uuid uuid; \
    std::uint64_t revision = 0;
#define PARENT(t, link, parent) Uuid link;
#define FIELD(t, f, type, doc) field_t<FieldType::type> f{};
#define OPTIONAL_FIELD(t, f, type, dflt, doc) \
  field_t<FieldType::type> f = StructDefault<FieldType::type>(dflt);
#define END_TABLE(t) };
#include LMDBAPI_SCHEMA

#define TABLE(t, doc)                                   \
  inline Record ToRecord(const t##_record& typed) {     \
    Record r{typed.uuid, typed.revision, {}};
#define PARENT(t, link, parent) r.fields.emplace_back(typed.link);
#define FIELD(t, f, type, doc) r.fields.emplace_back(typed.f);
#define END_TABLE(t) return r; }
#include LMDBAPI_SCHEMA

// REQUIRES: record has the table's field count and types (as every Record
// the library returns does).
#define TABLE(t, doc)                                               \
  inline void FromRecord(const Record& r, t##_record* typed) {      \
    typed->uuid = r.uuid;                                           \
    typed->revision = r.revision;                                   \
    std::size_t i = 0;
#define PARENT(t, link, parent) typed->link = std::get<Uuid>(r.fields[i++]);
#define FIELD(t, f, type, doc) \
  typed->f = std::get<field_t<FieldType::type>>(r.fields[i++]);
#define END_TABLE(t) (void)i; }
#include LMDBAPI_SCHEMA

}  // namespace lmdbapi

#endif  // LMDBAPI_RECORDS_H_
