// SPDX-License-Identifier: Apache-2.0
// tests/http/openapi_test.cc - src/http/openapi.cc over the compiled schema.
//
// The document must say what the router and the handlers do. Redocly lints
// it in `make check` (conf/redocly.yaml); these cases check what the linter
// cannot know, including the three rules that config turns off: every
// documented path and method routes to exactly that template (no real
// ambiguity), every component is referenced (Problem405 aside), and the
// record schemas follow the schema descriptors. Walks Schema::Compiled(),
// so it holds for every schema under schema/.

#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/config.h"
#include "http/openapi.h"
#include "http/problem.h"
#include "http/router.h"
#include "lmdbapi/schema.h"

using namespace lmdbapi;
using lmdbapi::http::kDefaultMaxStringBytes;
using lmdbapi::http::OpenApiJson;
using lmdbapi::http::RouteTemplate;
using lmdbapi::http::RouteTemplates;
using Outcome = lmdbapi::http::RouteMatch::Outcome;
using Json = rapidjson::Value;

namespace {

const std::string kUuid = "0190a5c4-7e2b-7c3d-8e4f-0123456789ab";

const Schema& S() { return Schema::Compiled(); }

const rapidjson::Document& Doc() {
  static const rapidjson::Document doc = [] {
    rapidjson::Document d;
    const std::string text = OpenApiJson(S(), kDefaultMaxStringBytes);
    d.Parse(text.data(), text.size());
    return d;
  }();
  return doc;
}

// obj[a][b]..., or nullptr.
const Json* At(const Json& obj, std::initializer_list<std::string> keys) {
  const Json* v = &obj;
  for (const std::string& k : keys) {
    if (!v->IsObject()) return nullptr;
    auto it = v->FindMember(rapidjson::StringRef(k.data(), k.size()));
    if (it == v->MemberEnd()) return nullptr;
    v = &it->value;
  }
  return v;
}

std::string Str(const Json* v) {
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

std::set<std::string> Strings(const Json* array) {
  std::set<std::string> out;
  if (array == nullptr || !array->IsArray()) return out;
  for (const auto& v : array->GetArray()) out.insert(Str(&v));
  return out;
}

void CollectRefs(const Json& v, std::set<std::string>* refs) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (std::string(m.name.GetString()) == "$ref") refs->insert(Str(&m.value));
      CollectRefs(m.value, refs);
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) CollectRefs(e, refs);
  }
}

struct Method {
  const char* key;
  const char* name;
};
constexpr Method kMethods[] = {
    {"get", "GET"},     {"post", "POST"},     {"put", "PUT"},
    {"patch", "PATCH"}, {"delete", "DELETE"}};

}  // namespace

BOOST_AUTO_TEST_SUITE(openapi)

BOOST_AUTO_TEST_CASE(the_document_is_json_of_openapi_3_1_and_deterministic) {
  BOOST_TEST_REQUIRE(!Doc().HasParseError());
  BOOST_TEST(Str(At(Doc(), {"openapi"})) == "3.1.0");
  BOOST_TEST(Str(At(Doc(), {"info", "version"})) == S().FingerprintHash());
  BOOST_TEST(OpenApiJson(S(), kDefaultMaxStringBytes) ==
             OpenApiJson(S(), kDefaultMaxStringBytes));
}

// maxLength counts characters, a byte limit bytes: no maxLength is exactly
// true of it, so the document gives x-maxBytes (and a sentence) instead.
BOOST_AUTO_TEST_CASE(string_byte_limits_are_x_max_bytes_on_what_clients_send) {
  int checked = 0;
  for (const TableDesc& t : S().tables) {
    for (const FieldDesc& f : t.fields) {
      for (const char* suffix : {"new", "replace", "record"}) {
        const Json* prop = At(Doc(), {"components", "schemas",
                                      t.name + "_" + suffix, "properties", f.name});
        BOOST_TEST_REQUIRE(prop != nullptr, t.name << "_" << suffix << "." << f.name);
        BOOST_TEST(!prop->HasMember("maxLength"));
        const Json* max = At(*prop, {"x-maxBytes"});
        const bool states = f.type == FieldType::STRING &&
                            std::string_view(suffix) != "record";
        BOOST_TEST_CONTEXT(t.name << "_" << suffix << "." << f.name) {
          BOOST_TEST_REQUIRE((max != nullptr) == states);
          if (!states) continue;
          const std::size_t limit = StringLimit(f, kDefaultMaxStringBytes);
          BOOST_TEST(max->GetUint64() == limit);
          BOOST_TEST(Str(At(*prop, {"description"})).find(
                         "At most " + std::to_string(limit) + " bytes of UTF-8") !=
                     std::string::npos);
          ++checked;
        }
      }
    }
  }
  BOOST_TEST(checked > 0);
  // The setting the worker runs with is the one the document states.
  rapidjson::Document small;
  const std::string text = OpenApiJson(S(), 123);
  small.Parse(text.data(), text.size());
  for (const TableDesc& t : S().tables)
    for (const FieldDesc& f : t.fields)
      if (f.type == FieldType::STRING)
        BOOST_TEST(At(small, {"components", "schemas", t.name + "_new", "properties",
                              f.name, "x-maxBytes"})
                       ->GetUint64() == (f.max_bytes != 0 ? f.max_bytes : 123u));
}

