// SPDX-License-Identifier: Apache-2.0
// tests/e2e/patch_test.cc - PATCH (JSON Merge Patch) and the conditional
// headers through nginx, on every table of the compiled schema: If-Match
// (412), If-None-Match (304), and ETags that stay strong when the client
// asks for gzip.

#include <map>
#include <mutex>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr const char* kAbsentUuid = "01900000-0000-7000-8000-000000000000";
const Headers kMergePatch = {{"Content-Type", "application/merge-patch+json"}};

// The JSON object holding only `fields` of rec, as a merge patch sends
// them.
std::string PatchOf(const TableDesc& t, const Rec& rec,
                    const std::set<int>& fields) {
  rapidjson::Document all = ParseJson(BodyJson(t, rec));
  std::string out = "{";
  for (int f : fields) {
    const std::string& name = t.fields[f].name;
    rapidjson::Document one(rapidjson::kObjectType);
    one.AddMember(rapidjson::Value(name.c_str(), one.GetAllocator()),
                  rapidjson::Value(all[name.c_str()], one.GetAllocator()),
                  one.GetAllocator());
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    one.Accept(w);
    std::string member(buf.GetString() + 1, buf.GetSize() - 2);  // no braces
    if (out.size() > 1) out += ',';
    out += member;
  }
  return out + "}";
}

// Fields a patch may set to any generated value: not the parent link.
std::vector<int> PatchableFields(const TableDesc& t) {
  std::vector<int> out;
  for (std::size_t i = 0; i < t.fields.size(); ++i)
    if (!t.fields[i].is_parent_link) out.push_back(static_cast<int>(i));
  return out;
}

int FieldWhere(const TableDesc& t, bool required) {
  for (int f : PatchableFields(t))
    if (t.fields[f].required == required) return f;
  return -1;
}

