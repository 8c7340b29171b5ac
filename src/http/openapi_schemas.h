// SPDX-License-Identifier: Apache-2.0
// src/http/openapi_schemas.h - the JSON Schemas and examples of the OpenAPI
// document, from the schema descriptors.
//
// Internal to openapi.cc, split off because "what a record looks like" and
// "which operations exist" are separate concerns. Everything is built as a
// RapidJSON DOM on one allocator (JsonBuilder), so the document is one
// tree serialised once.
//
// Component names follow the generated C++ names: for table T,
//   T_record   a stored record, as every response shows it (uuid and
//              revision readOnly; every field present)
//   T_new      a POST body: required fields required, optional ones may be
//              absent or null (both mean the default); no uuid or revision
//   T_replace  a PUT body: as T_new, plus optional uuid and revision
//   T_page     a listing: {"records": [T_record...], "next": cursor|null}
// and Problem<status> for the problem+json bodies of each error status.

#ifndef LMDBAPI_HTTP_OPENAPI_SCHEMAS_H_
#define LMDBAPI_HTTP_OPENAPI_SCHEMAS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "http/problem.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/value.h"

namespace lmdbapi::http::openapi {

using Json = rapidjson::Value;

// Makes values on one document's allocator; strings are always copied.
class JsonBuilder {
 public:
  explicit JsonBuilder(rapidjson::Document* doc)
      : alloc_(doc->GetAllocator()) {}

  Json Object() { return Json(rapidjson::kObjectType); }
  Json Array() { return Json(rapidjson::kArrayType); }
  // {"type": type}, e.g. the schema of a plain string.
  Json Typed(std::string_view type) {
    Json obj = Object();
    Put(obj, "type", type);
    return obj;
  }
  Json Str(std::string_view s) {
    return Json(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc_);
  }
  // {"$ref": "#/components/<section>/<name>"}
  Json Ref(std::string_view section, std::string_view name);
  // A JSON array of strings.
  Json Strings(const std::vector<std::string>& items);
  // A deep copy of v on the document's allocator.
  Json Copy(const Json& v) { return Json(v, alloc_); }

  // obj[key] = value; returns obj for chaining.
  Json& Put(Json& obj, std::string_view key, Json value) {
    obj.AddMember(Str(key), value, alloc_);
    return obj;
  }
  Json& Put(Json& obj, std::string_view key, std::string_view value) {
    return Put(obj, key, Str(value));
  }
  Json& Put(Json& obj, std::string_view key, const char* value) {
    return Put(obj, key, Str(value));
  }
  Json& Put(Json& obj, std::string_view key, bool value) {
    return Put(obj, key, Json(value));
  }
  Json& Put(Json& obj, std::string_view key, int value) {
    return Put(obj, key, Json(value));
  }
  Json& Put(Json& obj, std::string_view key, std::uint64_t value) {
    return Put(obj, key, Json(value));
  }
  Json& Push(Json& array, Json value) {
    array.PushBack(value, alloc_);
    return array;
  }

  // A value of a field's type, as the API writes it in JSON.
  Json FromValue(const Value& value);


 private:
  rapidjson::Document::AllocatorType& alloc_;
};

// A STRING's byte limit is stated as "x-maxBytes": n, with a sentence in
// the description, never as maxLength: JSON Schema's maxLength counts
// characters, and a character takes 1 to 4 bytes of UTF-8, so no maxLength
// is exactly true of a byte limit (n would let through strings the server
// refuses; n/4 would refuse some it takes). Limits are stated where a
// client sends strings (T_new, T_replace, filters), not in T_record: a
// record stored before a limit was lowered still reads back whole.

// The JSON Schema of one field's values (type, format, description;
// `nullable` adds "null" to the type, for optional fields in bodies;
// max_bytes > 0 states that byte limit, for STRING fields).
Json FieldSchema(JsonBuilder& b, const TableDesc& table, const FieldDesc& f,
                 bool nullable, std::size_t max_bytes = 0);
// The schema of a field's values in a query string (no description);
// max_bytes as for FieldSchema.
Json QueryValueSchema(JsonBuilder& b, FieldType type,
                      std::size_t max_bytes = 0);
// " At most n bytes of UTF-8 ...": the description's sentence for a limit.
std::string MaxBytesSentence(std::size_t max_bytes);

// max_string_bytes: the MAX_STRING_BYTES setting the worker keeps.
// T_record; projected: T_read, the record a read answers, whose fields
// fields= may leave out (only uuid and revision are required).
Json RecordSchema(JsonBuilder& b, const TableDesc& table,
                  bool projected = false);
Json NewSchema(JsonBuilder& b, const TableDesc& table,       // T_new
               std::size_t max_string_bytes);
Json ReplaceSchema(JsonBuilder& b, const TableDesc& table,   // T_replace
                   std::size_t max_string_bytes);
Json PatchSchema(JsonBuilder& b, const TableDesc& table,     // T_patch
                 std::size_t max_string_bytes);
Json PageSchema(JsonBuilder& b, const TableDesc& table);     // T_page
Json HealthSchema(JsonBuilder& b, const Schema& schema);
// The change feed's objects (changes_json.h): "Change" and "ChangePage".
Json ChangeSchema(JsonBuilder& b, const Schema& schema);
Json ChangePageSchema(JsonBuilder& b);

// Example bodies: a record as stored (with uuid and revision) or as sent.
Json RecordExample(JsonBuilder& b, const TableDesc& table, bool stored);
Json PageExample(JsonBuilder& b, const TableDesc& table);
Json HealthExample(JsonBuilder& b, const Schema& schema);
// A value of the type, as written in a query string.
std::string QueryExample(FieldType type);

// The statuses any problem type has, ascending, and the schema of a
// problem+json body of that status ("type" and "title" enumerated).
std::vector<int> ProblemStatuses();
Json ProblemSchema(JsonBuilder& b, int status);
Json ProblemExample(JsonBuilder& b, int status);
std::string ProblemSummary(int status);  // the titles, "; "-joined

// "T_record" etc.
std::string ComponentName(const TableDesc& table, std::string_view suffix);

}  // namespace lmdbapi::http::openapi

#endif  // LMDBAPI_HTTP_OPENAPI_SCHEMAS_H_
