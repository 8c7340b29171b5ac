// SPDX-License-Identifier: Apache-2.0
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
// The macros generate only the structs and, for each, a table of member
// pointers (RecordFields); ToRecord and FromRecord are written once, as
// templates that walk it.
//
// Generated names keep the schema's spelling, so grepping a table name finds
// every use. Everything generic (codecs, index keys, routes, OpenAPI) walks
// the runtime descriptors in schema.h instead.
//
// A field's position in Record::fields is its declaration order, which is
// also the order of the struct's members after uuid and revision. A
// nullable field (OPTIONAL_FIELD) is a std::optional, empty for null; a
// DEFAULT_FIELD starts as its default.

#ifndef LMDBAPI_RECORDS_H_
#define LMDBAPI_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "lmdbapi/record.h"
#include "lmdbapi/value.h"

namespace lmdbapi {

template <FieldType T>
using field_t = std::variant_alternative_t<static_cast<std::size_t>(T), Value>;

// The default of a DEFAULT_FIELD as its struct member's initial value.
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
#define OPTIONAL_FIELD(t, f, type, doc) std::optional<field_t<FieldType::type>> f;
#define DEFAULT_FIELD(t, f, type, dflt, doc) \
  field_t<FieldType::type> f = StructDefault<FieldType::type>(dflt);
#define END_TABLE(t) };
#include "lmdbapi/schema_prologue.def"
#include LMDBAPI_SCHEMA
#include "lmdbapi/schema_epilogue.def"

// Ends each table's member list below (the rows cannot know which is last).
struct EndOfFields {};

// Each struct's fields in Record::fields order, as member pointers: the
// data ToRecord and FromRecord walk. kMembers is a std::tuple.
template <typename T>
struct RecordFields;

#define TABLE(t, doc) \
  template <> struct RecordFields<t##_record> { \
    static constexpr auto kMembers = std::tuple(
#define PARENT(t, link, parent) &t##_record::link,
#define FIELD(t, f, type, doc) &t##_record::f,
#define END_TABLE(t) EndOfFields{}); };
#include "lmdbapi/schema_prologue.def"
#include LMDBAPI_SCHEMA
#include "lmdbapi/schema_epilogue.def"

// A struct generated above: one per table.
template <typename T>
concept TableRecord = requires { RecordFields<T>::kMembers; };

namespace records_internal {

template <typename T, typename M>
void Append(const T& typed, M T::*member, std::vector<Value>* out) {
  out->emplace_back(typed.*member);
}
template <typename T, typename M>
void Append(const T& typed, std::optional<M> T::*member,
            std::vector<Value>* out) {
  const std::optional<M>& v = typed.*member;
  if (v) {
    out->emplace_back(*v);
  } else {
    out->emplace_back(Null{});
  }
}
template <typename T>
void Append(const T&, EndOfFields, std::vector<Value>*) {}

template <typename T, typename M>
void Take(const std::vector<Value>& fields, std::size_t* i, T* typed,
          M T::*member) {
  typed->*member = std::get<M>(fields[(*i)++]);
}
template <typename T, typename M>
void Take(const std::vector<Value>& fields, std::size_t* i, T* typed,
          std::optional<M> T::*member) {
  const Value& v = fields[(*i)++];
  if (IsNull(v)) {
    (typed->*member).reset();
  } else {
    typed->*member = std::get<M>(v);
  }
}
template <typename T>
void Take(const std::vector<Value>&, std::size_t*, T*, EndOfFields) {}

}  // namespace records_internal

template <TableRecord T>
Record ToRecord(const T& typed) {
  Record r{typed.uuid, typed.revision, {}};
  std::apply(
      [&](auto... member) {
        (records_internal::Append(typed, member, &r.fields), ...);
      },
      RecordFields<T>::kMembers);
  return r;
}

// REQUIRES: record has the table's field count and types (as every Record
// the library returns does).
template <TableRecord T>
void FromRecord(const Record& r, T* typed) {
  typed->uuid = r.uuid;
  typed->revision = r.revision;
  std::size_t i = 0;
  std::apply(
      [&](auto... member) {
        (records_internal::Take(r.fields, &i, typed, member), ...);
      },
      RecordFields<T>::kMembers);
}

}  // namespace lmdbapi

#endif  // LMDBAPI_RECORDS_H_
