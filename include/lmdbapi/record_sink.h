// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/record_sink.h - records handed out as they are stored.
//
// A page of a hundred records built as Record objects costs a heap string
// per string field and a vector per record, only for the caller to turn
// them into something else (the HTTP layer writes JSON). Such a caller can
// take them as stored instead: it sets PageRequest::sink (or calls
// Table::Get with a sink), and the Table hands each record to the sink
// inside its read snapshot; the sink reads the values through a
// FieldVisitor, straight from LMDB's map, and nothing is copied.
//
// Everything a StoredRecord gives out (string views included) is valid only
// during the RecordSink::Add call that received it.

#ifndef LMDBAPI_RECORD_SINK_H_
#define LMDBAPI_RECORD_SINK_H_

#include <cstdint>
#include <string_view>

#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/uuid.h"
#include "lmdbapi/value.h"

namespace lmdbapi {

// Receives one record's revision, then one call per field of the table in
// field order, each of the field's type, or Null for a nullable field that
// holds null; fields a record predates (appended to the schema after it was
// written) come as their defaults (FieldDesc::default_value: Null for a
// nullable field).
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void Revision(std::uint64_t revision) = 0;
  virtual void String(int field, std::string_view value) = 0;
  virtual void Int64(int field, std::int64_t value) = 0;
  virtual void Double(int field, double value) = 0;
  virtual void Bool(int field, bool value) = 0;
  virtual void Date(int field, lmdbapi::Date value) = 0;
  virtual void Timestamp(int field, lmdbapi::Timestamp value) = 0;
  virtual void Uuid(int field, const lmdbapi::Uuid& value) = 0;
  virtual void Null(int field) = 0;
};

// Hands `value` to the visitor's method for its type, as field `field`:
// lets a FieldVisitor serve for a Record's values too.
void VisitValue(const Value& value, int field, FieldVisitor* visitor);

// One record of `table` as stored.
class StoredRecord {
 public:
  StoredRecord(const TableDesc& table, const Uuid& uuid, std::string_view bytes)
      : table_(&table), uuid_(uuid), bytes_(bytes) {}

  const TableDesc& table() const { return *table_; }
  const Uuid& uuid() const { return uuid_; }

  // Visits the revision and every field. kCorruption if the bytes are not a
  // record of the table, in which case the visitor may have seen a part.
  Status Visit(FieldVisitor& visitor) const;

 private:
  const TableDesc* table_;
  Uuid uuid_;
  std::string_view bytes_;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A non-OK Status stops the walk, and the Table call returns it.
  virtual Status Add(const StoredRecord& record) = 0;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_RECORD_SINK_H_
