// SPDX-License-Identifier: Apache-2.0
// tests/e2e/api.cc - see api.h.

#include "api.h"

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "harness.h"

namespace lmdbapi::e2e {

std::string TablePath(const TableDesc& t) { return "/api/" + t.name; }

std::string RecordPath(const TableDesc& t, std::string_view uuid) {
  return TablePath(t) + "/" + std::string(uuid);
}

std::string WithParam(std::string path, std::string_view name,
                      std::string_view value) {
  path += path.find('?') == std::string::npos ? '?' : '&';
  if (path.back() != '?' && path.back() != '&') path += '&';
  return path + UrlEncode(name) + "=" + UrlEncode(value);
}

std::string FilterQuery(const TableDesc& t, const FieldFilter& filters) {
  std::string out;
  for (const auto& [field, value] : filters) {
    if (!out.empty()) out += '&';
    out += UrlEncode(t.fields[field].name) + "=" +
           UrlEncode(QueryText(t.fields[field].type, value));
  }
  return out;
}

Rec InsertOk(HttpClient& http, const TableDesc& t, Rec want, bool alias,
             const std::set<int>& omit) {
  const std::string path = alias ? TablePath(t) : TablePath(t) + "/insert-record";
  const std::string body = BodyJson(t, want, omit);
  for (int f : omit)
    if (!t.fields[f].required) want.fields[f] = DefaultOf(t.fields[f]);
  return InsertBodyOk(http, t, path, body, std::move(want));
}

Rec InsertBodyOk(HttpClient& http, const TableDesc& t, const std::string& path,
                 const std::string& body, Rec want) {
  Response r = http.Post(path, body);
  BOOST_TEST_REQUIRE(r.status == 201, "insert into " << t.name
                                          << " should answer 201; got "
                                          << r.Describe());
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST_REQUIRE(!d.HasParseError(), "insert answer is not JSON: " << r.Describe());
  std::string error;
  std::optional<Rec> got = RecFromJson(t, d, &error);
  BOOST_TEST_REQUIRE(got.has_value(), error << " in " << r.Describe());
  BOOST_TEST(IsUuidV7(got->uuid), "uuid " << got->uuid
                                          << " should be a lower-case v7 uuid");
  want.revision = 1;
  BOOST_TEST(Mismatch(t, want, *got) == "",
             "inserted " << t.name << " should read back as sent: "
                         << Mismatch(t, want, *got));
  const std::string location = r.Header("Location");
  const std::string want_path = RecordPath(t, got->uuid);
  const bool location_ok =
      location == want_path ||
      (location.rfind("http", 0) == 0 && location.size() > want_path.size() &&
       location.compare(location.size() - want_path.size(), std::string::npos,
                        want_path) == 0);
  BOOST_TEST(location_ok, "Location should be " << want_path << "; got \""
                                                << location << "\"");
  want.uuid = got->uuid;
  return want;
}

std::string MakeParent(HttpClient& http, const TableDesc& t) {
  if (t.is_main()) return std::string();
  return InsertGenerated(http, TheSchema().tables[t.parent]).uuid;
}

Rec InsertGenerated(HttpClient& http, const TableDesc& t,
                    const std::string& parent) {
  const std::string link =
      parent.empty() && !t.is_main() ? MakeParent(http, t) : parent;
  return InsertOk(http, t, GenRecord(t, NextN(), link));
}

Page ParsePage(const TableDesc& t, const Response& r) {
  Page page;
  rapidjson::Document d = ParseJson(r.body);
  if (d.HasParseError() || !d.IsObject()) {
    page.error = "listing is not a JSON object";
    return page;
  }
  const rapidjson::Value* records = JsonMember(d, "records");
  if (records == nullptr || !records->IsArray()) {
    page.error = "listing has no \"records\" array";
    return page;
  }
  for (const auto& v : records->GetArray()) {
    std::optional<Rec> rec = RecFromJson(t, v, &page.error);
    if (!rec) return page;
    page.records.push_back(std::move(*rec));
  }
  const rapidjson::Value* next = JsonMember(d, "next");
  if (next == nullptr) {
    page.error = "listing has no \"next\" member (string or null)";
  } else if (next->IsString()) {
    page.next = std::string(next->GetString(), next->GetStringLength());
  } else if (!next->IsNull()) {
    page.error = "listing's \"next\" is neither a string nor null";
  }
  return page;
}

Listing ListAll(HttpClient& http, const TableDesc& t, const std::string& path,
                int limit) {
  Listing out;
  std::optional<std::string> after;
  const std::string base = WithParam(path, "limit", std::to_string(limit));
  for (;;) {
    Response r = http.Get(after ? WithParam(base, "after", *after) : base);
    if (r.status != 200) {
      out.error = "page " + std::to_string(out.pages + 1) + ": " + r.Describe();
      return out;
    }
    if (out.pages == 0) out.plan = r.Header("X-Query-Plan");
    ++out.pages;
    Page page = ParsePage(t, r);
    if (!page.error.empty()) {
      out.error = page.error + " in " + r.Describe();
      return out;
    }
    if (page.records.size() > static_cast<std::size_t>(limit)) {
      out.error = "a page held " + std::to_string(page.records.size()) +
                  " records; limit was " + std::to_string(limit);
      return out;
    }
    for (Rec& rec : page.records) out.records.push_back(std::move(rec));
    if (!page.next) break;
    if (after && *page.next == *after) {
      out.error = "next did not advance: " + *after;
      return out;
    }
    if (out.pages > 100000) {
      out.error = "more than 100000 pages";
      return out;
    }
    after = page.next;
  }
  out.ok = true;
  return out;
}

std::vector<std::size_t> TableCounts(HttpClient& http) {
  std::vector<std::size_t> counts;
  for (const TableDesc& t : TheSchema().tables) {
    Listing all = ListAll(http, t, TablePath(t));
    BOOST_TEST(all.ok, "listing " << t.name << ": " << all.error);
    counts.push_back(all.records.size());
  }
  return counts;
}

void CheckProblem(const Response& r, long status, std::string_view field) {
  BOOST_TEST_CONTEXT(r.Describe()) {
    BOOST_TEST(r.status == status, "expected HTTP " << status);
    const std::string ct = r.Header("Content-Type");
    BOOST_TEST(ct.rfind("application/problem+json", 0) == 0,
               "expected Content-Type application/problem+json; got \"" << ct
                                                                        << "\"");
    rapidjson::Document d = ParseJson(r.body);
    BOOST_TEST_REQUIRE((!d.HasParseError() && d.IsObject()),
                       "a problem body should be a JSON object");
    for (const char* member : {"type", "title", "detail"}) {
      const rapidjson::Value* m = JsonMember(d, member);
      BOOST_TEST((m != nullptr && m->IsString()),
                 "problem should have a string \"" << member << "\"");
    }
    const rapidjson::Value* s = JsonMember(d, "status");
    BOOST_TEST((s != nullptr && s->IsInt() && s->GetInt() == status),
               "problem's \"status\" should be " << status);
    if (!field.empty()) {
      const rapidjson::Value* f = JsonMember(d, "field");
      BOOST_TEST((f != nullptr && f->IsString() && std::string_view(f->GetString()) == field),
                 "problem's \"field\" should be \"" << field << "\"");
    }
  }
}

std::set<std::string> ExpectedPlans(const TableDesc& t,
                                    const std::set<int>& fields) {
  auto covered = [&](const IndexDesc& index) {
    std::size_t n = 0;
    while (n < index.key_fields.size() && fields.count(index.key_fields[n])) ++n;
    return n;
  };
  std::size_t best = 0;
  bool unique_best = false;
  for (const IndexDesc& index : t.indexes) best = std::max(best, covered(index));
  for (const IndexDesc& index : t.indexes)
    if (covered(index) == best && index.kind == IndexKind::UNIQUE)
      unique_best = true;
  if (best == 0) {
    if (t.link_field >= 0 && fields.count(t.link_field))
      return {"link " + t.links_db_name};
    return {"scan"};
  }
  std::set<std::string> out;
  for (const IndexDesc& index : t.indexes)
    if (covered(index) == best && (!unique_best || index.kind == IndexKind::UNIQUE))
      out.insert("index " + index.name);
  return out;
}

std::set<std::string> Uuids(const std::vector<Rec>& records) {
  std::set<std::string> out;
  for (const Rec& r : records) out.insert(r.uuid);
  return out;
}

std::set<std::string> Uuids(const Model& model) {
  std::set<std::string> out;
  for (const auto& [uuid, rec] : model) out.insert(uuid);
  return out;
}

std::set<std::string> Matching(const Model& model, const FieldFilter& filters) {
  std::set<std::string> out;
  for (const auto& [uuid, rec] : model) {
    bool all = true;
    for (const auto& [field, value] : filters)
      if (!ValEqual(rec.fields[field], value)) all = false;
    if (all) out.insert(uuid);
  }
  return out;
}

const TableDesc* FirstTableWith(FieldType type, int* field) {
  for (const TableDesc& t : TheSchema().tables)
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
      if (t.fields[f].type == type) {
        *field = f;
        return &t;
      }
  return nullptr;
}

int UnindexedStringField(const TableDesc& t) {
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
    if (t.fields[f].type == FieldType::STRING && !IsIndexKey(t, f)) return f;
  return -1;
}

const TableDesc& PaddableTable() {
  for (const TableDesc& t : TheSchema().tables)
    if (t.is_main() && UnindexedStringField(t) >= 0) return t;
  for (const TableDesc& t : TheSchema().tables)
    if (t.is_main()) return t;
  return TheSchema().tables.front();
}

Rec PaddedRecord(const TableDesc& t, std::size_t pad) {
  Rec rec = GenRecord(t, NextN());
  const int f = UnindexedStringField(t);
  if (pad > 0 && f >= 0)
    rec.fields[f] = std::get<std::string>(rec.fields[f]) + std::string(pad, 'p');
  return rec;
}

}  // namespace lmdbapi::e2e
