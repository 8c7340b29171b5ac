// SPDX-License-Identifier: Apache-2.0
// tests/e2e/crud_test.cc - insert, get, update and delete on every table of
// the compiled schema, through both spellings of each route.

#include <cctype>
#include <chrono>
#include <cstdlib>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr const char* kAbsentUuid = "01900000-0000-7000-8000-000000000000";

// A full replacement for `old`: new values (record number NextN()), same
// parent.
Rec Replacement(const TableDesc& t, const Rec& old) {
  Rec next = GenRecord(t, NextN(),
                       t.link_field >= 0
                           ? std::get<std::string>(old.fields[t.link_field])
                           : std::string());
  next.uuid = old.uuid;
  return next;
}

void CheckGet(HttpClient& http, const TableDesc& t, const Rec& want) {
  Response r = http.Get(RecordPath(t, want.uuid));
  BOOST_TEST_REQUIRE(r.status == 200, "GET should find the record: " << r.Describe());
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST_REQUIRE(!d.HasParseError(), "not JSON: " << r.Describe());
  BOOST_TEST(Mismatch(t, want, d) == "",
             "GET should return the stored record: " << Mismatch(t, want, d));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(crud, StackFixture)

BOOST_AUTO_TEST_CASE(insert_answers_201_with_uuid_revision_fields_location) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      InsertOk(http(), t, GenRecord(t, NextN(), MakeParent(http(), t)),
               /*alias=*/false);
      InsertOk(http(), t, GenRecord(t, NextN(), MakeParent(http(), t)),
               /*alias=*/true);
    }
  }
}

BOOST_AUTO_TEST_CASE(absent_optional_fields_read_back_as_their_defaults) {
  int tables_with_optionals = 0;
  for (const TableDesc& t : TheSchema().tables) {
    const std::set<int> optional = OptionalFields(t);
    if (optional.empty()) continue;
    ++tables_with_optionals;
    BOOST_TEST_CONTEXT("table " << t.name) {
      // InsertOk compares the answer with the descriptors' defaults.
      Rec rec = InsertOk(http(), t, GenRecord(t, NextN(), MakeParent(http(), t)),
                         false, optional);
      CheckGet(http(), t, rec);
    }
  }
  BOOST_TEST_MESSAGE(tables_with_optionals << " tables have optional fields");
}

BOOST_AUTO_TEST_CASE(uuids_are_v7_with_the_current_time) {
  const TableDesc& t = TheSchema().tables.front();
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string previous;
  for (int i = 0; i < 5; ++i) {
    Rec rec = InsertGenerated(http(), t);
    std::string hex = rec.uuid.substr(0, 8) + rec.uuid.substr(9, 4);
    const long long ms = std::stoll(hex, nullptr, 16);
    BOOST_TEST(std::llabs(ms - now_ms) < 60000,
               "uuid " << rec.uuid << " should carry the time of insertion (ms "
                       << ms << " vs now " << now_ms << ")");
    BOOST_TEST(rec.uuid > previous, "uuids should increase: " << previous
                                                               << " then " << rec.uuid);
    previous = rec.uuid;
  }
}

BOOST_AUTO_TEST_CASE(get_returns_the_stored_record) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      CheckGet(http(), t, rec);
      // The uuid is accepted in upper case too.
      std::string upper = rec.uuid;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      Response r = http().Get(RecordPath(t, upper));
      BOOST_TEST(r.status == 200, "an upper-case uuid names the same record: "
                                      << r.Describe());
    }
  }
}

BOOST_AUTO_TEST_CASE(get_of_an_unknown_uuid_is_a_404_problem) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      CheckProblem(http().Get(RecordPath(t, kAbsentUuid)), 404);
    }
  }
}

BOOST_AUTO_TEST_CASE(get_of_a_malformed_uuid_is_a_400_problem) {
  const std::vector<std::string> bad = {
      "not-a-uuid",
      "0190a0b0-0000-7000-8000-00000000000",    // 35 characters
      "0190a0b0-0000-7000-8000-0000000000000",  // 37
      "0190a0b0-0000-7000-8000-00000000000g",
      "0190a0b000007000800000000000000000ab",   // no hyphens
  };
  const TableDesc& t = TheSchema().tables.front();
  const std::string body = BodyJson(t, GenRecord(t, NextN()));
  for (const std::string& uuid : bad) {
    BOOST_TEST_CONTEXT("uuid \"" << uuid << "\"") {
      CheckProblem(http().Get(RecordPath(t, uuid)), 400);
      CheckProblem(http().Put(RecordPath(t, uuid), body), 400);
      CheckProblem(http().Put(TablePath(t) + "/update/" + uuid, body), 400);
      CheckProblem(http().Delete(RecordPath(t, uuid)), 400);
      CheckProblem(http().Delete(TablePath(t) + "/delete/" + uuid), 400);
      for (int c : t.children)
        CheckProblem(http().Get(RecordPath(t, uuid) + "/" + TheSchema().tables[c].name), 400);
    }
  }
}

