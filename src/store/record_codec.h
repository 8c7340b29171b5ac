// src/store/record_codec.h - a record's stored bytes.
//
// A record is stored, keyed by its 16-byte uuid, as a small table of field
// offsets followed by one msgpack array:
//
//   0xc1  W  N(u16)  offset_1 .. offset_N  [revision, field_1, ..., field_N]
//
//   0xc1      a byte msgpack never uses, marking this layout
//   W         width of each offset in bytes: 2, or 4 once the array passes
//             64 KiB
//   N         fields stored (little-endian)
//   offset_i  where field_i's msgpack value starts, counted from the first
//             byte of the array (little-endian); it ends where field_i+1
//             starts, or at the end of the value
//
// and the array's items, in TableDesc order:
//
//   STRING str | INT64 int | DOUBLE float64 (msgpack-c writes a double
//   with an integral value as an int; both read back exactly) | BOOL bool
//   DATE int (days since 1970-01-01) | TIMESTAMP int (UTC microseconds)
//   UUID bin 16
//
// Why the offsets: a scan that filters on one field reads that field's
// bytes directly instead of parsing every value before it (a filtered scan
// of 50,000 records is mostly that parsing otherwise). The encoding is
// canonical (msgpack-c always picks the shortest form), so equal values
// have equal bytes and a filter compares bytes; see StoredFilter.
//
// Why an array and not a map: names would be stored in every record (for a
// permit, about as many bytes as the values), and a decoder would compare
// them per field. Positions are fixed by the compatibility rule the schema
// fingerprint enforces (fields are only ever appended), so an array loses
// nothing. A record written before fields were appended is simply shorter;
// the missing trailing fields read as their defaults. A stored value of the
// wrong msgpack type, or more values than the table has fields, is
// kCorruption: the decoder never guesses.
//
// Records written before the offsets existed are the bare array (first byte
// 0x90-0x9f or 0xdc); they read as before, filters decode them, and they
// take the new layout when next replaced.
//
// msgpack-c throws on malformed bytes; this file catches everything, so no
// exception leaves it.

#ifndef LMDBAPI_STORE_RECORD_CODEC_H_
#define LMDBAPI_STORE_RECORD_CODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/record.h"
#include "lmdbapi/record_sink.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/table.h"

namespace lmdbapi {

// REQUIRES: record matches table (CheckRecordShape passed).
void EncodeRecord(const TableDesc& table, const Record& record,
                  std::string* out);

// Fills record->revision and record->fields (not record->uuid: that is the
// key). kCorruption if the bytes are not a record of this table.
Status DecodeRecord(const TableDesc& table, std::string_view bytes,
                    Record* record);

// Visits the revision and every field (see FieldVisitor). kCorruption as
// DecodeRecord; the visitor may have seen part of the record by then.
Status VisitRecord(const TableDesc& table, std::string_view bytes,
                   FieldVisitor* visitor);

// One field without building the whole record: only that field's bytes are
// parsed (where the offset table puts them), and a *value already holding a
// string reuses its buffer. The rest of the record is not checked
// (DecodeRecord checks it when the record is returned, and CheckFieldOffsets
// that both read the same value). kCorruption as DecodeRecord.
Status DecodeField(const TableDesc& table, std::string_view bytes, int field,
                   Value* value);

// What lmdbapi-admin check adds to DecodeRecord: kCorruption unless each
// field's bytes, as the offset table places them, are the canonical
// encoding of the value the array holds at that position (filters compare
// the former, everything else reads the latter). OK for records of the
// older layout. REQUIRES: DecodeRecord(table, bytes, &record) succeeded.
Status CheckFieldOffsets(const TableDesc& table, std::string_view bytes,
                         const Record& record);

// Equality filters (field == value, all of them) checked against stored
// bytes without decoding: each value is encoded once as a record would
// store it and compared with the field's bytes. Old-layout records are
// decoded field by field instead.
class StoredFilter {
 public:
  // `which`: positions in `filters` to check. REQUIRES: each filter's value
  // has its field's type.
  StoredFilter(const TableDesc& table, const std::vector<Filter>& filters,
               const std::vector<int>& which);

  bool empty() const { return checks_.empty(); }

  // *match: whether the record passes every filter. kCorruption if the
  // bytes are not a record of the table.
  Status Matches(std::string_view bytes, bool* match);

 private:
  struct Check {
    int field;
    const Value* value;
    // The stored forms equal to value: one, or two for a zero DOUBLE
    // (+0.0 and -0.0 compare equal but encode differently).
    std::string encoded, also;
  };
  const TableDesc& table_;
  std::vector<Check> checks_;
  Value scratch_;  // old-layout records: the decoded field, reused
};

// kInvalidArgument (subject: the field) unless record has one value of the
// right type per field of table, with no NaN or infinite doubles.
Status CheckRecordShape(const TableDesc& table, const Record& record);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_RECORD_CODEC_H_
