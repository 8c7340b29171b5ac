// SPDX-License-Identifier: Apache-2.0
// src/store/key_codec.h - order-preserving index key bytes.
//
// Index keys are compared by LMDB with memcmp, so the bytes of an encoded
// value must sort exactly as the value does. Each part below is
// self-delimiting (fixed width, or terminated), so a composite key is just
// its parts concatenated: memcmp then compares field by field, and the
// encoding of the first k fields is a byte prefix of every full key that
// starts with those values. Prefix and range queries are plain cursor walks.
//
//   INT64      8 bytes big-endian, sign bit flipped (so -1 < 0 < 1)
//   DATE       4 bytes big-endian of days since 1970-01-01, sign bit flipped
//   TIMESTAMP  8 bytes big-endian of UTC microseconds, sign bit flipped
//   DOUBLE     8 bytes big-endian of the IEEE bits; positive: sign bit set;
//              negative: all bits inverted. -0.0 is encoded as +0.0, so the
//              two compare equal, as they do in C++. NaN never gets here.
//   BOOL       1 byte: 0x00 false, 0x01 true
//   UUID       the 16 raw bytes
//   STRING     the UTF-8 bytes with each 0x00 written as 0x00 0xFF, then the
//              terminator 0x00 0x01. Terminated, so "ab" < "abc" still holds
//              inside a composite key; escaped, so an embedded NUL cannot
//              end the string early.
//
// Null. The part of a nullable field (OPTIONAL_FIELD) starts with a marker
// byte: 0x00 for null, with nothing after it, or 0x01 followed by the
// value's encoding above. So null sorts before every value of every type,
// and a null part is self-delimiting like the others. Required and
// DEFAULT fields, which never hold null, have no marker: their parts are
// exactly as above (as they were before nulls existed), so their indexes
// stay valid; a field that becomes nullable has its indexes rebuilt
// (schema/fingerprint.h).
//
// UNIQUE indexes hold any number of nulls (SQL's rule: null equals no
// other value, not even null). A UNIQUE key with at least one null part
// is followed by the record's 16-byte uuid, which makes it unique; a key
// without nulls has no suffix and collides with its duplicate as before.
// A filter's prefix (the parts only) still finds every such entry.
//
// LMDB refuses keys over 511 bytes (mdb_env_get_maxkeysize). A key that
// would be longer is refused before any write, naming the field that makes
// it so; it is never truncated, since a truncated key would silently merge
// distinct values.
//
// This encoding is part of the on-disk format: changing it requires a
// reindex of every database (a new fingerprint version).

#ifndef LMDBAPI_STORE_KEY_CODEC_H_
#define LMDBAPI_STORE_KEY_CODEC_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <vector>

#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "lmdbapi/value.h"

namespace lmdbapi {

inline constexpr std::size_t kMaxKeyBytes = 511;

// The first byte of a nullable field's part: null, or a value follows.
inline constexpr char kKeyNullMarker = '\x00';
inline constexpr char kKeyValueMarker = '\x01';

// Appends the encoding of `value` to *out, without a null marker (the
// part of a field that is not nullable). A Null appends the null marker
// alone; AppendFieldKeyPart is the way to write a nullable field's part.
void AppendKeyPart(const Value& value, std::string* out);

// Reads one part of type `type` (no marker) from the front of *in and
// advances *in past it. False if the bytes are not a valid encoding
// (truncated, bad escape); used by tests and by the admin tool to show keys.
bool ReadKeyPart(FieldType type, std::string_view* in, Value* out);

// Bytes AppendKeyPart would append, without encoding.
std::size_t KeyPartSize(const Value& value);

// The part of field f holding `value`: with the marker if f is nullable.
// REQUIRES: value is of f's type, or Null and f nullable.
void AppendFieldKeyPart(const FieldDesc& f, const Value& value,
                        std::string* out);
bool ReadFieldKeyPart(const FieldDesc& f, std::string_view* in, Value* out);
std::size_t FieldKeyPartSize(const FieldDesc& f, const Value& value);

// Reads a whole key of `index` (its parts, and for a UNIQUE key with a null
// part the uuid after them) into *parts (in key order) and *uuid (the
// suffix; all-zero without one). False unless the bytes are exactly such a
// key.
bool ReadIndexKey(const TableDesc& table, const IndexDesc& index,
                  std::string_view key, std::vector<Value>* parts,
                  Uuid* uuid);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_KEY_CODEC_H_
