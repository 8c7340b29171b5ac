// SPDX-License-Identifier: Apache-2.0
// tests/http/handlers_test.cc - src/http/handlers.cc over a real Env.
//
// Requests go through HandleRequest exactly as the FastCGI server passes
// them, minus the socket. Schema-generic: every table, field and index of
// Schema::Compiled() is driven through the API with values made per
// FieldType, so the suite holds for every schema under schema/.

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/handlers.h"
#include "http/idempotency_key.h"
#include "json/record_json.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/value.h"
#include "http/request_bodies.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::HandleRequest;
using lmdbapi::http::Request;
using lmdbapi::http::Response;
using lmdbapi::http::Scratch;
using lmdbapi::http::Services;

namespace {

constexpr unsigned kSeed = 11;
const Schema& S() { return Schema::Compiled(); }

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

using testutil::BodyFor;

std::string Serialize(const rapidjson::Value& v) {
  return testutil::SerializeJson(v);
}

struct Api {
  testutil::TempEnv env;
  Response resp;
  Scratch scratch;
  Services services;
  std::mt19937_64 rng{kSeed};
  std::uint64_t serial = 0;
  std::string if_none_match;  // sent with every Call while set
  std::string idempotency_key;  // sent with every Call while set

  const Response& Call(std::string_view method, const std::string& path,
                       const std::string& query = "",
                       const std::string& body = "",
                       std::string_view content_type = "application/json",
                       std::string_view if_match = "") {
    Request req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.body = body;
    req.content_type = body.empty() ? std::string_view() : content_type;
    req.if_match = if_match;
    req.if_none_match = if_none_match;
    req.idempotency_key = idempotency_key;
    HandleRequest(env.env(), req, &resp, &scratch, services);
    return resp;
  }

  rapidjson::Document Json() const {
    rapidjson::Document d;
    d.Parse(resp.body.c_str());
    BOOST_TEST_REQUIRE(!d.HasParseError(), "not JSON: " << resp.body);
    return d;
  }

  // A new record for `t` (uuid unset), linked to `parent`.
  Record Make(const TableDesc& t, const Uuid& parent = {}) {
    return testutil::RandomRecord(t, rng, ++serial, parent);
  }

  // POSTs a record of `t` (and its ancestors first); returns it as stored.
  Record Insert(const TableDesc& t) {
    Uuid parent;
    if (t.parent >= 0) parent = Insert(S().tables[t.parent]).uuid;
    return InsertUnder(t, parent);
  }

  Record InsertUnder(const TableDesc& t, const Uuid& parent) {
    Record r = Make(t, parent);
    Call("POST", "/api/" + t.name, "", BodyFor(r, t));
    BOOST_TEST_REQUIRE(resp.status == 201, t.name << ": " << resp.body);
    rapidjson::Document d = Json();
    auto u = Uuid::Parse(d["uuid"].GetString());
    BOOST_TEST_REQUIRE(u.ok());
    r.uuid = u.value();
    r.revision = d["revision"].GetUint64();
    return r;
  }

  // Every record of a paged GET, following "next" to the end.
  std::vector<std::string> AllUuids(const std::string& path,
                                    std::string query) {
    std::vector<std::string> out;
    for (int pages = 0; pages < 1000; ++pages) {
      Call("GET", path, query);
      BOOST_TEST_REQUIRE(resp.status == 200, path << "?" << query << ": "
                                                  << resp.body);
      rapidjson::Document d = Json();
      for (const auto& r : d["records"].GetArray())
        out.push_back(r["uuid"].GetString());
      if (d["next"].IsNull()) return out;
      std::string base = query.substr(0, query.find("&after="));
      query = base + "&after=" + PercentEncode(d["next"].GetString());
    }
    BOOST_FAIL("paging did not end");
    return out;
  }

