// SPDX-License-Identifier: Apache-2.0
// src/schema/schema_builder.cc - see schema_builder.h.

#include "schema/schema_builder.h"

#include <cmath>
#include <string>
#include <utility>

namespace lmdbapi {

TableDesc* SchemaBuilder::Find(std::string_view table) {
  for (TableDesc& t : schema_.tables)
    if (t.name == table) return &t;
  Fail("row for table \"" + std::string(table) + "\" before TABLE(" +
       std::string(table) + ", ...)");
  return nullptr;
}

void SchemaBuilder::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

void SchemaBuilder::Table(std::string_view table, std::string_view doc) {
  TableDesc t;
  t.name = table;
  t.doc = doc;
  t.position = static_cast<int>(schema_.tables.size());
  schema_.tables.push_back(std::move(t));
  parent_names_.emplace_back();
}

void SchemaBuilder::Parent(std::string_view table, std::string_view link,
                           std::string_view parent) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  if (!parent_names_[t->position].empty()) {
    Fail(std::string(table) + ": a second PARENT row");
    return;
  }
  parent_names_[t->position] = parent;
  t->link_field = static_cast<int>(t->fields.size());
  FieldDesc f;
  f.name = link;
  f.type = FieldType::UUID;
  f.required = true;
  f.default_value = Uuid();
  f.doc = "uuid of the " + std::string(parent) + " record this belongs to.";
  f.is_parent_link = true;
  t->fields.push_back(std::move(f));
}

void SchemaBuilder::Field(std::string_view table, std::string_view field,
                          FieldType type, std::string_view doc) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  FieldDesc f;
  f.name = field;
  f.type = type;
  f.required = true;
  // Never read for a required field, but kept of the right type so every
  // FieldDesc is uniform.
  switch (type) {
    case FieldType::STRING: f.default_value = std::string(); break;
    case FieldType::INT64: f.default_value = std::int64_t{0}; break;
    case FieldType::DOUBLE: f.default_value = 0.0; break;
    case FieldType::BOOL: f.default_value = false; break;
    case FieldType::DATE: f.default_value = Date(); break;
    case FieldType::TIMESTAMP: f.default_value = Timestamp(); break;
    case FieldType::UUID: f.default_value = Uuid(); break;
  }
  f.doc = doc;
  t->fields.push_back(std::move(f));
}

void SchemaBuilder::NullableField(std::string_view table,
                                  std::string_view field, FieldType type,
                                  std::string_view doc) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  FieldDesc f;
  f.name = field;
  f.type = type;
  f.required = false;
  f.nullable = true;
  f.default_value = Null{};
  f.doc = doc;
  t->fields.push_back(std::move(f));
}

void SchemaBuilder::DefaultField(std::string_view table,
                                 std::string_view field, FieldType type,
                                 const Literal& dflt, std::string_view doc) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  std::string where = std::string(table) + "." + std::string(field);
  Value v;
  bool ok = true;
  switch (type) {
    case FieldType::STRING:
      if (auto* s = std::get_if<std::string>(&dflt)) v = *s; else ok = false;
      break;
    case FieldType::INT64:
      if (auto* i = std::get_if<std::int64_t>(&dflt)) v = *i; else ok = false;
      break;
    case FieldType::DOUBLE:
      if (auto* d = std::get_if<double>(&dflt)) {
        v = *d;
      } else if (auto* i = std::get_if<std::int64_t>(&dflt)) {
        v = static_cast<double>(*i);
      } else {
        ok = false;
      }
      break;
    case FieldType::BOOL:
      if (auto* b = std::get_if<bool>(&dflt)) v = *b; else ok = false;
      break;
    case FieldType::DATE:
    case FieldType::TIMESTAMP:
    case FieldType::UUID:
      if (auto* s = std::get_if<std::string>(&dflt)) {
        Result<Value> parsed = ParseValue(type, *s, where);
        if (!parsed.ok()) {
          Fail("default of " + parsed.status().message());
          return;
        }
        v = parsed.value();
      } else {
        ok = false;
      }
      break;
  }
  if (!ok) {
    Fail(where + ": the default is not a " + std::string(TypeName(type)) +
         " literal");
    return;
  }
  FieldDesc f;
  f.name = field;
  f.type = type;
  f.required = false;
  f.default_value = std::move(v);
  f.doc = doc;
  t->fields.push_back(std::move(f));
}

void SchemaBuilder::Index(std::string_view table, std::string_view index,
                          IndexKind kind, std::string_view doc) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  IndexDesc i;
  i.name = index;
  i.kind = kind;
  i.doc = doc;
  i.db_name = std::string(table) + "." + std::string(index);
  t->indexes.push_back(std::move(i));
}

void SchemaBuilder::IndexKey(std::string_view table, std::string_view index,
                             std::string_view field) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  IndexDesc* i = nullptr;
  for (IndexDesc& candidate : t->indexes)
    if (candidate.name == index) i = &candidate;
  if (i == nullptr) {
    Fail(std::string(table) + ": INDEX_KEY for undeclared index \"" +
         std::string(index) + "\"");
    return;
  }
  int f = t->FieldIndex(field);
  if (f < 0) {
    Fail(std::string(table) + "." + std::string(index) + ": key field \"" +
         std::string(field) + "\" is not a field of " + std::string(table));
    return;
  }
  i->key_fields.push_back(f);
}

void SchemaBuilder::MaxBytes(std::string_view table, std::string_view field,
                             std::size_t max_bytes) {
  TableDesc* t = Find(table);
  if (t == nullptr) return;
  std::string where = std::string(table) + "." + std::string(field);
  int f = t->FieldIndex(field);
  if (f < 0) {
    Fail("MAX_BYTES for " + where + ": no such field yet (write the row "
         "after the field's FIELD, OPTIONAL_FIELD or DEFAULT_FIELD row)");
    return;
  }
  FieldDesc& desc = t->fields[f];
  if (desc.max_bytes != 0) {
    Fail(where + ": a second MAX_BYTES row");
    return;
  }
  if (max_bytes == 0) {
    Fail(where + ": MAX_BYTES must be at least 1 (leave the row out for the "
         "MAX_STRING_BYTES setting)");
    return;
  }
  // Validate() refuses one on a non-STRING field or over kMaxStringLimit.
  desc.max_bytes = max_bytes;
}

Result<Schema> SchemaBuilder::Finish() {
  for (TableDesc& t : schema_.tables) {
    const std::string& parent = parent_names_[t.position];
    if (parent.empty()) continue;
    const TableDesc* p = schema_.FindTable(parent);
    if (p == nullptr || p->position >= t.position) {
      Fail(t.name + ": PARENT \"" + parent +
           "\" is not a table declared before it");
      continue;
    }
    t.parent = p->position;
    t.links_db_name = parent + ">" + t.name;
    schema_.tables[p->position].children.push_back(t.position);
  }
  if (!error_.empty()) return Status::InvalidArgument("schema", error_);
  Status s = schema_.Validate();
  if (!s.ok()) return s;
  return std::move(schema_);
}

}  // namespace lmdbapi
