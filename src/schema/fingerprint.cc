// SPDX-License-Identifier: Apache-2.0
// src/schema/fingerprint.cc - storing schemas and comparing them.
//
// The stored form is msgpack arrays (MSGPACK_DEFINE), kept apart from the
// public descriptors so the descriptors can grow without changing it.
// Decoding goes back through SchemaBuilder, so a stored schema is checked by
// the same rules as a compiled one.

#include "schema/fingerprint.h"

#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include <msgpack.hpp>

#include "schema/schema_builder.h"

namespace lmdbapi {
namespace {

// Version 2 added nullable fields. Version 1 (the landed version) knew
// "required", "optional" (with a default: DEFAULT_FIELD now) and "link";
// it is still read. The landed build refuses a version 2 schema, so it
// never misreads the nils a newer build stored.
constexpr int kStoredSchemaVersion = 2;
constexpr int kOldestStoredSchemaVersion = 1;

struct StoredField {
  std::string name;
  std::string type;   // TypeName
  // "required", "nullable", "default" (version 1: "optional") or "link"
  std::string role;
  std::string dflt;   // FormatValue of the default, for "default"
  MSGPACK_DEFINE(name, type, role, dflt);
};

struct StoredIndex {
  std::string name;
  std::string kind;  // KindName
  std::vector<std::string> keys;
  MSGPACK_DEFINE(name, kind, keys);
};

struct StoredTable {
  std::string name;
  std::string parent;  // "" for main tables
  std::vector<StoredField> fields;
  std::vector<StoredIndex> indexes;
  MSGPACK_DEFINE(name, parent, fields, indexes);
};

struct StoredSchema {
  int version = kStoredSchemaVersion;
  std::vector<StoredTable> tables;
  MSGPACK_DEFINE(version, tables);
};

bool TypeFromName(std::string_view name, FieldType* out) {
  for (int t = 0; t <= static_cast<int>(FieldType::UUID); ++t) {
    if (TypeName(static_cast<FieldType>(t)) == name) {
      *out = static_cast<FieldType>(t);
      return true;
    }
  }
  return false;
}

bool KindFromName(std::string_view name, IndexKind* out) {
  for (IndexKind k : {IndexKind::MULTI, IndexKind::UNIQUE, IndexKind::RANGE}) {
    if (KindName(k) == name) {
      *out = k;
      return true;
    }
  }
  return false;
}

// The text form of a default, as SchemaBuilder takes literals.
SchemaBuilder::Literal LiteralOf(const Value& v) {
  switch (TypeOf(v)) {
    case FieldType::INT64: return std::get<std::int64_t>(v);
    case FieldType::DOUBLE: return std::get<double>(v);
    case FieldType::BOOL: return std::get<bool>(v);
    default: return FormatValue(v);
  }
}

Status Corrupt(const std::string& what) {
  return Status::Corruption("stored schema in meta: " + what);
}

bool IsDupsort(IndexKind kind) { return kind != IndexKind::UNIQUE; }

bool SameIndex(const TableDesc& a_table, const IndexDesc& a,
               const TableDesc& b_table, const IndexDesc& b) {
  if (a.kind != b.kind || a.key_fields.size() != b.key_fields.size())
    return false;
  for (std::size_t k = 0; k < a.key_fields.size(); ++k) {
    const FieldDesc& fa = a_table.fields[a.key_fields[k]];
    const FieldDesc& fb = b_table.fields[b.key_fields[k]];
    // A field that became nullable has another key encoding (key_codec.h).
    if (fa.name != fb.name || fa.type != fb.type ||
        fa.nullable != fb.nullable)
      return false;
  }
  return true;
}

}  // namespace

std::string EncodeSchema(const Schema& schema) {
  StoredSchema stored;
  for (const TableDesc& t : schema.tables) {
    StoredTable st;
    st.name = t.name;
    if (t.parent >= 0) st.parent = schema.tables[t.parent].name;
    for (const FieldDesc& f : t.fields) {
      StoredField sf{f.name, std::string(TypeName(f.type)), "required", ""};
      if (f.is_parent_link) {
        sf.role = "link";
      } else if (f.nullable) {
        sf.role = "nullable";
      } else if (!f.required) {
        sf.role = "default";
        sf.dflt = FormatValue(f.default_value);
      }
      st.fields.push_back(std::move(sf));
    }
    for (const IndexDesc& i : t.indexes) {
      StoredIndex si{i.name, std::string(KindName(i.kind)), {}};
      for (int k : i.key_fields) si.keys.push_back(t.fields[k].name);
      st.indexes.push_back(std::move(si));
    }
    stored.tables.push_back(std::move(st));
  }
  msgpack::sbuffer buf;
  msgpack::pack(buf, stored);
  return std::string(buf.data(), buf.size());
}

Result<Schema> DecodeSchema(std::string_view bytes) {
  StoredSchema stored;
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    oh.get().convert(stored);
  } catch (const std::exception& e) {
    return Corrupt(e.what());
  }
  if (stored.version < kOldestStoredSchemaVersion ||
      stored.version > kStoredSchemaVersion)
    return Corrupt("version " + std::to_string(stored.version) +
                   " is not a version this build reads (" +
                   std::to_string(kOldestStoredSchemaVersion) + " to " +
                   std::to_string(kStoredSchemaVersion) + ")");
  const bool v1 = stored.version == 1;
  SchemaBuilder b;
  for (const StoredTable& t : stored.tables) {
    b.Table(t.name, "");
    for (const StoredField& f : t.fields) {
      FieldType type;
      if (!TypeFromName(f.type, &type))
        return Corrupt(t.name + "." + f.name + " has unknown type " + f.type);
      if (f.role == "link") {
        b.Parent(t.name, f.name, t.parent);
      } else if (f.role == (v1 ? "optional" : "default")) {
        Result<Value> v = ParseValue(type, f.dflt, t.name + "." + f.name);
        if (!v.ok()) return Corrupt(v.status().message());
        b.DefaultField(t.name, f.name, type, LiteralOf(v.value()), "");
      } else if (!v1 && f.role == "nullable") {
        b.NullableField(t.name, f.name, type, "");
      } else if (f.role == "required") {
        b.Field(t.name, f.name, type, "");
      } else {
        return Corrupt(t.name + "." + f.name + " has unknown role " + f.role);
      }
    }
    for (const StoredIndex& i : t.indexes) {
      IndexKind kind;
      if (!KindFromName(i.kind, &kind))
        return Corrupt(t.name + "." + i.name + " has unknown kind " + i.kind);
      b.Index(t.name, i.name, kind, "");
      for (const std::string& k : i.keys) b.IndexKey(t.name, i.name, k);
    }
  }
  Result<Schema> s = b.Finish();
  if (!s.ok()) return Corrupt(s.status().message());
  return s;
}