// The problem's detail, or "".
std::string Detail(const Response& r) {
  rapidjson::Document d = ParseJson(r.body);
  const rapidjson::Value* detail = d.HasParseError() ? nullptr : JsonMember(d, "detail");
  return detail != nullptr && detail->IsString() ? detail->GetString() : "";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(patch, StackFixture)

BOOST_AUTO_TEST_CASE(patch_sets_one_field_keeps_the_others_and_bumps_the_revision) {
  for (const TableDesc& t : TheSchema().tables) {
    for (bool alias : {false, true}) {
      BOOST_TEST_CONTEXT("table " << t.name << (alias ? " PATCH /api/t/<uuid>"
                                                      : " PATCH /api/t/update/<uuid>")) {
        Rec rec = InsertGenerated(http(), t);
        const std::string path = alias ? RecordPath(t, rec.uuid)
                                       : TablePath(t) + "/update/" + rec.uuid;
        std::int64_t revision = 1;
        for (int f : PatchableFields(t)) {
          Rec next = rec;
          next.fields[f] = GenValue(t, f, NextN());
          next.revision = ++revision;
          Response r = http().Request("PATCH", path, PatchOf(t, next, {f}), kMergePatch);
          BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
          BOOST_TEST(r.Header("ETag") == "\"" + std::to_string(revision) + "\"");
          rapidjson::Document d = ParseJson(r.body);
          BOOST_TEST(Mismatch(t, next, d) == "", t.fields[f].name << ": " << Mismatch(t, next, d));
          Response got = http().Get(RecordPath(t, rec.uuid));
          BOOST_TEST(Mismatch(t, next, ParseJson(got.body)) == "");
          rec = next;
        }
        // application/json is a merge patch too; {} is a write.
        Response empty = http().Request("PATCH", path, "{}");
        BOOST_TEST(empty.status == 200, empty.Describe());
        BOOST_TEST(empty.Header("ETag") == "\"" + std::to_string(revision + 1) + "\"");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(patch_null_resets_an_optional_field_and_is_refused_on_a_required_one) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      const std::string path = RecordPath(t, rec.uuid);
      if (int f = FieldWhere(t, true); f >= 0) {
        Response r = http().Request("PATCH", path, "{\"" + t.fields[f].name + "\":null}",
                                    kMergePatch);
        CheckProblem(r, 400, t.fields[f].name);
      }
      if (int f = FieldWhere(t, false); f >= 0) {
        Response r = http().Request("PATCH", path, "{\"" + t.fields[f].name + "\":null}",
                                    kMergePatch);
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        Rec want = rec;
        want.fields[f] = DefaultOf(t.fields[f]);
        want.revision = 2;
        BOOST_TEST(Mismatch(t, want, ParseJson(r.body)) == "");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(patch_refusals_name_the_member_and_change_nothing) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      const std::string path = RecordPath(t, rec.uuid);
      CheckProblem(http().Request("PATCH", path, "{\"no_such_field\":1}", kMergePatch), 400,
                   "no_such_field");
      CheckProblem(http().Request("PATCH", path, "{\"uuid\":\"" + rec.uuid + "\"}", kMergePatch),
                   400, "uuid");
      CheckProblem(http().Request("PATCH", path, "[1]", kMergePatch), 400);
      CheckProblem(http().Request("PATCH", path, "{}", {{"Content-Type", "text/plain"}}), 415);
      Response stale = http().Request("PATCH", path, "{\"revision\":7}", kMergePatch);
      CheckProblem(stale, 409);
      BOOST_TEST(Detail(stale).find("at revision 1") != std::string::npos,
                 "the 409 says which revision is current: " << stale.Describe());
      Response precondition =
          http().Request("PATCH", path, "{}", {{"Content-Type", "application/json"},
                                               {"If-Match", "\"7\""}});
      CheckProblem(precondition, 412, "If-Match");
      CheckProblem(http().Request("PATCH", RecordPath(t, kAbsentUuid), "{}", kMergePatch), 404);
      Response got = http().Get(path);
      BOOST_TEST(got.Header("ETag") == "\"1\"", "nothing was written: " << got.Describe());
      BOOST_TEST(Mismatch(t, rec, ParseJson(got.body)) == "");
    }
  }
}

BOOST_AUTO_TEST_CASE(patch_moves_the_record_in_every_index_it_changes) {
  for (const TableDesc& t : TheSchema().tables) {
    for (const IndexDesc& index : t.indexes) {
      BOOST_TEST_CONTEXT("table " << t.name << " index " << index.name) {
        Rec old = InsertGenerated(http(), t);
        Rec next = old;
        std::set<int> keys;
        for (int f : index.key_fields) {
          if (t.fields[f].is_parent_link) continue;
          keys.insert(f);
          next.fields[f] = GenValue(t, f, NextN());
        }
        if (keys.empty()) continue;
        Response r = http().Request("PATCH", RecordPath(t, old.uuid), PatchOf(t, next, keys),
                                    kMergePatch);
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        FieldFilter by_old, by_new;
        bool changed = false;
        for (int f : index.key_fields) {
          by_old.emplace_back(f, old.fields[f]);
          by_new.emplace_back(f, next.fields[f]);
          if (!ValEqual(old.fields[f], next.fields[f])) changed = true;
        }
        Listing found_new =
            ListAll(http(), t, TablePath(t) + "/get-record?" + FilterQuery(t, by_new));
        BOOST_TEST_REQUIRE(found_new.ok, found_new.error);
        BOOST_TEST(Uuids(found_new.records).count(old.uuid) == 1u,
                   "the new key finds the patched record");
        if (!changed) continue;
        Listing found_old =
            ListAll(http(), t, TablePath(t) + "/get-record?" + FilterQuery(t, by_old));
        BOOST_TEST_REQUIRE(found_old.ok, found_old.error);
        BOOST_TEST(Uuids(found_old.records).count(old.uuid) == 0u,
                   "the old key no longer finds it");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(concurrent_patches_of_different_fields_all_apply) {
  // One thread per field (up to 8), each patching only its field: no
  // patch may undo another's (the read is inside the write transaction).
  const TableDesc& t = TheSchema().tables.front();
  const Rec rec = InsertGenerated(http(), t);
  std::vector<int> fields = PatchableFields(t);
  if (fields.size() > 8) fields.resize(8);
  BOOST_TEST_REQUIRE(fields.size() >= 2u);
  constexpr int kEach = 15;
  std::mutex mu;
  std::map<int, Val> last;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int f : fields) {
    threads.emplace_back([&, f] {
      HttpClient client(stack.port());
      for (int j = 0; j < kEach; ++j) {
        Rec next = rec;
        next.fields[f] = GenValue(t, f, NextN());
        Response r = client.Request("PATCH", RecordPath(t, rec.uuid),
                                    PatchOf(t, next, {f}), kMergePatch);
        std::lock_guard<std::mutex> lock(mu);
        if (r.status != 200) failures.push_back(r.Describe());
        last[f] = next.fields[f];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  BOOST_TEST(failures.empty(), failures.size() << " failed; first: "
                                               << (failures.empty() ? "" : failures.front()));
  Response r = http().Get(RecordPath(t, rec.uuid));
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  Rec want = rec;
  for (const auto& [f, v] : last) want.fields[f] = v;
  want.revision = 1 + static_cast<std::int64_t>(fields.size()) * kEach;
  BOOST_TEST(Mismatch(t, want, ParseJson(r.body)) == "",
             "every field holds its thread's last patch: " << Mismatch(t, want, ParseJson(r.body)));
}

BOOST_AUTO_TEST_CASE(if_none_match_on_a_current_etag_is_304_without_a_body) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      const std::string path = RecordPath(t, rec.uuid);
      for (const char* method : {"GET", "HEAD"}) {
        for (const char* tag : {"\"1\"", "W/\"1\"", "*"}) {
          Response r = http().Request(method, path, {}, {{"If-None-Match", tag}});
          BOOST_TEST(r.status == 304, method << " " << tag << ": " << r.Describe());
          BOOST_TEST(r.body.empty());
          BOOST_TEST(r.Header("ETag") == "\"1\"");
        }
        Response changed = http().Request(method, path, {}, {{"If-None-Match", "\"2\""}});
        BOOST_TEST(changed.status == 200, changed.Describe());
      }
      CheckProblem(http().Request("GET", path, {}, {{"If-None-Match", "1"}}), 400,
                   "If-None-Match");
    }
  }
}

BOOST_AUTO_TEST_CASE(if_match_mismatches_are_412_and_matches_write) {
  const TableDesc& t = TheSchema().tables.front();
  Rec rec = InsertGenerated(http(), t);
  const std::string path = RecordPath(t, rec.uuid);
  Rec next = rec;
  next.uuid.clear();
  const std::string body = BodyJson(t, next);
  CheckProblem(http().Request("PUT", path, body, {{"If-Match", "\"5\""}}), 412, "If-Match");
  CheckProblem(http().Request("PUT", path, body, {{"If-Match", "W/\"1\""}}), 412, "If-Match");
  CheckProblem(http().Request("DELETE", path, {}, {{"If-Match", "\"5\""}}), 412, "If-Match");
  CheckProblem(http().Request("PUT", path, body, {{"If-Match", "one"}}), 400, "If-Match");
  Response put = http().Request("PUT", path, body, {{"If-Match", "\"4\", \"1\""}});
  BOOST_TEST(put.status == 200, put.Describe());
  Response del = http().Request("DELETE", path, {}, {{"If-Match", "\"2\""}});
  BOOST_TEST(del.status == 204, del.Describe());
}

BOOST_AUTO_TEST_CASE(etags_stay_strong_for_clients_that_accept_gzip) {
  // A browser-like client: Accept-Encoding: gzip, bodies decoded. nginx
  // has gzip on for application/json, but single records (which carry an
  // ETag) are sent uncoded, so the ETag received is the strong one and
  // works in If-Match as received.
  HttpClient browser(stack.port());
  browser.AcceptEncoding("gzip");
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      for (int i = 0; i < 20; ++i) InsertGenerated(http(), t);  // a page worth gzipping
      const std::string path = RecordPath(t, rec.uuid);
      Response got = browser.Get(path);
      BOOST_TEST_REQUIRE(got.status == 200, got.Describe());
      BOOST_TEST(got.Header("Content-Encoding") == "");
      const std::string etag = got.Header("ETag");
      BOOST_TEST_REQUIRE(etag == "\"1\"", "a strong ETag: " << got.Describe());

      const int f = PatchableFields(t).front();
      Rec next = rec;
      next.fields[f] = GenValue(t, f, NextN());
      Response patched = browser.Request(
          "PATCH", path, PatchOf(t, next, {f}),
          {{"Content-Type", "application/merge-patch+json"}, {"If-Match", etag}});
      BOOST_TEST_REQUIRE(patched.status == 200, patched.Describe());
      BOOST_TEST(patched.Header("Content-Encoding") == "");
      BOOST_TEST(patched.Header("ETag") == "\"2\"");

      next.uuid.clear();
      Response put = browser.Request("PUT", TablePath(t) + "/update/" + rec.uuid,
                                     BodyJson(t, next),
                                     {{"If-Match", patched.Header("ETag")}});
      BOOST_TEST(put.status == 200, put.Describe());
      BOOST_TEST(put.Header("ETag") == "\"3\"");

      Response page = browser.Get(TablePath(t) + "?limit=20");
      BOOST_TEST(page.status == 200, page.Describe());
      BOOST_TEST(page.Header("Content-Encoding") == "gzip", "pages stay compressed");
      BOOST_TEST(ParsePage(t, page).error == "");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
