// SPDX-License-Identifier: Apache-2.0
// src/http/openapi_schemas.cc - see openapi_schemas.h.
//
// Types follow record_json.h (the one reader and writer of record bodies):
//
//   STRING  string                      DATE       string, format date
//   INT64   integer, format int64       TIMESTAMP  string, format date-time
//   DOUBLE  number, format double       UUID       string, format uuid
//   BOOL    boolean
//
// OpenAPI 3.1 schemas are JSON Schema 2020-12, so "may be null" is a type
// list (["string", "null"]) rather than 3.0's "nullable".

#include "http/openapi_schemas.h"

#include <algorithm>
#include <set>

#include "http/auth.h"

namespace lmdbapi::http::openapi {
namespace {

constexpr std::string_view kExampleUuid = "0190a5c4-7e2b-7c3d-8e4f-0123456789ab";
constexpr std::string_view kExampleParentUuid =
    "0190a5c4-6d1a-7b2c-9d3e-0123456789ab";
constexpr std::string_view kExampleOtherUuid =
    "0190a5c4-5c09-7a1b-8c2d-0123456789ab";  // a UUID field, not the link

std::string_view JsonType(FieldType type) {
  switch (type) {
    case FieldType::STRING:
    case FieldType::DATE:
    case FieldType::TIMESTAMP:
    case FieldType::UUID:
      return "string";
    case FieldType::INT64:
      return "integer";
    case FieldType::DOUBLE:
      return "number";
    case FieldType::BOOL:
      return "boolean";
  }
  return "string";
}

std::string_view Format(FieldType type) {
  switch (type) {
    case FieldType::INT64:     return "int64";
    case FieldType::DOUBLE:    return "double";
    case FieldType::DATE:      return "date";
    case FieldType::TIMESTAMP: return "date-time";
    case FieldType::UUID:      return "uuid";
    case FieldType::STRING:
    case FieldType::BOOL:
      break;
  }
  return {};
}

// {"type": T} or {"type": [T, "null"]}, plus "format" when the type has one.
Json TypeSchema(JsonBuilder& b, FieldType type, bool nullable) {
  Json s = b.Object();
  if (nullable) {
    Json types = b.Array();
    b.Push(types, b.Str(JsonType(type)));
    b.Push(types, b.Str("null"));
    b.Put(s, "type", std::move(types));
  } else {
    b.Put(s, "type", JsonType(type));
  }
  if (!Format(type).empty()) b.Put(s, "format", Format(type));
  return s;
}

// A made-up but valid value for a field's examples.
Value ExampleValue(const FieldDesc& f) {
  switch (f.type) {
    case FieldType::STRING:    return f.name + " 1";
    case FieldType::INT64:     return std::int64_t{42};
    case FieldType::DOUBLE:    return 2.5;
    case FieldType::BOOL:      return true;
    case FieldType::DATE:      return ParseDate("2024-05-01").value();
    case FieldType::TIMESTAMP:
      return ParseTimestamp("2024-05-01T12:30:00Z").value();
    case FieldType::UUID:
      return Uuid::Parse(f.is_parent_link ? kExampleParentUuid
                                          : kExampleOtherUuid)
          .value();
  }
  return std::string();
}

Json UuidMeta(JsonBuilder& b, bool read_only, std::string_view doc) {
  Json s = TypeSchema(b, FieldType::UUID, false);
  if (read_only) b.Put(s, "readOnly", true);
  b.Put(s, "description", doc);
  return s;
}

Json RevisionMeta(JsonBuilder& b, bool read_only, std::string_view doc) {
  Json s = TypeSchema(b, FieldType::INT64, false);
  b.Put(s, "minimum", 1);
  if (read_only) b.Put(s, "readOnly", true);
  b.Put(s, "description", doc);
  return s;
}

// Adds the fields of `table` to *props as body properties; optional ones
// may be null.
void AddBodyProperties(JsonBuilder& b, const TableDesc& table, Json* props,
                       std::vector<std::string>* required,
                       std::size_t max_string_bytes) {
  for (const FieldDesc& f : table.fields) {
    std::size_t max_bytes = f.type == FieldType::STRING
                                ? StringLimit(f, max_string_bytes)
                                : 0;
    b.Put(*props, f.name, FieldSchema(b, table, f, !f.required, max_bytes));
    if (f.required) required->push_back(f.name);
  }
}

Json ObjectSchema(JsonBuilder& b, std::string_view description, Json props,
                  const std::vector<std::string>& required) {
  Json s = b.Object();
  b.Put(s, "type", "object");
  b.Put(s, "description", description);
  if (!required.empty()) b.Put(s, "required", b.Strings(required));
  b.Put(s, "properties", std::move(props));
  b.Put(s, "additionalProperties", false);
  return s;
}

// Every problem the worker may answer: the handlers' and, when API keys
// are on, the auth layer's.
std::vector<ProblemType> DocumentedProblemTypes() {
  std::vector<ProblemType> out = AllProblemTypes();
  for (const ProblemType& t : AuthProblemTypes()) out.push_back(t);
  return out;
}

std::vector<ProblemType> TypesWithStatus(int status) {
  std::vector<ProblemType> out;
  std::set<std::string_view> slugs;
  for (const ProblemType& t : DocumentedProblemTypes())
    if (t.status == status && slugs.insert(t.slug).second) out.push_back(t);
  return out;
}

}  // namespace

Json JsonBuilder::Ref(std::string_view section, std::string_view name) {
  Json r = Object();
  std::string target = "#/components/";
  target += section;
  target += '/';
  target += name;
  Put(r, "$ref", target);
  return r;
}

Json JsonBuilder::Strings(const std::vector<std::string>& items) {
  Json a = Array();
  for (const std::string& s : items) Push(a, Str(s));
  return a;
}

Json JsonBuilder::FromValue(const Value& value) {
  if (IsNull(value)) return Json();
  switch (TypeOf(value)) {
    case FieldType::STRING:    return Str(std::get<std::string>(value));
    case FieldType::INT64:     return Json(std::get<std::int64_t>(value));
    case FieldType::DOUBLE:    return Json(std::get<double>(value));
    case FieldType::BOOL:      return Json(std::get<bool>(value));
    case FieldType::DATE:
    case FieldType::TIMESTAMP:
    case FieldType::UUID:
      return Str(FormatValue(value));
  }
  return Json();
}

std::string ComponentName(const TableDesc& table, std::string_view suffix) {
  return table.name + "_" + std::string(suffix);
}

std::string MaxBytesSentence(std::size_t max_bytes) {
  return " At most " + std::to_string(max_bytes) +
         " bytes of UTF-8 (x-maxBytes; a character takes 1 to 4); longer is "
         "refused (400).";
}

Json FieldSchema(JsonBuilder& b, const TableDesc& table, const FieldDesc& f,
                 bool nullable, std::size_t max_bytes) {
  Json s = TypeSchema(b, f.type, nullable);
  std::string doc = f.doc;
  // The builder's doc for a PARENT link already names the parent table.
  if (f.is_parent_link)
    doc += " Deleting that record deletes this " + table.name +
           " record too (cascade); a uuid naming no such record is refused "
           "(422).";
  if (max_bytes > 0) doc += MaxBytesSentence(max_bytes);
  if (f.type == FieldType::INT64)
    doc += " Any 64-bit integer; a JavaScript client's Number holds only "
           "-(2^53-1)..2^53-1 exactly, and rounds values beyond.";
  b.Put(s, "description", doc);
  // A nullable field's "default" would be null, which the type list says.
  if (!f.required && !f.nullable)
    b.Put(s, "default", b.FromValue(f.default_value));
  if (max_bytes > 0) b.Put(s, "x-maxBytes", std::uint64_t{max_bytes});
  return s;
}

Json QueryValueSchema(JsonBuilder& b, FieldType type, std::size_t max_bytes) {
  Json s = TypeSchema(b, type, false);
  if (max_bytes > 0) b.Put(s, "x-maxBytes", std::uint64_t{max_bytes});
  return s;
}

Json RecordSchema(JsonBuilder& b, const TableDesc& table, bool projected) {
  Json props = b.Object();
  b.Put(props, "uuid",
        UuidMeta(b, true, "Assigned by the server (UUIDv7) at insert."));
  b.Put(props, "revision",
        RevisionMeta(b, true,
                     "1 after insert, +1 on every replace or patch; the "
                     "ETag is this number in quotes."));
  std::vector<std::string> required = {"uuid", "revision"};
  for (const FieldDesc& f : table.fields) {
    b.Put(props, f.name, FieldSchema(b, table, f, f.nullable));
    if (!projected) required.push_back(f.name);
  }
  return ObjectSchema(b,
                      "A " + table.name + " record as stored: " + table.doc +
                          " Every field is present" +
                          (projected ? " unless the request's fields= "
                                       "leaves it out (uuid and revision "
                                       "always come)"
                                     : "") +
                          ": a nullable one is null "
                          "when not recorded, one with a default holds its "
                          "default when never set.",
                      std::move(props), required);
}

Json NewSchema(JsonBuilder& b, const TableDesc& table,
               std::size_t max_string_bytes) {
  std::vector<std::string> required;
  Json props = b.Object();
  AddBodyProperties(b, table, &props, &required, max_string_bytes);
  return ObjectSchema(
      b,
      "A new " + table.name +
          " record. Fields that are not required may be left out or null, "
          "which mean the same: a nullable field stores null, one with a "
          "default stores its default. uuid and revision are assigned by the server; a body "
          "that holds them is refused.",
      std::move(props), required);
}

Json ReplaceSchema(JsonBuilder& b, const TableDesc& table,
                   std::size_t max_string_bytes) {
  std::vector<std::string> required;
  Json props = b.Object();
  b.Put(props, "uuid",
        UuidMeta(b, false,
                 "May be sent back as read; must then equal the uuid in the "
                 "path."));
  b.Put(props, "revision",
        RevisionMeta(b, false,
                     "The revision the client read. If given, the write "
                     "fails with 409 when the record has changed since (with "
                     "If-Match instead: 412)."));
  AddBodyProperties(b, table, &props, &required, max_string_bytes);
  return ObjectSchema(
      b,
      "Every field of a " + table.name +
          " record, replacing all of them. Fields that are not required, "
          "left out or null, become null (nullable fields) or their "
          "default.",
      std::move(props), required);
}

Json PatchSchema(JsonBuilder& b, const TableDesc& table,
                 std::size_t max_string_bytes) {
  std::vector<std::string> required;  // of the record; a patch needs none
  Json props = b.Object();
  b.Put(props, "revision",
        RevisionMeta(b, false,
                     "The revision the client read: a precondition, not a "
                     "change. If given, the patch fails with 409 when the "
                     "record has changed since (with If-Match instead: "
                     "412)."));
  AddBodyProperties(b, table, &props, &required, max_string_bytes);
  return ObjectSchema(
      b,
      "A JSON Merge Patch (RFC 7396) of a " + table.name +
          " record: each member sets that field and the others keep their "
          "values. null gives an optional field its default, as if it had "
          "been left out of an insert; required fields cannot be null. uuid "
          "cannot be patched.",
      std::move(props), {});
}

Json PageSchema(JsonBuilder& b, const TableDesc& table) {
  Json props = b.Object();
  Json records = b.Object();
  b.Put(records, "type", "array");
  // Pages may project (fields=), as GET may.
  b.Put(records, "items", b.Ref("schemas", ComponentName(table, "read")));
  b.Put(props, "records", std::move(records));
  Json next = b.Object();
  Json types = b.Array();
  b.Push(types, b.Str("string"));
  b.Push(types, b.Str("null"));
  b.Put(next, "type", std::move(types));
  b.Put(next, "description",
        "Pass as ?after= to get the next page of the same query; null on "
        "the last page. Opaque (base64url).");
  b.Put(props, "next", std::move(next));
  return ObjectSchema(b, "One page of " + table.name + " records.",
                      std::move(props), {"records", "next"});
}

Json HealthSchema(JsonBuilder& b, const Schema& schema) {
  auto integer = [&b](std::string_view doc) {
    Json s = TypeSchema(b, FieldType::INT64, false);
    b.Put(s, "minimum", 0);
    b.Put(s, "description", doc);
    return s;
  };
  Json entries_props = b.Object();
  std::vector<std::string> tables;
  for (const TableDesc& t : schema.tables) {
    b.Put(entries_props, t.name, integer("Records in " + t.name + "."));
    tables.push_back(t.name);
  }
  Json lmdb_props = b.Object();
  b.Put(lmdb_props, "map_size",
        integer("Bytes the data file may grow to now (this worker's map; "
                "LMDB_MAP_SIZE_GB to start with)."));
  b.Put(lmdb_props, "map_max",
        integer("Most bytes the map may grow to (LMDB_MAP_MAX_GB)."));
  b.Put(lmdb_props, "used_bytes", integer("Bytes of pages in use."));
  b.Put(lmdb_props, "page_size", integer("LMDB page size in bytes."));
  b.Put(lmdb_props, "readers_in_use",
        integer("Reader slots in use, by every process on the environment."));
  b.Put(lmdb_props, "max_readers", integer("Reader slots in all."));
  b.Put(lmdb_props, "entries",
        ObjectSchema(b, "Records per table.", std::move(entries_props), tables));
  Json props = b.Object();
  Json status = b.Typed("string");
  Json ok = b.Array();
  b.Push(ok, b.Str("ok"));
  b.Put(status, "enum", std::move(ok));
  b.Put(props, "status", std::move(status));
  Json fp = b.Typed("string");
  b.Put(fp, "description",
        "Schema::FingerprintHash() of the compiled schema: 16 hex digits.");
  b.Put(props, "schema_fingerprint", std::move(fp));
  b.Put(props, "lmdb",
        ObjectSchema(b, "The LMDB environment (Env::Stat()).",
                     std::move(lmdb_props),
                     {"map_size", "map_max", "used_bytes", "page_size",
                      "readers_in_use", "max_readers", "entries"}));
  return ObjectSchema(b,
                      "The worker can serve: its environment answers. With "
                      "API keys on, schema_fingerprint and lmdb are sent "
                      "only to a request with a valid key.",
                      std::move(props), {"status"});
}

Json RecordExample(JsonBuilder& b, const TableDesc& table, bool stored) {
  Json r = b.Object();
  if (stored) {
    b.Put(r, "uuid", kExampleUuid);
    b.Put(r, "revision", 1);
  }
  for (const FieldDesc& f : table.fields)
    b.Put(r, f.name, b.FromValue(ExampleValue(f)));
  return r;
}

Json PageExample(JsonBuilder& b, const TableDesc& table) {
  Json p = b.Object();
  Json records = b.Array();
  b.Push(records, RecordExample(b, table, true));
  b.Put(p, "records", std::move(records));
  b.Put(p, "next", Json());
  return p;
}

Json HealthExample(JsonBuilder& b, const Schema& schema) {
  Json h = b.Object();
  b.Put(h, "status", "ok");
  b.Put(h, "schema_fingerprint", schema.FingerprintHash());
  Json lmdb = b.Object();
  b.Put(lmdb, "map_size", Json(std::int64_t{1} << 30));
  b.Put(lmdb, "map_max", Json(std::int64_t{1} << 30));
  b.Put(lmdb, "used_bytes", Json(std::int64_t{1} << 20));
  b.Put(lmdb, "page_size", 4096);
  b.Put(lmdb, "readers_in_use", 3);
  b.Put(lmdb, "max_readers", 126);
  Json entries = b.Object();
  for (const TableDesc& t : schema.tables) b.Put(entries, t.name, 0);
  b.Put(lmdb, "entries", std::move(entries));
  b.Put(h, "lmdb", std::move(lmdb));
  return h;
}

std::string QueryExample(FieldType type) {
  switch (type) {
    case FieldType::STRING:    return "text";
    case FieldType::INT64:     return "42";
    case FieldType::DOUBLE:    return "2.5";
    case FieldType::BOOL:      return "true";
    case FieldType::DATE:      return "2024-05-01";
    case FieldType::TIMESTAMP: return "2024-05-01T12:30:00Z";
    case FieldType::UUID:      return std::string(kExampleUuid);
  }
  return "";
}

std::vector<int> ProblemStatuses() {
  std::set<int> statuses;
  for (const ProblemType& t : DocumentedProblemTypes())
    statuses.insert(t.status);
  return std::vector<int>(statuses.begin(), statuses.end());
}

Json ProblemSchema(JsonBuilder& b, int status) {
  std::vector<std::string> urns, titles;
  for (const ProblemType& t : TypesWithStatus(status)) {
    urns.push_back("urn:lmdb-api:problem:" + std::string(t.slug));
    if (std::find(titles.begin(), titles.end(), t.title) == titles.end())
      titles.emplace_back(t.title);
  }
  auto enumerated = [&b](std::string_view type, Json values,
                         std::string_view doc) {
    Json s = b.Object();
    b.Put(s, "type", type);
    b.Put(s, "enum", std::move(values));
    b.Put(s, "description", doc);
    return s;
  };
  Json props = b.Object();
  b.Put(props, "type",
        enumerated("string", b.Strings(urns),
                   "What went wrong, as a URN; one per kind of error."));
  b.Put(props, "title",
        enumerated("string", b.Strings(titles), "Fixed for each type."));
  Json statuses = b.Array();
  b.Push(statuses, Json(status));
  b.Put(props, "status",
        enumerated("integer", std::move(statuses), "The HTTP status."));
  Json detail = b.Typed("string");
  b.Put(detail, "description",
        "What happened to this request, naming the value at fault.");
  b.Put(props, "detail", std::move(detail));
  Json field = b.Typed("string");
  b.Put(field, "description",
        "The field, parameter, header or index at fault, when there is one.");
  b.Put(props, "field", std::move(field));
  Json operation = b.Typed("integer");
  b.Put(operation, "minimum", 0);
  b.Put(operation, "description",
        "POST /api/batch: the position of the operation at fault.");
  b.Put(props, "operation", std::move(operation));
  if (status == 410) {
    Json oldest = TypeSchema(b, FieldType::INT64, false);
    b.Put(oldest, "minimum", 1);
    b.Put(oldest, "description",
          "changes-trimmed: the oldest change still held; continue from "
          "after=oldest-1 (having missed what came between), or from a "
          "backup.");
    b.Put(props, "oldest", std::move(oldest));
  }
  return ObjectSchema(b,
                      "An RFC 9457 problem with HTTP status " +
                          std::to_string(status) + ".",
                      std::move(props), {"type", "title", "status", "detail"});
}

Json ProblemExample(JsonBuilder& b, int status) {
  const ProblemType t = TypesWithStatus(status).front();
  Json p = b.Object();
  b.Put(p, "type", "urn:lmdb-api:problem:" + std::string(t.slug));
  b.Put(p, "title", t.title);
  b.Put(p, "status", status);
  b.Put(p, "detail", "what happened, naming the value at fault");
  if (status == 410) b.Put(p, "oldest", 1001);
  return p;
}

Json ChangeSchema(JsonBuilder& b, const Schema& schema) {
  auto integer = [&b](std::string_view doc) {
    Json s = TypeSchema(b, FieldType::INT64, false);
    b.Put(s, "minimum", 1);
    b.Put(s, "description", doc);
    return s;
  };
  auto typed = [&b](std::string_view type, std::string_view doc) {
    Json s = b.Typed(type);
    b.Put(s, "description", doc);
    return s;
  };
  std::vector<std::string> tables;
  Json records = b.Array();
  for (const TableDesc& t : schema.tables) {
    tables.push_back(t.name);
    b.Push(records, b.Ref("schemas", ComponentName(t, "record")));
  }
  b.Push(records, b.Typed("null"));
  Json props = b.Object();
  b.Put(props, "seq",
        integer("Sequence number: 1, 2, 3... with no gaps; the stream's "
                "event id."));
  b.Put(props, "txn",
        integer("The seq of the first change of the write this one belongs "
                "to: one write (a delete with its cascade, say) is one "
                "transaction, whose changes are contiguous."));
  b.Put(props, "txn_end",
        typed("boolean", "This is the last change of its transaction."));
  Json table = typed("string", "The table written.");
  b.Put(table, "enum", b.Strings(tables));
  b.Put(props, "table", std::move(table));
  Json uuid = typed("string", "The record's uuid.");
  b.Put(uuid, "format", "uuid");
  b.Put(props, "uuid", std::move(uuid));
  Json op = typed("string", "What the write did to the record.");
  b.Put(op, "enum", b.Strings({"insert", "update", "delete"}));
  b.Put(props, "op", std::move(op));
  b.Put(props, "revision",
        integer("The record's revision after the write (for a delete, the "
                "revision deleted)."));
  Json time = typed("string", "When the write ran (UTC).");
  b.Put(time, "format", "date-time");
  b.Put(props, "time", std::move(time));
  Json record = b.Object();
  b.Put(record, "anyOf", std::move(records));
  b.Put(record, "description",
        "The record after the write, as GET answers it; null after a "
        "delete.");
  b.Put(props, "record", std::move(record));
  return ObjectSchema(
      b, "One change of the change feed: a record a committed write touched.",
      std::move(props),
      {"seq", "txn", "txn_end", "table", "uuid", "op", "revision", "time",
       "record"});
}

Json ChangePageSchema(JsonBuilder& b) {
  Json props = b.Object();
  Json changes = b.Object();
  b.Put(changes, "type", "array");
  b.Put(changes, "items", b.Ref("schemas", "Change"));
  b.Put(props, "changes", std::move(changes));
  Json next = TypeSchema(b, FieldType::INT64, false);
  b.Put(next, "minimum", 0);
  b.Put(next, "description",
        "Pass as ?after= to continue: the seq of the last change looked at "
        "(with a tables filter, skipped ones count), or the request's after "
        "when there was none.");
  b.Put(props, "next", std::move(next));
  return ObjectSchema(b, "Changes in sequence order.", std::move(props),
                      {"changes", "next"});
}

std::string ProblemSummary(int status) {
  std::string out;
  std::set<std::string_view> seen;
  for (const ProblemType& t : TypesWithStatus(status)) {
    if (!seen.insert(t.title).second) continue;
    if (!out.empty()) out += "; ";
    out += t.title;
  }
  return out;
}

}  // namespace lmdbapi::http::openapi