BOOST_AUTO_TEST_CASE(every_route_template_is_a_path_with_exactly_its_methods) {
  const Json* paths = At(Doc(), {"paths"});
  BOOST_TEST_REQUIRE(paths != nullptr);
  std::size_t templates = 0;
  for (const RouteTemplate& rt : RouteTemplates(S())) {
    if (!rt.exists) {
      BOOST_TEST(At(*paths, {rt.path}) == nullptr, rt.path << " cannot succeed");
      continue;
    }
    ++templates;
    const Json* item = At(*paths, {rt.path});
    BOOST_TEST_REQUIRE(item != nullptr, rt.path << " is not documented");
    for (const Method& m : kMethods)
      BOOST_TEST((At(*item, {m.key}) != nullptr) == rt.Allows(m.name),
                 m.name << " " << rt.path);
    BOOST_TEST((At(*item, {"head"}) != nullptr) == rt.Allows("GET"), rt.path);
    BOOST_TEST(At(*item, {"options", "responses", "204", "headers", "Allow"}) != nullptr,
               rt.path);
  }
  BOOST_TEST(paths->MemberCount() == templates, "no path the router lacks");
}

BOOST_AUTO_TEST_CASE(head_is_get_without_bodies_and_every_operation_may_be_429) {
  std::set<std::string> ids;
  for (const auto& p : At(Doc(), {"paths"})->GetObject()) {
    const std::string path = p.name.GetString();
    for (const auto& op : p.value.GetObject()) {
      const std::string method = op.name.GetString();
      if (method == "parameters") continue;
      BOOST_TEST(ids.insert(op.value["operationId"].GetString()).second,
                 "operationId repeated: " << op.value["operationId"].GetString());
      const Json& responses = op.value["responses"];
      BOOST_TEST(responses.HasMember("429"), method << " " << path);
      if (method != "head") continue;
      const Json* get = At(p.value, {"get", "responses"});
      BOOST_TEST_REQUIRE(get != nullptr, path);
      BOOST_TEST(responses.MemberCount() == get->MemberCount(), path);
      for (const auto& r : responses.GetObject()) {
        BOOST_TEST(get->HasMember(r.name), path << " " << r.name.GetString());
        BOOST_TEST(!r.value.HasMember("content"), path << " " << r.name.GetString());
        BOOST_TEST(!r.value.HasMember("$ref"), path << " " << r.name.GetString());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(int64_fields_warn_javascript_clients) {
  for (const lmdbapi::TableDesc& t : S().tables)
    for (const lmdbapi::FieldDesc& f : t.fields) {
      if (f.type != lmdbapi::FieldType::INT64) continue;
      const Json* d = At(Doc(), {"components", "schemas", t.name + "_record",
                                 "properties", f.name, "description"});
      BOOST_TEST_REQUIRE(d != nullptr, t.name << "." << f.name);
      BOOST_TEST(std::string(d->GetString()).find("2^53") != std::string::npos,
                 d->GetString());
    }
}

BOOST_AUTO_TEST_CASE(every_documented_operation_routes_to_its_own_template) {
  // What no-ambiguous-paths (off in conf/redocly.yaml) would protect: a
  // request made from any documented path reaches that path's template.
  const std::vector<RouteTemplate> templates = RouteTemplates(S());
  for (const auto& p : At(Doc(), {"paths"})->GetObject()) {
    const std::string tmpl = p.name.GetString();
    std::string path = tmpl;
    if (std::size_t at = path.find("{uuid}"); at != std::string::npos)
      path.replace(at, 6, kUuid);
    for (const Method& m : kMethods) {
      auto match = http::MatchRoute(S(), m.name, path);
      BOOST_TEST_CONTEXT(m.name << " " << tmpl) {
        BOOST_TEST_REQUIRE(match.template_index >= 0);
        BOOST_TEST(templates[match.template_index].path == tmpl);
        const bool documented = At(p.value, {m.key}) != nullptr;
        BOOST_TEST((match.outcome == (documented ? Outcome::kMatched
                                                 : Outcome::kMethodNotAllowed)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(operation_ids_are_unique_and_every_operation_has_an_example) {
  std::set<std::string> ids;
  for (const auto& p : At(Doc(), {"paths"})->GetObject()) {
    for (const Method& m : kMethods) {
      const Json* op = At(p.value, {m.key});
      if (op == nullptr) continue;
      BOOST_TEST_CONTEXT(m.name << " " << p.name.GetString()) {
        BOOST_TEST(ids.insert(Str(At(*op, {"operationId"}))).second);
        BOOST_TEST(!Str(At(*op, {"summary"})).empty());
        bool example = false;
        for (const auto& r : At(*op, {"responses"})->GetObject()) {
          const Json* content = At(r.value, {"content"});
          if (content == nullptr) continue;
          for (const auto& media : content->GetObject())
            example = example || At(media.value, {"example"}) != nullptr;
        }
        if (std::string(m.key) == "delete") example = true;  // 204: no body
        BOOST_TEST(example, "a success example");
        if (std::string(m.key) == "post" || std::string(m.key) == "put" ||
            std::string(m.key) == "patch")
          BOOST_TEST(At(*op, {"requestBody", "content", "application/json", "example"}) !=
                     nullptr);
        if (std::string(m.key) == "patch")
          BOOST_TEST(At(*op, {"requestBody", "content", "application/merge-patch+json",
                              "example"}) != nullptr);
      }
    }
  }
}

// Keys are off unless API_KEYS_FILE is set: either scheme, or none ({}).
BOOST_AUTO_TEST_CASE(api_keys_are_optional_and_health_is_open) {
  const Json* security = At(Doc(), {"security"});
  BOOST_TEST_REQUIRE(security != nullptr);
  std::set<std::string> named;
  bool anonymous = false;
  for (const auto& requirement : security->GetArray()) {
    if (requirement.ObjectEmpty()) anonymous = true;
    for (const auto& scheme : requirement.GetObject()) {
      named.insert(scheme.name.GetString());
      BOOST_TEST(At(Doc(), {"components", "securitySchemes",
                            scheme.name.GetString()}) != nullptr);
    }
  }
  BOOST_TEST(anonymous);
  BOOST_TEST((named == std::set<std::string>{"bearerKey", "apiKeyHeader"}));
  const Json* health = At(Doc(), {"paths", "/api/health", "get"});
  BOOST_TEST_REQUIRE(health != nullptr);
  BOOST_TEST(At(*health, {"security"})->Empty());
  BOOST_TEST(At(*health, {"responses", "401"}) == nullptr);
  const Json* metrics = At(Doc(), {"paths", "/api/metrics", "get"});
  BOOST_TEST(At(*metrics, {"responses", "401"}) != nullptr);
  BOOST_TEST(At(*metrics, {"responses", "403"}) == nullptr);  // reads
}

BOOST_AUTO_TEST_CASE(every_component_but_problem405_is_referenced) {
  std::set<std::string> refs;
  CollectRefs(Doc(), &refs);
  for (const auto& section : At(Doc(), {"components"})->GetObject()) {
    // Named by security requirements, not $ref: see api_keys_are_optional.
    if (std::string(section.name.GetString()) == "securitySchemes") continue;
    for (const auto& c : section.value.GetObject()) {
      const std::string ref = std::string("#/components/") +
                              section.name.GetString() + "/" + c.name.GetString();
      if (ref == "#/components/responses/Problem405") continue;
      BOOST_TEST(refs.count(ref) == 1u, ref << " is never referenced");
    }
  }
  for (const std::string& ref : refs) {
    const std::string rest = ref.substr(std::string("#/components/").size());
    const std::size_t slash = rest.find('/');
    BOOST_TEST(At(Doc(), {"components", rest.substr(0, slash), rest.substr(slash + 1)}) !=
                   nullptr,
               ref << " resolves");
  }
}

BOOST_AUTO_TEST_CASE(record_schemas_follow_the_descriptors) {
  for (const TableDesc& t : S().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      const Json* record = At(Doc(), {"components", "schemas", t.name + "_record"});
      const Json* fresh = At(Doc(), {"components", "schemas", t.name + "_new"});
      const Json* replace = At(Doc(), {"components", "schemas", t.name + "_replace"});
      BOOST_TEST_REQUIRE((record && fresh && replace && At(Doc(), {"components", "schemas", t.name + "_page"})));
      std::set<std::string> all = {"uuid", "revision"}, required;
      for (const FieldDesc& f : t.fields) {
        all.insert(f.name);
        if (f.required) required.insert(f.name);
      }
      BOOST_TEST((Strings(At(*record, {"required"})) == all));
      BOOST_TEST((Strings(At(*fresh, {"required"})) == required));
      BOOST_TEST(At(*record, {"properties", "uuid", "readOnly"})->IsTrue());
      BOOST_TEST(At(*record, {"properties", "revision", "readOnly"})->IsTrue());
      BOOST_TEST(At(*fresh, {"properties", "uuid"}) == nullptr);
      BOOST_TEST(At(*replace, {"properties", "revision"}) != nullptr);
      for (const Json* s : {record, fresh, replace})
        BOOST_TEST(At(*s, {"additionalProperties"})->IsFalse());
      for (const FieldDesc& f : t.fields) {
        const Json* p = At(*record, {"properties", f.name});
        BOOST_TEST_REQUIRE(p != nullptr, f.name);
        const std::string format = Str(At(*p, {"format"}));
        switch (f.type) {
          case FieldType::STRING:    BOOST_TEST(format.empty()); break;
          case FieldType::INT64:     BOOST_TEST(format == "int64"); break;
          case FieldType::DOUBLE:    BOOST_TEST(format == "double"); break;
          case FieldType::BOOL:      BOOST_TEST(Str(At(*p, {"type"})) == "boolean"); break;
          case FieldType::DATE:      BOOST_TEST(format == "date"); break;
          case FieldType::TIMESTAMP: BOOST_TEST(format == "date-time"); break;
          case FieldType::UUID:      BOOST_TEST(format == "uuid"); break;
        }
        // In a body an optional field may be null; a DEFAULT_FIELD has its
        // default. As stored, only a nullable field may be null.
        const Json* in = At(*fresh, {"properties", f.name});
        BOOST_TEST(At(*in, {"type"})->IsArray() == !f.required, f.name);
        BOOST_TEST((At(*in, {"default"}) != nullptr) == (!f.required && !f.nullable),
                   f.name);
        BOOST_TEST(At(*p, {"type"})->IsArray() == f.nullable, f.name);
        if (f.is_parent_link)
          BOOST_TEST(Str(At(*p, {"description"})).find(S().tables[t.parent].name) !=
                         std::string::npos,
                     "the link names its parent table");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_problem_type_is_listed_under_its_status) {
  for (const http::ProblemType& p : http::AllProblemTypes()) {
    const std::string name = "Problem" + std::to_string(p.status);
    const Json* schema = At(Doc(), {"components", "schemas", name});
    BOOST_TEST_REQUIRE(schema != nullptr, name);
    BOOST_TEST(Strings(At(*schema, {"properties", "type", "enum"}))
                   .count("urn:lmdb-api:problem:" + std::string(p.slug)) == 1u,
               p.slug);
    BOOST_TEST(At(Doc(), {"components", "responses", name}) != nullptr);
  }
  BOOST_TEST(At(Doc(), {"components", "responses", "Problem405", "headers", "Allow"}) != nullptr);
}

BOOST_AUTO_TEST_CASE(headers_are_documented_where_set) {
  const std::string base = "/api/" + S().tables.front().name;
  auto headers = [&](const std::string& path, const char* method, const char* status) {
    std::set<std::string> out;
    const Json* h = At(Doc(), {"paths", path, method, "responses", status, "headers"});
    if (h != nullptr)
      for (const auto& m : h->GetObject()) out.insert(m.name.GetString());
    return out;
  };
  BOOST_TEST((headers(base, "post", "201") ==
              std::set<std::string>{"ETag", "Location", "Idempotent-Replayed"}));
  BOOST_TEST((headers(base + "/{uuid}", "get", "200") == std::set<std::string>{"ETag"}));
  const std::set<std::string> written{"ETag", "Idempotent-Replayed"};
  BOOST_TEST((headers(base + "/{uuid}", "put", "200") == written));
  BOOST_TEST((headers(base + "/{uuid}", "patch", "200") == written));
  BOOST_TEST((headers(base + "/update/{uuid}", "patch", "200") == written));
  BOOST_TEST((headers(base + "/{uuid}", "delete", "204") ==
              std::set<std::string>{"Idempotent-Replayed"}));
  BOOST_TEST((headers("/api/batch", "post", "200") ==
              std::set<std::string>{"Idempotent-Replayed"}));
  BOOST_TEST((headers(base + "/{uuid}", "get", "304") == std::set<std::string>{"ETag"}));
  const std::set<std::string> query_headers{"X-Query-Plan", "X-Examined"};
  BOOST_TEST((headers(base, "get", "200") == query_headers));
  BOOST_TEST((headers(base + "/count", "get", "200") == query_headers));
  for (const TableDesc& t : S().tables)  // tables with a range route
    if (At(Doc(), {"paths", "/api/" + t.name + "/range"}) != nullptr)
      BOOST_TEST((headers("/api/" + t.name + "/range", "get", "200") ==
                  query_headers));
}

BOOST_AUTO_TEST_CASE(find_takes_every_field_as_an_optional_typed_parameter) {
  for (const TableDesc& t : S().tables) {
    const Json* params = At(Doc(), {"paths", "/api/" + t.name, "get", "parameters"});
    BOOST_TEST_REQUIRE(params != nullptr);
    std::set<std::string> names;
    for (const auto& p : params->GetArray()) {
      if (const Json* name = At(p, {"name"})) {
        names.insert(Str(name));
        BOOST_TEST(At(p, {"required"})->IsFalse());
        BOOST_TEST(At(p, {"schema", "type"}) != nullptr);
      }
    }
    std::size_t nullable = 0, prefixed = 0;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDesc& f = t.fields[i];
      BOOST_TEST(names.count(f.name) == 1u, f.name);
      // <field>.is=null exactly where the field can be null.
      BOOST_TEST(names.count(f.name + ".is") == (f.nullable ? 1u : 0u), f.name);
      nullable += f.nullable;
      // <field>.prefix exactly on strings that lead an index.
      bool leads = false;
      for (const IndexDesc& index : t.indexes)
        leads = leads || index.key_fields.front() == static_cast<int>(i);
      const bool prefix = leads && f.type == FieldType::STRING;
      BOOST_TEST(names.count(f.name + ".prefix") == (prefix ? 1u : 0u), f.name);
      prefixed += prefix;
    }
    BOOST_TEST(names.count("order") == 1u);
    BOOST_TEST(names.count("fields") == 1u);
    BOOST_TEST(params->Size() == t.fields.size() + nullable + prefixed + 5,
               "fields, their .is and .prefix tests, order, then limit and "
               "after refs, the projection and the Accept ref");
  }
}

BOOST_AUTO_TEST_CASE(conditional_headers_are_parameters_with_their_statuses) {
  const std::string item = "/api/" + S().tables.front().name + "/{uuid}";
  auto params = [&](const char* method) {
    std::set<std::string> out;
    const Json* p = At(Doc(), {"paths", item, method, "parameters"});
    if (p != nullptr)
      for (const auto& ref : p->GetArray()) out.insert(Str(At(ref, {"$ref"})));
    return out;
  };
  const std::string prefix = "#/components/parameters/";
  BOOST_TEST(params("get").count(prefix + "If-None-Match") == 1u);
  for (const char* method : {"put", "patch", "delete"}) {
    BOOST_TEST(params(method).count(prefix + "If-Match") == 1u, method);
    BOOST_TEST(At(Doc(), {"paths", item, method, "responses", "412"}) != nullptr, method);
  }
  BOOST_TEST(At(Doc(), {"paths", item, "get", "responses", "304", "content"}) == nullptr,
             "a 304 has no body");
  const std::string doc = Str(At(Doc(), {"components", "parameters", "If-Match",
                                         "description"}));
  BOOST_TEST(doc.find("412") != std::string::npos);
  BOOST_TEST(doc.find("409") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
