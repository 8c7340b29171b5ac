// SPDX-License-Identifier: Apache-2.0
// src/store/key_codec.cc - the encoding that src/store/key_codec.h specifies.
//
// Kept apart from the record codec because index keys and stored records
// answer to different rules: records must read back, keys must also sort.
// Every integer-like type goes through one big-endian writer, since big-
// endian is what makes memcmp compare the most significant byte first; the
// sign-bit flip then moves negatives below positives. The reader is strict:
// it accepts only byte strings AppendKeyPart can produce, so a key that
// reads back is also a key that sorts where its value says.

#include "store/key_codec.h"

#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace lmdbapi {

namespace {

constexpr std::uint64_t kSign64 = std::uint64_t{1} << 63;
constexpr std::uint32_t kSign32 = std::uint32_t{1} << 31;

// A string's 0x00 bytes are followed by one of these.
constexpr char kEscapedNul = '\xFF';
constexpr char kTerminator = '\x01';

template <typename U>
void AppendBigEndian(U v, std::string* out) {
  for (int shift = 8 * (sizeof(U) - 1); shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>(static_cast<std::uint8_t>(v >> shift)));
  }
}

template <typename U>
bool ReadBigEndian(std::string_view* in, U* v) {
  if (in->size() < sizeof(U)) return false;
  U r = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) {
    r = static_cast<U>((r << 8) | static_cast<std::uint8_t>((*in)[i]));
  }
  in->remove_prefix(sizeof(U));
  *v = r;
  return true;
}

std::uint64_t DoubleToKeyBits(double d) {
  assert(!std::isnan(d));
  if (d == 0) d = 0.0;  // -0.0 == 0.0, so it must encode the same
  const auto bits = std::bit_cast<std::uint64_t>(d);
  return (bits & kSign64) ? ~bits : bits | kSign64;
}

// False for the bit patterns DoubleToKeyBits never makes: NaNs and -0.0.
bool KeyBitsToDouble(std::uint64_t key, double* d) {
  const std::uint64_t bits = (key & kSign64) ? key & ~kSign64 : ~key;
  const double v = std::bit_cast<double>(bits);
  if (std::isnan(v) || (v == 0 && std::signbit(v))) return false;
  *d = v;
  return true;
}

// The string part starting at in[0]; false unless it ends in a terminator
// with every NUL before it escaped.
bool ReadString(std::string_view* in, std::string* out) {
  std::string s;
  std::size_t i = 0;
  for (;;) {
    const std::size_t nul = in->find('\0', i);
    if (nul == std::string_view::npos || nul + 1 >= in->size()) return false;
    s.append(in->substr(i, nul - i));
    const char next = (*in)[nul + 1];
    i = nul + 2;
    if (next == kTerminator) break;
    if (next != kEscapedNul) return false;
    s.push_back('\0');
  }
  in->remove_prefix(i);
  *out = std::move(s);
  return true;
}

}  // namespace

void AppendKeyPart(const Value& value, std::string* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out->reserve(out->size() + v.size() + 2);
          for (const char c : v) {
            out->push_back(c);
            if (c == '\0') out->push_back(kEscapedNul);
          }
          out->push_back('\0');
          out->push_back(kTerminator);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          AppendBigEndian(static_cast<std::uint64_t>(v) ^ kSign64, out);
        } else if constexpr (std::is_same_v<T, double>) {
          AppendBigEndian(DoubleToKeyBits(v), out);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->push_back(v ? '\x01' : '\x00');
        } else if constexpr (std::is_same_v<T, Date>) {
          AppendBigEndian(
              static_cast<std::uint32_t>(v.days_since_epoch) ^ kSign32, out);
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          AppendBigEndian(
              static_cast<std::uint64_t>(v.micros_since_epoch) ^ kSign64, out);
        } else if constexpr (std::is_same_v<T, Null>) {
          out->push_back(kKeyNullMarker);
        } else {
          static_assert(std::is_same_v<T, Uuid>);
          out->append(v.AsBytes());
        }
      },
      value);
}