  void ExpectProblem(int status, const std::string& slug,
                     const std::string& field = "") {
    BOOST_TEST(resp.status == status, resp.body);
    BOOST_TEST(resp.content_type == "application/problem+json");
    rapidjson::Document d = Json();
    BOOST_TEST(d["status"].GetInt() == status);
    BOOST_TEST(d["type"].GetString() ==
               "urn:lmdb-api:problem:" + slug, resp.body);
    BOOST_TEST(d["detail"].GetStringLength() > 0u);
    if (field.empty()) {
      BOOST_TEST(!d.HasMember("field"), resp.body);
    } else {
      BOOST_TEST_REQUIRE(d.HasMember("field"), resp.body);
      BOOST_TEST(d["field"].GetString() == field, resp.body);
    }
  }
};

std::string FieldsJson(const Record& r, const TableDesc& t) {
  return BodyFor(r, t);
}

// The response record's fields, as a body would carry them.
std::string ResponseFields(const rapidjson::Document& d) {
  rapidjson::Document copy;
  copy.CopyFrom(d, copy.GetAllocator());
  copy.RemoveMember("uuid");
  copy.RemoveMember("revision");
  return Serialize(copy);
}

// {"<field>": <value>} for one field of r, as a merge patch carries it.
std::string MemberJson(const Record& r, const TableDesc& t, int field) {
  rapidjson::Document d;
  d.Parse(BodyFor(r, t).c_str());
  rapidjson::Document out(rapidjson::kObjectType);
  const std::string& name = t.fields[field].name;
  out.AddMember(rapidjson::Value(name.c_str(), out.GetAllocator()),
                rapidjson::Value(d[name.c_str()], out.GetAllocator()),
                out.GetAllocator());
  return Serialize(out);
}

// The first field of t that is not its parent link and has (required) or
// has not (!required) to be given; -1 if none.
int FieldWhere(const TableDesc& t, bool required) {
  for (std::size_t i = 0; i < t.fields.size(); ++i)
    if (!t.fields[i].is_parent_link && t.fields[i].required == required)
      return static_cast<int>(i);
  return -1;
}

const TableDesc* FirstChildTable() {
  for (const TableDesc& t : S().tables)
    if (t.parent >= 0) return &t;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(handlers)

BOOST_AUTO_TEST_CASE(insert_returns_201_location_etag_and_the_record) {
  Api api;
  for (const TableDesc& t : S().tables) {
    for (std::string path : {"/api/" + t.name, "/api/" + t.name + "/insert-record"}) {
      Uuid parent;
      if (t.parent >= 0) parent = api.Insert(S().tables[t.parent]).uuid;
      Record r = api.Make(t, parent);
      api.Call("POST", path, "", BodyFor(r, t));
      BOOST_TEST_REQUIRE(api.resp.status == 201, path << ": " << api.resp.body);
      BOOST_TEST(api.resp.content_type == "application/json");
      rapidjson::Document d = api.Json();
      std::string uuid = d["uuid"].GetString();
      BOOST_TEST(api.resp.location == "/api/" + t.name + "/" + uuid);
      BOOST_TEST(api.resp.etag == "\"1\"");
      BOOST_TEST(d["revision"].GetUint64() == 1u);
      BOOST_TEST(ResponseFields(d) == FieldsJson(r, t));
    }
  }
}

BOOST_AUTO_TEST_CASE(get_returns_the_stored_record_or_404) {
  Api api;
  for (const TableDesc& t : S().tables) {
    Record r = api.Insert(t);
    api.Call("GET", "/api/" + t.name + "/" + r.uuid.ToString());
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    BOOST_TEST(api.resp.etag == "\"1\"");
    rapidjson::Document d = api.Json();
    BOOST_TEST(d["uuid"].GetString() == r.uuid.ToString());
    BOOST_TEST(ResponseFields(d) == FieldsJson(r, t));

    Uuid other = r.uuid;
    other.bytes[15] ^= 0xff;
    api.Call("GET", "/api/" + t.name + "/" + other.ToString());
    api.ExpectProblem(404, "not-found");
    api.Call("GET", "/api/" + t.name + "/" + r.uuid.ToString(), "x=1");
    api.ExpectProblem(400, "invalid-argument", "x");
  }
}

BOOST_AUTO_TEST_CASE(find_filters_on_every_field) {
  Api api;
  for (const TableDesc& t : S().tables) {
    std::vector<Record> rs;
    for (int i = 0; i < 6; ++i) rs.push_back(api.Insert(t));
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      const Record& want = rs[0];
      std::string q = t.fields[f].name + "=" +
                      PercentEncode(FormatValue(want.fields[f])) + "&limit=1000";
      for (std::string path : {"/api/" + t.name, "/api/" + t.name + "/get-record"}) {
        api.Call("GET", path, q);
        BOOST_TEST_REQUIRE(api.resp.status == 200, q << ": " << api.resp.body);
        BOOST_TEST(!api.resp.query_plan.empty());
        rapidjson::Document d = api.Json();
        bool found = false;
        std::string want_json = FieldsJson(want, t);
        rapidjson::Document wd;
        wd.Parse(want_json.c_str());
        for (const auto& rec : d["records"].GetArray()) {
          BOOST_TEST((rec[t.fields[f].name.c_str()] ==
                      wd[t.fields[f].name.c_str()]),
                     t.name << "?" << q);
          if (rec["uuid"].GetString() == want.uuid.ToString()) found = true;
        }
        BOOST_TEST(found, t.name << "?" << q);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(find_with_two_filters_uses_both) {
  Api api;
  for (const TableDesc& t : S().tables) {
    if (t.fields.size() < 2) continue;
    std::vector<Record> rs;
    for (int i = 0; i < 8; ++i) rs.push_back(api.Insert(t));
    const Record& want = rs[3];
    std::string q = t.fields[0].name + "=" +
                    PercentEncode(FormatValue(want.fields[0])) + "&" +
                    t.fields[1].name + "=" +
                    PercentEncode(FormatValue(want.fields[1]));
    std::vector<std::string> got = api.AllUuids("/api/" + t.name, q);
    std::size_t expected = 0;
    for (const Record& r : rs)
      if (r.fields[0] == want.fields[0] && r.fields[1] == want.fields[1])
        ++expected;
    // Other tests' parents may add records; count only ours.
    std::size_t ours = 0;
    for (const Record& r : rs)
      if (std::count(got.begin(), got.end(), r.uuid.ToString())) ++ours;
    BOOST_TEST(ours == expected, t.name << "?" << q);
  }
}

BOOST_AUTO_TEST_CASE(listing_pages_through_the_whole_table) {
  Api api;
  for (const TableDesc& t : S().tables) {
    std::set<std::string> inserted;
    for (int i = 0; i < 7; ++i) inserted.insert(api.Insert(t).uuid.ToString());
    // Inserting children made parents too; the listing must hold exactly
    // what the table holds.
    auto count = Table(api.env.env(), t).Count();
    BOOST_TEST_REQUIRE(count.ok());
    std::vector<std::string> got = api.AllUuids("/api/" + t.name, "limit=2");
    std::set<std::string> unique(got.begin(), got.end());
    BOOST_TEST(unique.size() == got.size(), t.name << ": a record twice");
    BOOST_TEST(got.size() == count.value());
    for (const std::string& u : inserted) BOOST_TEST(unique.count(u) == 1u);
  }
}

BOOST_AUTO_TEST_CASE(page_parameters_are_checked) {
  Api api;
  const TableDesc& t = S().tables.front();
  api.Insert(t);
  const std::string path = "/api/" + t.name;
  for (const char* bad : {"limit=0", "limit=1001", "limit=x", "limit=",
                          "limit=-1", "limit=1.5", "limit=1&limit=2"}) {
    api.Call("GET", path, bad);
    api.ExpectProblem(400, "invalid-argument", "limit");
  }
  api.Call("GET", path, "limit=1000");
  BOOST_TEST(api.resp.status == 200);
  for (const char* bad : {"after=", "after=***", "after=A", "after=AAAA%3D",
                          "after=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    api.Call("GET", path, bad);
    api.ExpectProblem(400, "invalid-argument", "after");
  }
}

BOOST_AUTO_TEST_CASE(unknown_or_repeated_query_parameters_are_refused) {
  Api api;
  const TableDesc& t = S().tables.front();
  const std::string path = "/api/" + t.name;
  api.Call("GET", path, "no_such_field=1");
  api.ExpectProblem(400, "invalid-argument", "no_such_field");
  const std::string& f = t.fields.front().name;
  api.Call("GET", path, f + "=a&" + f + "=b");
  api.ExpectProblem(400, "invalid-argument", f);
  api.Call("GET", path, "x=%ZZ");
  api.ExpectProblem(400, "invalid-argument", "x");
  api.Call("GET", path, "x=%FF");
  api.ExpectProblem(400, "invalid-argument", "x");
  // A value that does not parse as the field's type names the field.
  for (const FieldDesc& fd : t.fields) {
    if (fd.type == FieldType::STRING) continue;
    api.Call("GET", path, fd.name + "=%E2%82%AC");
    api.ExpectProblem(400, "invalid-argument", fd.name);
  }
}

BOOST_AUTO_TEST_CASE(replace_bumps_the_revision_and_checks_it) {
  Api api;
  for (const TableDesc& t : S().tables) {
    Record r = api.Insert(t);
    const std::string id = r.uuid.ToString();
    Uuid parent;
    if (t.link_field >= 0) parent = std::get<Uuid>(r.fields[t.link_field]);
    Record next = api.Make(t, parent);
    const std::string body = BodyFor(next, t);

    api.Call("PUT", "/api/" + t.name + "/" + id, "", body);
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    BOOST_TEST(api.resp.etag == "\"2\"");
    rapidjson::Document d = api.Json();
    BOOST_TEST(d["uuid"].GetString() == id);
    BOOST_TEST(d["revision"].GetUint64() == 2u);
    BOOST_TEST(ResponseFields(d) == body);
    api.Call("GET", "/api/" + t.name + "/" + id);
    BOOST_TEST(ResponseFields(api.Json()) == body);

    // Alias, with the current revision in If-Match.
    api.Call("PUT", "/api/" + t.name + "/update/" + id, "", body,
             "application/json", "\"2\"");
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    BOOST_TEST(api.resp.etag == "\"3\"");

    // Stale revisions: If-Match is a precondition (412), the body's
    // revision a conflict (409).
    api.Call("PUT", "/api/" + t.name + "/" + id, "", body,
             "application/json", "\"2\"");
    api.ExpectProblem(412, "precondition-failed", "If-Match");
    std::string with_rev = body.substr(0, body.size() - 1) + ",\"revision\":1}";
    api.Call("PUT", "/api/" + t.name + "/" + id, "", with_rev);
    api.ExpectProblem(409, "conflict");
    std::string with_cur = body.substr(0, body.size() - 1) + ",\"revision\":3}";
    api.Call("PUT", "/api/" + t.name + "/" + id, "", with_cur);
    BOOST_TEST(api.resp.status == 200, api.resp.body);

    // The uuid in a body must be the path's.
    std::string same = body.substr(0, body.size() - 1) + ",\"uuid\":\"" + id + "\"}";
    api.Call("PUT", "/api/" + t.name + "/" + id, "", same);
    BOOST_TEST(api.resp.status == 200, api.resp.body);
    Uuid other = r.uuid;
    other.bytes[15] ^= 1;
    std::string moved = body.substr(0, body.size() - 1) + ",\"uuid\":\"" +
                        other.ToString() + "\"}";
    api.Call("PUT", "/api/" + t.name + "/" + id, "", moved);
    api.ExpectProblem(400, "invalid-argument", "uuid");

    // A weak tag never matches (strong comparison); a non-tag is malformed.
    api.Call("PUT", "/api/" + t.name + "/" + id, "", body, "application/json",
             "W/\"5\"");
    api.ExpectProblem(412, "precondition-failed", "If-Match");
    api.Call("PUT", "/api/" + t.name + "/" + id, "", body, "application/json",
             "5");
    api.ExpectProblem(400, "invalid-argument", "If-Match");
    api.Call("PUT", "/api/" + t.name + "/" + id, "", body, "application/json",
             "*");
    BOOST_TEST(api.resp.status == 200, api.resp.body);

    api.Call("PUT", "/api/" + t.name + "/" + other.ToString(), "", body);
    api.ExpectProblem(404, "not-found");
  }
}

BOOST_AUTO_TEST_CASE(delete_is_204_then_404) {
  Api api;
  for (const TableDesc& t : S().tables) {
    for (std::string prefix : {"/api/" + t.name + "/", "/api/" + t.name + "/delete/"}) {
      Record r = api.Insert(t);
      const std::string id = r.uuid.ToString();
      api.Call("DELETE", prefix + id, "", "", "", "\"7\"");
      api.ExpectProblem(412, "precondition-failed", "If-Match");
      api.Call("DELETE", prefix + id, "", "", "", "\"1\"");
      BOOST_TEST(api.resp.status == 204, api.resp.body);
      BOOST_TEST(api.resp.body.empty());
      BOOST_TEST(api.resp.content_type.empty());
      api.Call("DELETE", prefix + id);
      api.ExpectProblem(404, "not-found");
      api.Call("GET", "/api/" + t.name + "/" + id);
      api.ExpectProblem(404, "not-found");
    }
  }
}

BOOST_AUTO_TEST_CASE(children_are_listed_paged_and_deleted_with_the_parent) {
  Api api;
  const TableDesc* child = FirstChildTable();
  BOOST_TEST_REQUIRE(child != nullptr);
  const TableDesc& parent = S().tables[child->parent];
  Record p = api.Insert(parent);
  Record other = api.Insert(parent);
  std::set<std::string> kids;
  for (int i = 0; i < 5; ++i)
    kids.insert(api.InsertUnder(*child, p.uuid).uuid.ToString());
  api.InsertUnder(*child, other.uuid);

  const std::string path =
      "/api/" + parent.name + "/" + p.uuid.ToString() + "/" + child->name;
  std::vector<std::string> got = api.AllUuids(path, "limit=2");
  BOOST_TEST((std::set<std::string>(got.begin(), got.end()) == kids));
  BOOST_TEST(got.size() == kids.size());

  api.Call("GET", path, "bogus=1");
  api.ExpectProblem(400, "invalid-argument", "bogus");
  Uuid missing = p.uuid;
  missing.bytes[15] ^= 0x55;
  api.Call("GET", "/api/" + parent.name + "/" + missing.ToString() + "/" +
                      child->name);
  api.ExpectProblem(404, "not-found");

  api.Call("DELETE", "/api/" + parent.name + "/" + p.uuid.ToString());
  BOOST_TEST_REQUIRE(api.resp.status == 204);
  for (const std::string& k : kids) {
    api.Call("GET", "/api/" + child->name + "/" + k);
    api.ExpectProblem(404, "not-found");
  }
}

BOOST_AUTO_TEST_CASE(a_link_to_no_record_is_422) {
  Api api;
  for (const TableDesc& t : S().tables) {
    if (t.parent < 0) continue;
    Uuid nobody;
    nobody.bytes[0] = 0x7e;
    api.Call("POST", "/api/" + t.name, "", BodyFor(api.Make(t, nobody), t));
    api.ExpectProblem(422, "missing-parent", t.fields[t.link_field].name);
  }
}

BOOST_AUTO_TEST_CASE(unique_keys_are_409) {
  Api api;
  bool any = false;
  for (const TableDesc& t : S().tables) {
    // The same body twice collides on every UNIQUE index; the first one
    // (indexes are written in schema order) is named: by its field when it
    // has one, else by the index's name.
    const IndexDesc* first = nullptr;
    for (const IndexDesc& i : t.indexes)
      if (i.kind == IndexKind::UNIQUE && first == nullptr) first = &i;
    if (first == nullptr) continue;
    any = true;
    const std::string field = first->key_fields.size() == 1
                                  ? t.fields[first->key_fields[0]].name
                                  : first->name;
    Record r = api.Insert(t);
    api.Call("POST", "/api/" + t.name, "", BodyFor(r, t));
    api.ExpectProblem(409, "unique-violation", field);
  }
  if (!any) BOOST_TEST_MESSAGE("no UNIQUE index in this schema");
}

BOOST_AUTO_TEST_CASE(range_walks_every_range_index_in_order) {
  Api api;
  for (const TableDesc& t : S().tables) {
    for (const IndexDesc& index : t.indexes) {
      if (index.kind != IndexKind::RANGE) continue;
      int f = index.key_fields.front();
      const std::string& name = t.fields[f].name;
      std::vector<Record> rs;
      for (int i = 0; i < 6; ++i) rs.push_back(api.Insert(t));
      // Nulls are never in a range (key_codec.h).
      std::erase_if(rs, [f](const Record& r) { return IsNull(r.fields[f]); });
      BOOST_TEST_REQUIRE(!rs.empty());
      auto [lo, hi] = std::minmax_element(
          rs.begin(), rs.end(),
          [f](const Record& a, const Record& b) { return a.fields[f] < b.fields[f]; });
      const std::string path = "/api/" + t.name + "/range";
      std::string q = "field=" + name + "&from=" +
                      PercentEncode(FormatValue(lo->fields[f])) + "&to=" +
                      PercentEncode(FormatValue(hi->fields[f]));
      std::vector<std::string> got = api.AllUuids(path, q + "&limit=2");
      for (const Record& r : rs)
        BOOST_TEST(std::count(got.begin(), got.end(), r.uuid.ToString()) == 1,
                   t.name << " " << q);
      // Ascending by the field: check one full page's order.
      api.Call("GET", path, q + "&limit=1000");
      BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
      BOOST_TEST(!api.resp.query_plan.empty());
      rapidjson::Document d = api.Json();
      std::vector<Value> seen;
      for (const auto& rec : d["records"].GetArray()) {
        const rapidjson::Value& v = rec[name.c_str()];
        std::string text = v.IsString() ? v.GetString() : Serialize(v);
        auto parsed = ParseValue(t.fields[f].type, text, name);
        BOOST_TEST_REQUIRE(parsed.ok(), text);
        seen.push_back(parsed.value());
      }
      BOOST_TEST(std::is_sorted(seen.begin(), seen.end()), t.name << " " << q);
      // Open-ended bounds.
      api.Call("GET", path, "field=" + name);
      BOOST_TEST(api.resp.status == 200, api.resp.body);
      api.Call("GET", path, "field=" + name + "&from=" +
                                PercentEncode(FormatValue(hi->fields[f])));
      BOOST_TEST(api.resp.status == 200, api.resp.body);
      api.Call("GET", path, "field=" + name + "&to=nonsense");
      api.ExpectProblem(400, "invalid-argument", "to");
    }
  }
}

BOOST_AUTO_TEST_CASE(range_needs_a_range_indexed_field) {
  Api api;
  for (const TableDesc& t : S().tables) {
    const std::string path = "/api/" + t.name + "/range";
    bool has_range = false;
    for (const IndexDesc& i : t.indexes) has_range |= i.kind == IndexKind::RANGE;
    if (!has_range) {  // the route could only refuse: it is none
      api.Call("GET", path, "field=x");
      api.ExpectProblem(404, "no-route");
      continue;
    }
    api.Call("GET", path, "");
    api.ExpectProblem(400, "invalid-argument", "field");
    api.Call("GET", path, "field=no_such_field");
    api.ExpectProblem(400, "invalid-argument", "field");
    api.Call("GET", path, "field=x&bogus=1");
    api.ExpectProblem(400, "invalid-argument", "bogus");
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      bool ranged = false;
      for (const IndexDesc& i : t.indexes)
        ranged |= i.kind == IndexKind::RANGE && i.key_fields.front() == int(f);
      if (ranged) continue;
      api.Call("GET", path, "field=" + t.fields[f].name);
      BOOST_TEST(api.resp.status == 400, t.name << "." << t.fields[f].name);
    }
  }
}

BOOST_AUTO_TEST_CASE(bodies_must_be_present_json_objects) {
  Api api;
  const TableDesc& t = S().tables.front();
  const std::string path = "/api/" + t.name;
  std::string good = BodyFor(api.Make(t), t);
  api.Call("POST", path, "", "");
  api.ExpectProblem(400, "missing-body");
  api.Call("POST", path, "", good, "text/plain");
  api.ExpectProblem(415, "unsupported-media-type");
  api.Call("POST", path, "", good, "");
  api.ExpectProblem(415, "unsupported-media-type");
  api.Call("POST", path, "", good, "application/json; charset=latin1");
  api.ExpectProblem(415, "unsupported-media-type");
  api.Call("POST", path, "", good, "Application/JSON ; charset=\"UTF-8\"");
  BOOST_TEST(api.resp.status == 201, api.resp.body);
  api.Call("POST", path, "", "{\"" + t.fields.front().name + "\":");
  api.ExpectProblem(400, "invalid-argument");
  BOOST_TEST(api.Json()["detail"].GetString() ==
                 "malformed JSON at offset " +
                     std::to_string(t.fields.front().name.size() + 4) +
                     ": Invalid value.",
             api.resp.body);
  api.Call("POST", path, "", "[1,2]");
  api.ExpectProblem(400, "invalid-argument");
  api.Call("POST", path, "", "{\"uuid\":\"x\"}");
  api.ExpectProblem(400, "invalid-argument", "uuid");
  api.Call("POST", path, "limit=1", good);
  api.ExpectProblem(400, "invalid-argument", "limit");
}

BOOST_AUTO_TEST_CASE(strings_over_their_limit_are_400_naming_the_field) {
  Api api;
  api.services.max_string_bytes = 30;  // MAX_STRING_BYTES=30
  int checked = 0;
  for (const TableDesc& t : S().tables) {
    const Record stored = api.Insert(t);
    const std::string path = "/api/" + t.name;
    const std::string record_path = path + "/" + stored.uuid.ToString();
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDesc& f = t.fields[i];
      if (f.type != FieldType::STRING) continue;
      const std::size_t limit = StringLimit(f, 30);
      const std::string at = std::string(limit - 1, 'x') + "y";
      // limit + 1 bytes: the last character is two bytes, one too many.
      const std::string over = std::string(limit - 1, 'x') + "\xc3\xa9";
      const std::string detail =
          f.name + ": " + std::to_string(limit + 1) + " bytes, more than the " +
          std::to_string(limit) + " this field may hold (" +
          (f.max_bytes != 0 ? "MAX_BYTES in the schema" : "MAX_STRING_BYTES") +
          ")";
      BOOST_TEST_CONTEXT(t.name << "." << f.name << " limit " << limit) {
        Record r = stored;
        r.fields[i] = over;
        api.Call("POST", path, "", BodyFor(r, t));
        api.ExpectProblem(400, "invalid-argument", f.name);
        BOOST_TEST(api.Json()["detail"].GetString() == detail);
        api.Call("PUT", record_path, "", BodyFor(r, t));
        api.ExpectProblem(400, "invalid-argument", f.name);
        BOOST_TEST(api.Json()["detail"].GetString() == detail);
        api.Call("GET", path, f.name + "=" + PercentEncode(over));
        api.ExpectProblem(400, "invalid-argument", f.name);
        BOOST_TEST(api.Json()["detail"].GetString() == detail);
        // Exactly the limit is stored and found.
        r.fields[i] = at;
        api.Call("PUT", record_path, "", BodyFor(r, t));
        BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
        BOOST_TEST(api.Json()[f.name.c_str()].GetString() == at);
        BOOST_TEST(api.AllUuids(path, f.name + "=" + PercentEncode(at)) ==
                   std::vector<std::string>{stored.uuid.ToString()});
        api.Call("PUT", record_path, "", BodyFor(stored, t));  // as it was
        BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 0);
}

BOOST_AUTO_TEST_CASE(routing_errors_are_404_and_405_with_allow) {
  Api api;
  api.Call("GET", "/api/no_such_table");
  api.ExpectProblem(404, "no-route");
  api.Call("GET", "/nothing/here");
  api.ExpectProblem(404, "no-route");
  const std::string path = "/api/" + S().tables.front().name;
  api.Call("PATCH", path);
  api.ExpectProblem(405, "method-not-allowed");
  BOOST_TEST(api.resp.allow == "GET, HEAD, POST, OPTIONS");
  api.Call("GET", path + "/insert-record");
  api.ExpectProblem(405, "method-not-allowed");
  BOOST_TEST(api.resp.allow == "POST, OPTIONS");
}

BOOST_AUTO_TEST_CASE(options_answers_allow_on_every_route_and_404_elsewhere) {
  Api api;
  const std::string path = "/api/" + S().tables.front().name;
  const std::string uuid = "0190a5c4-7e2b-7c3d-8e4f-0123456789ab";
  struct Case { std::string path, allow; };
  for (const Case& c : {Case{path, "GET, HEAD, POST, OPTIONS"},
                        Case{path + "/" + uuid, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"},
                        Case{path + "/update/" + uuid, "PUT, PATCH, OPTIONS"},
                        Case{"/api/health", "GET, HEAD, OPTIONS"}}) {
    api.Call("OPTIONS", c.path);
    BOOST_TEST(api.resp.status == 204, c.path << ": " << api.resp.body);
    BOOST_TEST(api.resp.allow == c.allow, c.path);
    BOOST_TEST(api.resp.body.empty(), c.path);
  }
  api.Call("OPTIONS", "/api/no_such_table");
  api.ExpectProblem(404, "no-route");
}

BOOST_AUTO_TEST_CASE(hostile_input_never_gives_a_5xx) {
  Api api;
  std::mt19937 rng(kSeed);
  const char* methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", ""};
  const char* pieces[] = {"/api/", "/", "range", "insert-record", "update",
                          "delete", "get-record", "0190a5c4-7e2b-7c3d-8e4f-0123456789ab",
                          "%", "%FF", "..", "\xff", "\0"};
  std::vector<std::string> paths;
  for (const TableDesc& t : S().tables) paths.push_back("/api/" + t.name);
  for (int i = 0; i < 3000; ++i) {
    std::string path = paths[rng() % paths.size()];
    for (int k = rng() % 4; k > 0; --k) {
      path += "/";
      path += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    }
    std::string query, body;
    for (int k = rng() % 6; k > 0; --k) query.push_back(static_cast<char>(rng()));
    for (int k = rng() % 40; k > 0; --k) body.push_back(static_cast<char>(rng() % 128));
    if (rng() % 2) body = "{" + body;
    api.Call(methods[rng() % 7], path, query, body);
    BOOST_TEST_REQUIRE(api.resp.status < 500,
                       "seed " << kSeed << " i=" << i << ": " << api.resp.body);
    if (api.resp.status != 204) {
      rapidjson::Document d;
      d.Parse<rapidjson::kParseValidateEncodingFlag>(api.resp.body.c_str());
      BOOST_TEST_REQUIRE(!d.HasParseError(), "seed " << kSeed << " i=" << i);
    }
  }
}

BOOST_AUTO_TEST_CASE(patch_sets_the_named_field_keeps_the_others_and_answers_its_etag) {
  Api api;
  for (const TableDesc& t : S().tables) {
    for (std::string prefix :
         {"/api/" + t.name + "/", "/api/" + t.name + "/update/"}) {
      for (std::string_view type :
           {"application/merge-patch+json", "application/json; charset=utf-8"}) {
        Record r = api.Insert(t);
        const std::string id = r.uuid.ToString();
        const int f = FieldWhere(t, true) >= 0 ? FieldWhere(t, true)
                                               : FieldWhere(t, false);
        BOOST_TEST_REQUIRE(f >= 0);
        Record next = r;
        next.fields[f] = api.Make(t).fields[f];
        api.Call("PATCH", prefix + id, "", MemberJson(next, t, f), type);
        BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
        BOOST_TEST(api.resp.etag == "\"2\"");
        rapidjson::Document d = api.Json();
        BOOST_TEST(d["revision"].GetUint64() == 2u);
        BOOST_TEST(ResponseFields(d) == BodyFor(next, t));
        api.Call("GET", "/api/" + t.name + "/" + id);
        BOOST_TEST(ResponseFields(api.Json()) == BodyFor(next, t));
        // An empty patch is a write too: the revision moves.
        api.Call("PATCH", prefix + id, "", "{}", type);
        BOOST_TEST(api.resp.status == 200, api.resp.body);
        BOOST_TEST(api.resp.etag == "\"3\"");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(patch_refuses_what_a_merge_patch_cannot_say) {
  Api api;
  for (const TableDesc& t : S().tables) {
    Record r = api.Insert(t);
    const std::string path = "/api/" + t.name + "/" + r.uuid.ToString();
    api.Call("PATCH", path, "", "{\"no_such_field\":1}");
    api.ExpectProblem(400, "invalid-argument", "no_such_field");
    const std::string& first = t.fields[0].name;
    std::string member = MemberJson(r, t, 0);
    std::string twice = member.substr(0, member.size() - 1) + "," +
                        member.substr(1);
    api.Call("PATCH", path, "", twice);
    api.ExpectProblem(400, "invalid-argument", first);
    api.Call("PATCH", path, "", "[]");
    api.ExpectProblem(400, "invalid-argument");
    api.Call("PATCH", path, "", "\"x\"");
    api.ExpectProblem(400, "invalid-argument");
    api.Call("PATCH", path, "", "{\"uuid\":\"" + r.uuid.ToString() + "\"}");
    api.ExpectProblem(400, "invalid-argument", "uuid");
    if (int req = FieldWhere(t, true); req >= 0) {
      api.Call("PATCH", path, "", "{\"" + t.fields[req].name + "\":null}");
      api.ExpectProblem(400, "invalid-argument", t.fields[req].name);
    }
    api.Call("PATCH", path, "", "{}", "text/plain");
    api.ExpectProblem(415, "unsupported-media-type");
    api.Call("PATCH", path, "", "");
    api.ExpectProblem(400, "missing-body");
    Uuid other = r.uuid;
    other.bytes[15] ^= 1;
    api.Call("PATCH", "/api/" + t.name + "/" + other.ToString(), "", "{}");
    api.ExpectProblem(404, "not-found");
    // Nothing above wrote.
    api.Call("GET", path);
    BOOST_TEST(api.resp.etag == "\"1\"");
  }
}

BOOST_AUTO_TEST_CASE(patch_null_gives_an_optional_field_its_default) {
  Api api;
  bool tried = false;
  for (const TableDesc& t : S().tables) {
    const int f = FieldWhere(t, false);
    if (f < 0) continue;
    tried = true;
    Record r = api.Insert(t);
    api.Call("PATCH", "/api/" + t.name + "/" + r.uuid.ToString(), "",
             "{\"" + t.fields[f].name + "\":null}");
    BOOST_TEST_REQUIRE(api.resp.status == 200, api.resp.body);
    Record want = r;
    want.fields[f] = t.fields[f].default_value;
    BOOST_TEST(ResponseFields(api.Json()) == BodyFor(want, t));
  }
  BOOST_TEST(tried, "the schema has an optional field");
}

BOOST_AUTO_TEST_CASE(patch_preconditions_are_409_from_the_body_and_412_from_if_match) {
  Api api;
  const TableDesc& t = S().tables.front();
  Record r = api.Insert(t);
  const std::string path = "/api/" + t.name + "/" + r.uuid.ToString();
  api.Call("PATCH", path, "", "{\"revision\":5}");
  api.ExpectProblem(409, "conflict");
  BOOST_TEST(std::string(api.Json()["detail"].GetString()).find("at revision 1") !=
                 std::string::npos,
             api.resp.body);
  api.Call("PATCH", path, "", "{}", "application/json", "\"5\"");
  api.ExpectProblem(412, "precondition-failed", "If-Match");
  api.Call("PATCH", path, "", "{}", "application/json", "W/\"1\"");
  api.ExpectProblem(412, "precondition-failed", "If-Match");
  api.Call("PATCH", path, "", "{}", "application/json", "\"1");
  api.ExpectProblem(400, "invalid-argument", "If-Match");
  // A weak tag fails If-Match (412) even beside a body revision.
  api.Call("PATCH", path, "", "{\"revision\":1}", "application/json", "W/\"1\"");
  api.ExpectProblem(412, "precondition-failed", "If-Match");
  api.Call("PATCH", path, "", "{\"revision\":1}", "application/json", "\"1\"");
  BOOST_TEST(api.resp.status == 200, api.resp.body);
  // A list: any listed revision will do.
  api.Call("PATCH", path, "", "{}", "application/json", "\"9\", W/\"2\", \"2\"");
  BOOST_TEST(api.resp.status == 200, api.resp.body);
  api.Call("PATCH", path, "", "{}", "application/json", "\"3\",\"4\"");
  BOOST_TEST(api.resp.status == 200, api.resp.body);
  api.Call("PATCH", path, "", "{}", "application/json", "\"3\",\"9\"");
  api.ExpectProblem(412, "precondition-failed", "If-Match");
  api.Call("PATCH", path, "", "{}", "application/json", "*");
  BOOST_TEST(api.resp.status == 200, api.resp.body);
  BOOST_TEST(api.resp.etag == "\"5\"");
}

BOOST_AUTO_TEST_CASE(get_with_a_matching_if_none_match_is_304_without_a_body) {
  Api api;
  for (const TableDesc& t : S().tables) {
    Record r = api.Insert(t);
    const std::string path = "/api/" + t.name + "/" + r.uuid.ToString();
    for (std::string_view method : {"GET", "HEAD"}) {
      for (const char* tag : {"\"1\"", "W/\"1\"", "*", "\"7\", \"1\""}) {
        api.if_none_match = tag;
        api.Call(method, path);
        BOOST_TEST(api.resp.status == 304, tag << ": " << api.resp.body);
        BOOST_TEST(api.resp.etag == "\"1\"");
        BOOST_TEST(api.resp.body.empty());
        BOOST_TEST(api.resp.content_type.empty());
      }
      api.if_none_match = "\"2\"";
      api.Call(method, path);
      BOOST_TEST(api.resp.status == 200, api.resp.body);
      BOOST_TEST(api.resp.etag == "\"1\"");
      api.if_none_match = "1";
      api.Call(method, path);
      api.ExpectProblem(400, "invalid-argument", "If-None-Match");
    }
    api.if_none_match.clear();
  }
}

BOOST_AUTO_TEST_CASE(a_keyed_write_is_replayed_refused_when_reused_or_in_flight) {
  Api api;
  const TableDesc& t = S().tables.front();
  const std::string body = BodyFor(api.Make(t), t);
  api.idempotency_key = "\"handlers-1\"";
  api.Call("POST", "/api/" + t.name, "", body);
  BOOST_TEST_REQUIRE(api.resp.status == 201, api.resp.body);
  BOOST_TEST(!api.resp.idempotent_replayed);
  const std::string first = api.resp.body, location = api.resp.location;
  api.Call("POST", "/api/" + t.name, "", body);
  BOOST_TEST(api.resp.status == 201);
  BOOST_TEST(api.resp.idempotent_replayed);
  BOOST_TEST(api.resp.body == first);
  BOOST_TEST(api.resp.location == location);
  BOOST_TEST(api.resp.content_type == http::kJsonContentType);
  // Another body under the same key.
  api.Call("POST", "/api/" + t.name, "", BodyFor(api.Make(t), t));
  BOOST_TEST(api.resp.status == 422);
  BOOST_TEST(api.Json()["type"].GetString() ==
             std::string("urn:lmdb-api:problem:idempotency-key-reused"));
  // A key whose first request this process is still writing.
  BOOST_TEST_REQUIRE(http::KeysInFlight::Process().Claim(&api.env.env(), "handlers-2"));
  api.idempotency_key = "\"handlers-2\"";
  const std::string body2 = BodyFor(api.Make(t), t);
  api.Call("POST", "/api/" + t.name, "", body2);
  http::KeysInFlight::Process().Release(&api.env.env(), "handlers-2");
  BOOST_TEST(api.resp.status == 409);
  BOOST_TEST(api.Json()["field"].GetString() == std::string("Idempotency-Key"));
  api.Call("POST", "/api/" + t.name, "", body2);
  BOOST_TEST(api.resp.status == 201, api.resp.body);
  // Not an sf-string.
  api.idempotency_key = "handlers-3";
  api.Call("POST", "/api/" + t.name, "", body);
  BOOST_TEST(api.resp.status == 400);
  BOOST_TEST(api.Json()["field"].GetString() == std::string("Idempotency-Key"));
}

BOOST_AUTO_TEST_CASE(a_failed_batch_names_its_operation_and_writes_nothing) {
  Api api;
  const TableDesc& t = S().tables.front();
  const std::string insert = "{\"op\":\"insert\",\"table\":\"" + t.name +
                             "\",\"record\":" + BodyFor(api.Make(t), t) + "}";
  const std::string missing = "{\"op\":\"delete\",\"table\":\"" + t.name +
                              "\",\"uuid\":\"" + Uuid::New().ToString() + "\"}";
  api.Call("POST", "/api/batch", "",
           "{\"operations\":[" + insert + "," + missing + "]}");
  BOOST_TEST(api.resp.status == 404, api.resp.body);
  BOOST_TEST(api.Json()["operation"].GetInt() == 1);
  BOOST_TEST(api.AllUuids("/api/" + t.name, "").empty());
  api.Call("POST", "/api/batch", "", "{\"operations\":[" + insert + "]}");
  BOOST_TEST(api.resp.status == 200, api.resp.body);
  BOOST_TEST(api.Json()["results"][0]["status"].GetInt() == 201);
  BOOST_TEST(api.AllUuids("/api/" + t.name, "").size() == 1u);
  api.Call("POST", "/api/batch", "", "{\"operations\":[" + insert + "]}",
           "text/plain");
  BOOST_TEST(api.resp.status == 415);
}

BOOST_AUTO_TEST_SUITE_END()
