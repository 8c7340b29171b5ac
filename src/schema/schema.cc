// SPDX-License-Identifier: Apache-2.0
// src/schema/schema.cc - lookups, validation and the fingerprint of a Schema.

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "lmdbapi/schema.h"

namespace lmdbapi {
namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxFields = 256;
constexpr std::size_t kMaxIndexKeys = 16;

// Names become URL path segments, query parameter names, JSON member names
// and LMDB database names, so they stay plain.
bool IsPlainName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (!(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

// Table names that would shadow the API's own top-level paths.
const std::set<std::string> kReservedTables = {
    "health", "metrics", "docs", "openapi", "problems", "batch", "changes"};
// Field names the API uses itself in record bodies and query strings.
const std::set<std::string> kReservedFields = {"uuid", "revision", "limit",
                                               "after"};

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where, "schema: " + where + ": " + what);
}

}  // namespace

std::string_view KindName(IndexKind kind) {
  switch (kind) {
    case IndexKind::MULTI: return "MULTI";
    case IndexKind::UNIQUE: return "UNIQUE";
    case IndexKind::RANGE: return "RANGE";
  }
  return "?";
}

int TableDesc::FieldIndex(std::string_view field) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field) return static_cast<int>(i);
  return -1;
}

const IndexDesc* TableDesc::FindIndex(std::string_view index) const {
  for (const IndexDesc& i : indexes)
    if (i.name == index) return &i;
  return nullptr;
}

const TableDesc* Schema::FindTable(std::string_view name) const {
  for (const TableDesc& t : tables)
    if (t.name == name) return &t;
  return nullptr;
}

std::size_t StringLimit(const FieldDesc& f, std::size_t default_max_bytes) {
  return f.max_bytes != 0 ? f.max_bytes : default_max_bytes;
}

Status CheckStringBytes(const FieldDesc& f, std::string_view value,
                        std::size_t default_max_bytes) {
  std::size_t limit = StringLimit(f, default_max_bytes);
  if (limit == 0 || value.size() <= limit) return Status();
  return Status::InvalidArgument(
      f.name, f.name + ": " + std::to_string(value.size()) +
                  " bytes, more than the " + std::to_string(limit) +
                  " this field may hold (" +
                  (f.max_bytes != 0 ? "MAX_BYTES in the schema"
                                    : "MAX_STRING_BYTES") +
                  ")");
}