bool ReadKeyPart(FieldType type, std::string_view* in, Value* out) {
  // Read from a copy so that a failure leaves *in where it was.
  std::string_view rest = *in;
  switch (type) {
    case FieldType::STRING: {
      std::string s;
      if (!ReadString(&rest, &s)) return false;
      *out = std::move(s);
      break;
    }
    case FieldType::INT64: {
      std::uint64_t u;
      if (!ReadBigEndian(&rest, &u)) return false;
      *out = static_cast<std::int64_t>(u ^ kSign64);
      break;
    }
    case FieldType::DOUBLE: {
      std::uint64_t u;
      double d;
      if (!ReadBigEndian(&rest, &u) || !KeyBitsToDouble(u, &d)) return false;
      *out = d;
      break;
    }
    case FieldType::BOOL: {
      std::uint8_t b;
      if (!ReadBigEndian(&rest, &b) || b > 1) return false;
      *out = b == 1;
      break;
    }
    case FieldType::DATE: {
      std::uint32_t u;
      if (!ReadBigEndian(&rest, &u)) return false;
      *out = Date{static_cast<std::int32_t>(u ^ kSign32)};
      break;
    }
    case FieldType::TIMESTAMP: {
      std::uint64_t u;
      if (!ReadBigEndian(&rest, &u)) return false;
      *out = Timestamp{static_cast<std::int64_t>(u ^ kSign64)};
      break;
    }
    case FieldType::UUID: {
      Uuid u;
      if (!Uuid::FromBytes(rest.substr(0, u.bytes.size()), &u)) return false;
      rest.remove_prefix(u.bytes.size());
      *out = u;
      break;
    }
  }
  *in = rest;
  return true;
}

std::size_t KeyPartSize(const Value& value) {
  if (IsNull(value)) return 1;
  switch (TypeOf(value)) {
    case FieldType::STRING: {
      const auto& s = std::get<std::string>(value);
      std::size_t nuls = 0;
      for (const char c : s) nuls += c == '\0';
      return s.size() + nuls + 2;
    }
    case FieldType::INT64: return 8;
    case FieldType::DOUBLE: return 8;
    case FieldType::BOOL: return 1;
    case FieldType::DATE: return 4;
    case FieldType::TIMESTAMP: return 8;
    case FieldType::UUID: return 16;
  }
  return 0;  // unreachable: the switch covers every enumerator
}

void AppendFieldKeyPart(const FieldDesc& f, const Value& value,
                        std::string* out) {
  if (f.nullable && !IsNull(value)) out->push_back(kKeyValueMarker);
  AppendKeyPart(value, out);
}

bool ReadFieldKeyPart(const FieldDesc& f, std::string_view* in, Value* out) {
  if (!f.nullable) return ReadKeyPart(f.type, in, out);
  if (in->empty()) return false;
  if ((*in)[0] == kKeyNullMarker) {
    in->remove_prefix(1);
    *out = Null{};
    return true;
  }
  if ((*in)[0] != kKeyValueMarker) return false;
  std::string_view rest = in->substr(1);
  if (!ReadKeyPart(f.type, &rest, out)) return false;
  *in = rest;
  return true;
}

std::size_t FieldKeyPartSize(const FieldDesc& f, const Value& value) {
  return KeyPartSize(value) + (f.nullable && !IsNull(value) ? 1 : 0);
}

bool ReadIndexKey(const TableDesc& table, const IndexDesc& index,
                  std::string_view key, std::vector<Value>* parts,
                  Uuid* uuid) {
  parts->clear();
  *uuid = Uuid();
  bool has_null = false;
  for (int k : index.key_fields) {
    Value v;
    if (!ReadFieldKeyPart(table.fields[k], &key, &v)) return false;
    has_null = has_null || IsNull(v);
    parts->push_back(std::move(v));
  }
  if (index.kind == IndexKind::UNIQUE && has_null) {
    if (key.size() != uuid->bytes.size()) return false;
    return Uuid::FromBytes(key, uuid);
  }
  return key.empty();
}

}  // namespace lmdbapi