BOOST_AUTO_TEST_CASE(head_is_answered_like_get_without_a_body) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      for (const std::string& path : {RecordPath(t, rec.uuid), TablePath(t) + "?limit=5",
                                      RecordPath(t, kAbsentUuid)}) {
        Response get = http().Get(path);
        Response head = http().Request("HEAD", path);
        BOOST_TEST(head.status == get.status, "HEAD " << path << ": " << head.Describe());
        BOOST_TEST(head.body.empty(), "HEAD has no body");
        BOOST_TEST(head.Header("Content-Type") == get.Header("Content-Type"));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(update_replaces_every_field_and_bumps_the_revision) {
  for (const TableDesc& t : TheSchema().tables) {
    for (bool alias : {false, true}) {
      BOOST_TEST_CONTEXT("table " << t.name << (alias ? " PUT /api/t/<uuid>"
                                                      : " PUT /api/t/update/<uuid>")) {
        Rec rec = InsertGenerated(http(), t);
        for (std::int64_t revision = 2; revision <= 3; ++revision) {
          Rec next = Replacement(t, rec);
          const std::string path = alias ? RecordPath(t, rec.uuid)
                                         : TablePath(t) + "/update/" + rec.uuid;
          Response r = http().Put(path, BodyJson(t, next));
          BOOST_TEST_REQUIRE(r.status == 200,
                             "update should answer 200: " << r.Describe());
          next.revision = revision;
          rapidjson::Document d = ParseJson(r.body);
          BOOST_TEST(Mismatch(t, next, d) == "",
                     "update should answer the new record: " << Mismatch(t, next, d));
          CheckGet(http(), t, next);
          rec = next;
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(update_moves_the_record_in_every_index) {
  for (const TableDesc& t : TheSchema().tables) {
    if (t.indexes.empty()) continue;
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec old = InsertGenerated(http(), t);
      Rec next = Replacement(t, old);
      Response r = http().Put(RecordPath(t, old.uuid), BodyJson(t, next));
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      for (const IndexDesc& index : t.indexes) {
        FieldFilter by_old, by_new;
        bool changed = false;
        for (int f : index.key_fields) {
          by_old.emplace_back(f, old.fields[f]);
          by_new.emplace_back(f, next.fields[f]);
          if (!ValEqual(old.fields[f], next.fields[f])) changed = true;
        }
        BOOST_TEST_CONTEXT("index " << index.name) {
          Listing found_new =
              ListAll(http(), t, TablePath(t) + "/get-record?" + FilterQuery(t, by_new));
          BOOST_TEST_REQUIRE(found_new.ok, found_new.error);
          BOOST_TEST(Uuids(found_new.records).count(old.uuid) == 1u,
                     "the new key should find the updated record");
          if (!changed) continue;
          Listing found_old =
              ListAll(http(), t, TablePath(t) + "/get-record?" + FilterQuery(t, by_old));
          BOOST_TEST_REQUIRE(found_old.ok, found_old.error);
          BOOST_TEST(Uuids(found_old.records).count(old.uuid) == 0u,
                     "the old key should no longer find the updated record");
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(update_of_an_unknown_uuid_is_a_404_and_creates_nothing) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = GenRecord(t, NextN(), MakeParent(http(), t));
      const std::vector<std::size_t> before = TableCounts(http());
      CheckProblem(http().Put(RecordPath(t, kAbsentUuid), BodyJson(t, rec)), 404);
      CheckProblem(http().Put(TablePath(t) + "/update/" + kAbsentUuid,
                              BodyJson(t, rec)),
                   404);
      BOOST_TEST(TableCounts(http()) == before, "nothing should be written");
    }
  }
}

BOOST_AUTO_TEST_CASE(delete_answers_204_then_the_record_is_gone) {
  for (const TableDesc& t : TheSchema().tables) {
    for (bool alias : {false, true}) {
      BOOST_TEST_CONTEXT("table " << t.name << (alias ? " DELETE /api/t/<uuid>"
                                                      : " DELETE /api/t/delete/<uuid>")) {
        Rec rec = InsertGenerated(http(), t);
        Rec other = InsertGenerated(http(), t);
        const std::string path =
            alias ? RecordPath(t, rec.uuid) : TablePath(t) + "/delete/" + rec.uuid;
        Response r = http().Delete(path);
        BOOST_TEST(r.status == 204, "delete should answer 204: " << r.Describe());
        BOOST_TEST(r.body.empty(), "a 204 has no body");
        CheckProblem(http().Get(RecordPath(t, rec.uuid)), 404);
        CheckProblem(http().Delete(path), 404);
        CheckGet(http(), t, other);  // its neighbour is untouched
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(deleted_records_leave_every_index_and_listing) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      Rec rec = InsertGenerated(http(), t);
      BOOST_TEST_REQUIRE(http().Delete(RecordPath(t, rec.uuid)).status == 204);
      Listing all = ListAll(http(), t, TablePath(t));
      BOOST_TEST_REQUIRE(all.ok, all.error);
      BOOST_TEST(Uuids(all.records).count(rec.uuid) == 0u,
                 "the listing should not show a deleted record");
      for (const IndexDesc& index : t.indexes) {
        FieldFilter key;
        for (int f : index.key_fields) key.emplace_back(f, rec.fields[f]);
        Listing found =
            ListAll(http(), t, TablePath(t) + "/get-record?" + FilterQuery(t, key));
        BOOST_TEST_REQUIRE(found.ok, found.error);
        BOOST_TEST(Uuids(found.records).count(rec.uuid) == 0u,
                   "index " << index.name << " should not find a deleted record");
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