Status Schema::Validate() const {
  if (tables.empty()) return Bad("schema", "declares no TABLE");
  std::set<std::string> table_names;
  for (std::size_t ti = 0; ti < tables.size(); ++ti) {
    const TableDesc& t = tables[ti];
    if (!IsPlainName(t.name))
      return Bad(t.name, "table names are 1-64 of [a-z0-9_], starting a-z");
    if (kReservedTables.count(t.name))
      return Bad(t.name, "is a reserved path under /api");
    if (!table_names.insert(t.name).second)
      return Bad(t.name, "declared twice");
    if (t.position != static_cast<int>(ti))
      return Bad(t.name, "position does not match its place");
    if (t.fields.empty()) return Bad(t.name, "has no fields");
    if (t.fields.size() > kMaxFields)
      return Bad(t.name, "has more than 256 fields");
    std::set<std::string> field_names;
    int links = 0;
    for (std::size_t fi = 0; fi < t.fields.size(); ++fi) {
      const FieldDesc& f = t.fields[fi];
      std::string where = t.name + "." + f.name;
      if (!IsPlainName(f.name))
        return Bad(where, "field names are 1-64 of [a-z0-9_], starting a-z");
      if (kReservedFields.count(f.name))
        return Bad(where, "is a name the API reserves");
      if (!field_names.insert(f.name).second)
        return Bad(where, "declared twice");
      if (f.nullable && (f.required || !IsNull(f.default_value)))
        return Bad(where, "a nullable field is optional and defaults to null");
      if (!f.nullable && !Fits(f.default_value, f.type, false))
        return Bad(where, "default is not of the field's type");
      if (f.max_bytes != 0 && f.type != FieldType::STRING)
        return Bad(where, "MAX_BYTES applies to STRING fields only, not " +
                              std::string(TypeName(f.type)));
      if (f.max_bytes > kMaxStringLimit)
        return Bad(where, "MAX_BYTES is more than 1073741824 (1 GiB)");
      if (f.is_parent_link) {
        ++links;
        if (static_cast<int>(fi) != t.link_field || f.type != FieldType::UUID)
          return Bad(where, "parent link must be the UUID link_field");
      }
    }
    if (t.parent >= 0) {
      if (t.parent >= static_cast<int>(ti))
        return Bad(t.name, "parent must be declared before the table");
      if (links != 1 || t.link_field < 0)
        return Bad(t.name, "a linked table needs exactly one link field");
      if (t.links_db_name != tables[t.parent].name + ">" + t.name)
        return Bad(t.name, "links database name is not <parent>><table>");
    } else if (links != 0 || t.link_field >= 0) {
      return Bad(t.name, "link field without a parent");
    }
    for (int c : t.children)
      if (c <= t.position || c >= static_cast<int>(tables.size()) ||
          tables[c].parent != t.position)
        return Bad(t.name, "children list does not match the parents");
    std::set<std::string> index_names;
    for (const IndexDesc& i : t.indexes) {
      std::string where = t.name + "." + i.name;
      if (!IsPlainName(i.name))
        return Bad(where, "index names are 1-64 of [a-z0-9_], starting a-z");
      if (!index_names.insert(i.name).second)
        return Bad(where, "declared twice");
      if (i.db_name != where) return Bad(where, "db name is not <table>.<index>");
      if (i.key_fields.empty()) return Bad(where, "has no INDEX_KEY rows");
      if (i.key_fields.size() > kMaxIndexKeys)
        return Bad(where, "has more than 16 key fields");
      std::set<int> seen;
      for (int k : i.key_fields) {
        if (k < 0 || k >= static_cast<int>(t.fields.size()))
          return Bad(where, "key names no field");
        if (!seen.insert(k).second)
          return Bad(where, "uses field " + t.fields[k].name + " twice");
      }
      if (i.kind == IndexKind::RANGE) {
        if (i.key_fields.size() != 1)
          return Bad(where, "a RANGE index has exactly one key field");
        FieldType ft = t.fields[i.key_fields[0]].type;
        if (ft != FieldType::DATE && ft != FieldType::TIMESTAMP &&
            ft != FieldType::INT64)
          return Bad(where, "a RANGE index key must be DATE, TIMESTAMP or "
                            "INT64, not " + std::string(TypeName(ft)));
      }
    }
  }
  return Status();
}

std::string Schema::Fingerprint() const {
  std::string out = "lmdb-api schema v1\n";
  for (const TableDesc& t : tables) {
    out += "table " + t.name;
    if (t.parent >= 0) out += " parent " + tables[t.parent].name;
    out += "\n";
    for (const FieldDesc& f : t.fields) {
      out += "  field " + f.name + " " + std::string(TypeName(f.type));
      if (f.is_parent_link) {
        out += " link";
      } else if (f.required) {
        out += " required";
      } else if (f.nullable) {
        out += " nullable";
      } else {
        out += " default " + FormatValue(f.default_value);
      }
      out += "\n";
    }
    for (const IndexDesc& i : t.indexes) {
      out += "  index " + i.name + " " + std::string(KindName(i.kind));
      for (int k : i.key_fields) out += " " + t.fields[k].name;
      out += "\n";
    }
  }
  return out;
}

std::string Schema::FingerprintHash() const {
  // FNV-1a, 64 bits: stable across builds and machines, which std::hash is
  // not promised to be.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : Fingerprint()) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace lmdbapi
