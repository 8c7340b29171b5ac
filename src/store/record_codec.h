// src/store/record_codec.h - a record's stored bytes.
//
// A record is stored as one msgpack array, keyed by its 16-byte uuid:
//
//   [revision, field_1, field_2, ..., field_n]      in TableDesc order
//
//   STRING str | INT64 int | DOUBLE float64 (msgpack-c writes a double
//   with an integral value as an int; both read back exactly) | BOOL bool
//   DATE int (days since 1970-01-01) | TIMESTAMP int (UTC microseconds)
//   UUID bin 16
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
// msgpack-c throws on malformed bytes; this file catches everything, so no
// exception leaves it.

#ifndef LMDBAPI_STORE_RECORD_CODEC_H_
#define LMDBAPI_STORE_RECORD_CODEC_H_

#include <string>
#include <string_view>

#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi {

// REQUIRES: record matches table (CheckRecordShape passed).
void EncodeRecord(const TableDesc& table, const Record& record,
                  std::string* out);

// Fills record->revision and record->fields (not record->uuid: that is the
// key). kCorruption if the bytes are not a record of this table.
Status DecodeRecord(const TableDesc& table, std::string_view bytes,
                    Record* record);

// One field without building the whole record, for scans that filter on a
// field: parsing stops at that field, and a *value already holding a string
// reuses its buffer. Bytes after the field are not checked (DecodeRecord
// checks them when the record is returned). kCorruption as DecodeRecord.
Status DecodeField(const TableDesc& table, std::string_view bytes, int field,
                   Value* value);

// kInvalidArgument (subject: the field) unless record has one value of the
// right type per field of table, with no NaN or infinite doubles.
Status CheckRecordShape(const TableDesc& table, const Record& record);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_RECORD_CODEC_H_
