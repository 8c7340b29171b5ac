// src/store/record_codec.cc - see record_codec.h for the layout.

#include "store/record_codec.h"

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>

#include <msgpack.hpp>

namespace lmdbapi {
namespace {

// msgpack::packer writes to anything with write(const char*, size_t).
struct StringSink {
  std::string* out;
  void write(const char* data, std::size_t size) { out->append(data, size); }
};

Status Bad(const TableDesc& table, const std::string& what) {
  return Status::Corruption("stored " + table.name + " record: " + what);
}

bool AsInt64(const msgpack::object& o, std::int64_t* out) {
  if (o.type == msgpack::type::POSITIVE_INTEGER) {
    if (o.via.u64 > static_cast<std::uint64_t>(
                        std::numeric_limits<std::int64_t>::max()))
      return false;
    *out = static_cast<std::int64_t>(o.via.u64);
    return true;
  }
  if (o.type == msgpack::type::NEGATIVE_INTEGER) {
    *out = o.via.i64;
    return true;
  }
  return false;
}

// Converts one stored value; false if it is not of `type`.
bool FromObject(const msgpack::object& o, FieldType type, Value* out) {
  switch (type) {
    case FieldType::STRING:
      if (o.type != msgpack::type::STR) return false;
      *out = std::string(o.via.str.ptr, o.via.str.size);
      return true;
    case FieldType::INT64: {
      std::int64_t v;
      if (!AsInt64(o, &v)) return false;
      *out = v;
      return true;
    }
    case FieldType::DOUBLE:
      // msgpack-c packs a double with an integral value as an integer.
      if (o.type == msgpack::type::POSITIVE_INTEGER) {
        *out = static_cast<double>(o.via.u64);
      } else if (o.type == msgpack::type::NEGATIVE_INTEGER) {
        *out = static_cast<double>(o.via.i64);
      } else if (o.type == msgpack::type::FLOAT64 ||
                 o.type == msgpack::type::FLOAT32) {
        *out = o.via.f64;
      } else {
        return false;
      }
      return true;
    case FieldType::BOOL:
      if (o.type != msgpack::type::BOOLEAN) return false;
      *out = o.via.boolean;
      return true;
    case FieldType::DATE: {
      std::int64_t v;
      if (!AsInt64(o, &v) || v < std::numeric_limits<std::int32_t>::min() ||
          v > std::numeric_limits<std::int32_t>::max())
        return false;
      *out = Date{static_cast<std::int32_t>(v)};
      return true;
    }
    case FieldType::TIMESTAMP: {
      std::int64_t v;
      if (!AsInt64(o, &v)) return false;
      *out = Timestamp{v};
      return true;
    }
    case FieldType::UUID: {
      if (o.type != msgpack::type::BIN) return false;
      Uuid u;
      if (!Uuid::FromBytes(std::string_view(o.via.bin.ptr, o.via.bin.size), &u))
        return false;
      *out = u;
      return true;
    }
  }
  return false;
}

// Unpacks bytes and checks the outer array; msgpack exceptions stop here.
Status Unpack(const TableDesc& table, std::string_view bytes,
              msgpack::object_handle* oh) {
  try {
    *oh = msgpack::unpack(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    return Bad(table, e.what());
  }
  const msgpack::object& o = oh->get();
  if (o.type != msgpack::type::ARRAY || o.via.array.size == 0)
    return Bad(table, "not a non-empty msgpack array");
  if (o.via.array.size - 1 > table.fields.size())
    return Bad(table, std::to_string(o.via.array.size - 1) +
                          " values for " +
                          std::to_string(table.fields.size()) + " fields");
  return Status();
}

}  // namespace

void EncodeRecord(const TableDesc& table, const Record& record,
                  std::string* out) {
  StringSink sink{out};
  msgpack::packer<StringSink> pk(sink);
  pk.pack_array(static_cast<std::uint32_t>(table.fields.size() + 1));
  pk.pack_uint64(record.revision);
  for (const Value& v : record.fields) {
    switch (TypeOf(v)) {
      case FieldType::STRING: {
        const std::string& s = std::get<std::string>(v);
        pk.pack_str(static_cast<std::uint32_t>(s.size()));
        pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
        break;
      }
      case FieldType::INT64: pk.pack_int64(std::get<std::int64_t>(v)); break;
      case FieldType::DOUBLE: pk.pack_double(std::get<double>(v)); break;
      case FieldType::BOOL:
        if (std::get<bool>(v)) pk.pack_true(); else pk.pack_false();
        break;
      case FieldType::DATE:
        pk.pack_int32(std::get<Date>(v).days_since_epoch);
        break;
      case FieldType::TIMESTAMP:
        pk.pack_int64(std::get<Timestamp>(v).micros_since_epoch);
        break;
      case FieldType::UUID: {
        const Uuid& u = std::get<Uuid>(v);
        pk.pack_bin(16);
        pk.pack_bin_body(reinterpret_cast<const char*>(u.bytes.data()), 16);
        break;
      }
    }
  }
}

Status DecodeRecord(const TableDesc& table, std::string_view bytes,
                    Record* record) {
  msgpack::object_handle oh;
  Status s = Unpack(table, bytes, &oh);
  if (!s.ok()) return s;
  const msgpack::object_array& a = oh.get().via.array;
  std::int64_t revision;
  if (!AsInt64(a.ptr[0], &revision) || revision < 1)
    return Bad(table, "revision is not a positive integer");
  record->revision = static_cast<std::uint64_t>(revision);
  record->fields.clear();
  record->fields.reserve(table.fields.size());
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    const FieldDesc& f = table.fields[i];
    if (i + 1 < a.size) {
      Value v;
      if (!FromObject(a.ptr[i + 1], f.type, &v))
        return Bad(table, "field " + f.name + " is not a stored " +
                              std::string(TypeName(f.type)));
      record->fields.push_back(std::move(v));
    } else {
      // Written before this field was appended to the schema.
      record->fields.push_back(f.default_value);
    }
  }
  return Status();
}

Status DecodeField(const TableDesc& table, std::string_view bytes, int field,
                   Value* value) {
  msgpack::object_handle oh;
  Status s = Unpack(table, bytes, &oh);
  if (!s.ok()) return s;
  const msgpack::object_array& a = oh.get().via.array;
  const FieldDesc& f = table.fields[field];
  if (static_cast<std::size_t>(field) + 1 >= a.size) {
    *value = f.default_value;
    return Status();
  }
  if (!FromObject(a.ptr[field + 1], f.type, value))
    return Bad(table, "field " + f.name + " is not a stored " +
                          std::string(TypeName(f.type)));
  return Status();
}

Status CheckRecordShape(const TableDesc& table, const Record& record) {
  if (record.fields.size() != table.fields.size())
    return Status::InvalidArgument(
        table.name, table.name + " records have " +
                        std::to_string(table.fields.size()) + " fields, got " +
                        std::to_string(record.fields.size()));
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    const FieldDesc& f = table.fields[i];
    const Value& v = record.fields[i];
    if (TypeOf(v) != f.type)
      return Status::InvalidArgument(
          f.name, f.name + " must be a " + std::string(TypeName(f.type)) +
                      ", got a " + std::string(TypeName(TypeOf(v))));
    if (f.type == FieldType::DOUBLE && !std::isfinite(std::get<double>(v)))
      return Status::InvalidArgument(f.name,
                                     f.name + " must be a finite number");
  }
  return Status();
}

}  // namespace lmdbapi
