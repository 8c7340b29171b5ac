// SPDX-License-Identifier: Apache-2.0
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
// and the array's items, in TableDesc order, each in one form chosen here
// and written byte by byte by EncodeValue (never by msgpack-c's packer,
// whose choices are its own and could change with an upgrade):
//
//   revision   unsigned integer, smallest form (below)
//   STRING     the UTF-8 bytes after a header by length: fixstr (0xa0|n)
//              below 32 bytes, str 8 (0xd9 n) to 255, str 16 (0xda n16)
//              to 65535, str 32 (0xdb n32) beyond
//   INT64      integer, smallest form: positive fixint 0..127; uint 8/16/
//              32/64 (0xcc..0xcf) for the rest from 0 up; negative fixint
//              -32..-1; int 8/16/32/64 (0xd0..0xd3) below that. Lengths
//              and integers are big-endian, as msgpack has them.
//   DOUBLE     always float64 (0xcb + IEEE 754 bits, big-endian), a whole
//              value too; -0.0 keeps its sign (0xcb 80 00..00); every NaN
//              becomes the one quiet NaN 0xcb 7f f8 00..00 (the store
//              refuses NaN and infinities, see CheckRecordShape; the rule
//              only makes EncodeValue total)
//   BOOL       0xc3 true, 0xc2 false
//   DATE       integer as INT64: days since 1970-01-01
//   TIMESTAMP  integer as INT64: UTC microseconds since the epoch
//   UUID       bin 8 of 16 bytes (0xc4 0x10 + the uuid's bytes)
//   null       nil (0xc0), in the slot of a nullable field (OPTIONAL_FIELD)
//              only; nil in a required or DEFAULT field is kCorruption
//   the array  fixarray (0x90|n) below 16 items, array 16 (0xdc n16) to
//              65535, array 32 (0xdd n32) beyond
//
// So a value has exactly one encoding, and equal values equal bytes, which
// is what lets a filter compare bytes (StoredFilter); the golden-bytes
// tests pin every form.
//
// Records from the landed version. It let msgpack-c 4.1 choose, which
// picks the same forms as above for every type but DOUBLE: a double with a
// whole value in integer range was stored as that integer (2.0 as 0x02,
// -3.0 as 0xfd), and -0.0 as 0. Those records read as they always did (an
// integer in a DOUBLE field reads as that double) and are rewritten in the
// canonical form when next replaced. Until then a stored field matches a
// value if its bytes are any *stored form* of it: the canonical one, or
// for a whole DOUBLE the landed version's integer (a filter on 0.0 or
// -0.0 takes the forms of both, as they compare equal). Filters and
// CheckFieldOffsets use that one rule; nothing else is accepted.
//
// Why an array and not a map: names would be stored in every record (for a
// permit, about as many bytes as the values), and a decoder would compare
// them per field. Positions are fixed by the compatibility rule the schema
// fingerprint enforces (fields are only ever appended), so an array loses
// nothing. A record written before fields were appended is simply shorter;
// the missing trailing fields read as their defaults (FieldDesc::
// default_value): null for a nullable field, a filter for null matches
// them, and they are written out when the record is next replaced. A stored value of the
// wrong msgpack type, or more values than the table has fields, is
// kCorruption: the decoder never guesses.
//
// Records written before the offsets existed are the bare array (first byte
// 0x90-0x9f or 0xdc); they read as before, filters decode them, and they
// take the new layout when next replaced.
//
// Reading uses msgpack-c's parser, which throws on malformed bytes; this
// file catches everything, so no exception leaves it.

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

// Appends v's stored form, as above. Total: any Value, NaN included.
void EncodeValue(const Value& v, std::string* out);

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
// field's bytes, as the offset table places them, are a stored form (see
// above: canonical, or the landed version's whole DOUBLE) of the value the
// array holds at that position (filters compare the former, everything
// else reads the latter). OK for records of the older layout. REQUIRES: DecodeRecord(table, bytes, &record) succeeded.
Status CheckFieldOffsets(const TableDesc& table, std::string_view bytes,
                         const Record& record);

// Equality filters (field == value, all of them) checked against stored
// bytes without decoding: each value's stored forms (above) are encoded
// once and compared with the field's bytes. Old-layout records are decoded
// field by field instead.
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
    // The stored forms equal to value: one, two for a whole DOUBLE, three
    // for a zero (+0.0 and -0.0 compare equal and share the legacy 0).
    std::vector<std::string> forms;
  };
  const TableDesc& table_;
  std::vector<Check> checks_;
  Value scratch_;  // old-layout records: the decoded field, reused
};

// kInvalidArgument (subject: the field) unless record has one value of the
// right type (or Null, for a nullable field only) per field of table, with
// no NaN or infinite doubles and no string longer than its field's
// MAX_BYTES (FieldDesc::max_bytes).
Status CheckRecordShape(const TableDesc& table, const Record& record);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_RECORD_CODEC_H_
