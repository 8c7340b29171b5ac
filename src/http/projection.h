// SPDX-License-Identifier: Apache-2.0
// src/http/projection.h - `fields=a,b`: which fields a read answers.
//
// GET by uuid, get-record (and the list), /range and children take
// fields=<name>[,<name>...]: each record then carries only those fields,
// plus "uuid" and "revision", which always come (a client needs them to
// write the record back, and the ETag is the revision). Naming uuid or
// revision in the list is allowed and changes nothing. Order in the list
// does not matter: members keep the schema's order. An unknown name, an
// empty name ("a,,b", "fields="), a name given twice, or the parameter given
// twice is a 400 naming `fields`.
//
// The parameter is taken out of the query's pairs before the route's own
// parameters are read (params.h), so no route's parameter list needs to
// know it, and it is refused where it means nothing (writes, health).
//
// The mask applies to the writers (record_json.h, record_msgpack.h)
// through ProjectingVisitor, which hands on the kept fields only; nothing
// is read from the store differently, and conditional requests are as
// without it (the ETag is still the record's revision).

#ifndef LMDBAPI_HTTP_PROJECTION_H_
#define LMDBAPI_HTTP_PROJECTION_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http/query.h"
#include "lmdbapi/record_sink.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

// Which fields of a table a record carries. Empty: every field.
struct FieldMask {
  std::vector<bool> keep;  // one per table field, when not empty

  bool all() const { return keep.empty(); }
  bool Keeps(int field) const {
    return keep.empty() || keep[static_cast<std::size_t>(field)];
  }
  // Fields kept, out of `fields` in the table.
  std::size_t Count(std::size_t fields) const {
    if (keep.empty()) return fields;
    return static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true));
  }
};

inline constexpr std::string_view kFieldsParam = "fields";

// Removes a `fields` pair from *params, if there is one, and parses it
// into *mask (else leaves *mask all). kInvalidArgument, subject "fields",
// as the header says.
Status TakeProjection(std::vector<QueryParam>* params, const TableDesc& table,
                      FieldMask* mask);

// Hands the revision and the kept fields to `inner`, and drops the rest.
class ProjectingVisitor : public FieldVisitor {
 public:
  ProjectingVisitor(const FieldMask& mask, FieldVisitor* inner)
      : mask_(mask), inner_(inner) {}

  void Revision(std::uint64_t r) override { inner_->Revision(r); }
  void String(int f, std::string_view v) override {
    if (mask_.Keeps(f)) inner_->String(f, v);
  }
  void Int64(int f, std::int64_t v) override {
    if (mask_.Keeps(f)) inner_->Int64(f, v);
  }
  void Double(int f, double v) override {
    if (mask_.Keeps(f)) inner_->Double(f, v);
  }
  void Bool(int f, bool v) override {
    if (mask_.Keeps(f)) inner_->Bool(f, v);
  }
  void Date(int f, lmdbapi::Date v) override {
    if (mask_.Keeps(f)) inner_->Date(f, v);
  }
  void Timestamp(int f, lmdbapi::Timestamp v) override {
    if (mask_.Keeps(f)) inner_->Timestamp(f, v);
  }
  void Uuid(int f, const lmdbapi::Uuid& v) override {
    if (mask_.Keeps(f)) inner_->Uuid(f, v);
  }
  void Null(int f) override {
    if (mask_.Keeps(f)) inner_->Null(f);
  }

 private:
  const FieldMask& mask_;
  FieldVisitor* inner_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_PROJECTION_H_