Result<SchemaChanges> CompareSchemas(const Schema& stored,
                                     const Schema& compiled) {
  SchemaChanges changes;
  std::string problems;
  auto problem = [&problems](const std::string& p) {
    problems += problems.empty() ? "" : "; ";
    problems += p;
  };

  for (const TableDesc& old_t : stored.tables) {
    const TableDesc* new_t = compiled.FindTable(old_t.name);
    if (new_t == nullptr) {
      problem("table " + old_t.name + " was removed");
      continue;
    }
    std::string old_parent =
        old_t.parent >= 0 ? stored.tables[old_t.parent].name : "";
    std::string new_parent =
        new_t->parent >= 0 ? compiled.tables[new_t->parent].name : "";
    if (old_parent != new_parent)
      problem("table " + old_t.name + " changed its PARENT from \"" +
              old_parent + "\" to \"" + new_parent + "\"");

    std::size_t n_old = old_t.fields.size(), n_new = new_t->fields.size();
    for (std::size_t i = 0; i < n_old; ++i) {
      const FieldDesc& of = old_t.fields[i];
      std::string where = old_t.name + " field " + std::to_string(i + 1);
      if (i >= n_new) {
        problem(where + " (" + of.name + ") was removed");
        continue;
      }
      const FieldDesc& nf = new_t->fields[i];
      if (of.name != nf.name) {
        problem(where + " was " + of.name + ", is now " + nf.name +
                " (renamed, reordered or removed)");
      } else if (of.type != nf.type) {
        problem(old_t.name + "." + of.name + " was " +
                std::string(TypeName(of.type)) + ", is now " +
                std::string(TypeName(nf.type)) + " (retyped)");
      } else if (of.is_parent_link != nf.is_parent_link) {
        problem(old_t.name + "." + of.name + " changed whether it is the "
                "parent link");
      } else if (of.nullable && !nf.nullable) {
        problem(old_t.name + "." + of.name + " was nullable, is now " +
                (nf.required ? "required" : "a DEFAULT_FIELD") +
                "; records may hold null there, which it cannot read "
                "(keep it OPTIONAL_FIELD)");
      } else if (!of.nullable && nf.nullable) {
        changes.differs = true;
        changes.notes.push_back(
            old_t.name + "." + of.name + " was " +
            (of.required ? "required"
                         : "DEFAULT_FIELD " + FormatValue(of.default_value)) +
            ", is now nullable: stored values stay, records written before "
            "it was appended read null, and its indexes are rebuilt");
      } else if (of.required != nf.required ||
                 !(of.default_value == nf.default_value)) {
        changes.differs = true;  // read the same way; only validation moves
      }
    }
    for (std::size_t i = n_old; i < n_new; ++i) {
      const FieldDesc& nf = new_t->fields[i];
      if (nf.required)
        problem(old_t.name + "." + nf.name + " was appended as a required "
                "field; records written before have no value for it "
                "(declare it with OPTIONAL_FIELD, or DEFAULT_FIELD and a "
                "default)");
      changes.differs = true;
    }

    for (const IndexDesc& oi : old_t.indexes) {
      const IndexDesc* ni = new_t->FindIndex(oi.name);
      if (ni == nullptr || !SameIndex(old_t, oi, *new_t, *ni)) {
        changes.drop_indexes.push_back({oi.db_name, IsDupsort(oi.kind)});
        changes.differs = true;
      }
    }
    for (std::size_t k = 0; k < new_t->indexes.size(); ++k) {
      const IndexDesc& ni = new_t->indexes[k];
      const IndexDesc* oi = old_t.FindIndex(ni.name);
      if (oi == nullptr || !SameIndex(old_t, *oi, *new_t, ni)) {
        changes.build_indexes.push_back({new_t->position, static_cast<int>(k)});
        changes.differs = true;
      }
    }
  }
  for (const TableDesc& t : compiled.tables) {
    if (stored.FindTable(t.name) == nullptr) {
      changes.new_tables.push_back(t.position);
      changes.differs = true;
    }
  }
  if (!problems.empty())
    return Status::SchemaMismatch(
        "the database was written by an incompatible schema: " + problems +
        ". Restore the schema, or migrate: export with the old build, edit, "
        "import with the new one");
  return changes;
}

}  // namespace lmdbapi
