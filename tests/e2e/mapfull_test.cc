// SPDX-License-Identifier: Apache-2.0
// tests/e2e/mapfull_test.cc - a full LMDB map degrades cleanly.
//
// With LMDB_MAP_SIZE_MB=2 the test inserts records (one string field padded
// to 2000 bytes, so each takes an overflow page) until the worker answers
// 507. Then: the worker is still running; the 507 is problem+json; reads
// and listings still show exactly what was acknowledged; smaller inserts,
// updates and deletes get 2xx or 507 and nothing else (LMDB needs free pages
// even to delete, so at a completely full map a delete may be refused too:
// the counts are printed). After a restart with a 64 MiB map every
// acknowledged record is there, and inserts and deletes succeed again.

#include <iostream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "workload.h"

namespace lmdbapi::e2e {
namespace {

constexpr int kMaxInserts = 5000;  // 2 MiB / 4 KiB pages: ~500 fit
constexpr std::size_t kPad = 2000;

Rec Padded(const TableDesc& t, bool pad) { return PaddedRecord(t, pad ? kPad : 0); }

bool Accept(const TableDesc& t, const Response& r, Rec* want, std::string* error) {
  rapidjson::Document d = ParseJson(r.body);
  std::optional<Rec> got = RecFromJson(t, d, error);
  if (!got) return false;
  if (want->uuid.empty()) want->uuid = got->uuid;
  *error = Mismatch(t, *want, *got);
  return error->empty();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mapfull)

BOOST_AUTO_TEST_CASE(a_full_map_answers_507_keeps_data_and_recovers_with_a_larger_map) {
  const TableDesc& t = PaddableTable();
  Stack stack;
  StackOptions small;
  small.worker_env = {"LMDB_MAP_SIZE_MB=2"};
  stack.Start(small);
  HttpClient& http = stack.client();

  WorkloadResult model;
  model.live.resize(TheSchema().tables.size());
  model.deleted.resize(TheSchema().tables.size());
  Model& live = model.live[t.position];

  // Fill.
  int acked = 0, full = 0;
  for (int i = 0; i < kMaxInserts && full == 0; ++i) {
    Rec rec = Padded(t, true);
    Response r = http.Post(TablePath(t), BodyJson(t, rec));
    if (r.status == 201) {
      rec.revision = 1;
      std::string error;
      BOOST_TEST_REQUIRE(Accept(t, r, &rec, &error), error << ": " << r.Describe());
      live[rec.uuid] = rec;
      ++acked;
    } else {
      BOOST_TEST_REQUIRE(r.status == 507, "insert " << i << ": " << r.Describe());
      CheckProblem(r, 507);
      ++full;
    }
  }
  BOOST_TEST_REQUIRE(full == 1, "no 507 after " << kMaxInserts << " inserts");
  BOOST_TEST(stack.WorkerRunning(0), "the worker must survive a full map");

  // More writes at the full map: 2xx or 507, never anything else.
  int small_ok = 0, small_full = 0, upd_ok = 0, upd_full = 0, del_ok = 0, del_full = 0;
  for (int i = 0; i < 20; ++i) {
    Rec rec = Padded(t, false);
    Response r = http.Post(TablePath(t), BodyJson(t, rec));
    if (r.status == 201) {
      rec.revision = 1;
      std::string error;
      BOOST_TEST(Accept(t, r, &rec, &error), error);
      live[rec.uuid] = rec;
      ++small_ok;
    } else {
      BOOST_TEST(r.status == 507, r.Describe());
      ++small_full;
    }
  }
  for (int i = 0; i < 10 && !live.empty(); ++i) {
    const Rec old = std::next(live.begin(), i)->second;
    Rec rec = Padded(t, false);
    rec.uuid = old.uuid;
    rec.revision = old.revision + 1;
    Response r = http.Put(RecordPath(t, old.uuid), BodyJson(t, rec));
    if (r.status == 200) {
      live[rec.uuid] = rec;
      ++upd_ok;
    } else {
      BOOST_TEST(r.status == 507, r.Describe());
      if (r.status == 507) CheckProblem(r, 507);
      ++upd_full;
    }
  }
  for (int i = 0; i < 10 && !live.empty(); ++i) {
    const std::string uuid = std::prev(live.end())->first;
    Response r = http.Delete(RecordPath(t, uuid));
    if (r.status == 204) {
      live.erase(uuid);
      model.deleted[t.position].insert(uuid);
      ++del_ok;
    } else {
      BOOST_TEST(r.status == 507, r.Describe());
      if (r.status == 507) CheckProblem(r, 507);
      ++del_full;
    }
  }
  // After deletes freed pages, an insert that fits may succeed again.
  int after_delete_ok = 0;
  {
    Rec rec = Padded(t, false);
    Response r = http.Post(TablePath(t), BodyJson(t, rec));
    if (r.status == 201) {
      rec.revision = 1;
      std::string error;
      BOOST_TEST(Accept(t, r, &rec, &error), error);
      live[rec.uuid] = rec;
      ++after_delete_ok;
    } else {
      BOOST_TEST(r.status == 507, r.Describe());
    }
  }
  BOOST_TEST(stack.WorkerRunning(0), "the worker must survive a full map");

  // Reads still work, and show exactly what was acknowledged.
  CheckResult full_check = CheckAgainst(http, model);
  BOOST_TEST(full_check.mismatches.empty(),
             full_check.mismatches.size() << " mismatches at the full map, first: "
                                          << (full_check.mismatches.empty()
                                                  ? ""
                                                  : full_check.mismatches.front()));

  // A larger map: everything is there and writes work again.
  stack.Stop();
  StackOptions larger;
  larger.worker_env = {"LMDB_MAP_SIZE_MB=64"};
  stack.Start(larger);
  HttpClient& http2 = stack.client();
  CheckResult after = CheckAgainst(http2, model);
  BOOST_TEST(after.mismatches.empty(),
             after.mismatches.size() << " mismatches after the restart, first: "
                                     << (after.mismatches.empty() ? "" : after.mismatches.front()));
  int later_ok = 0;
  for (int i = 0; i < 20; ++i) {
    Rec rec = Padded(t, true);
    Response r = http2.Post(TablePath(t), BodyJson(t, rec));
    BOOST_TEST(r.status == 201, r.Describe());
    if (r.status == 201) ++later_ok;
  }
  const std::string victim = live.begin()->first;
  BOOST_TEST(http2.Delete(RecordPath(t, victim)).status == 204);

  std::cout << "mapfull: LMDB_MAP_SIZE_MB=2, table " << t.name << ": " << acked
            << " padded inserts acknowledged before the first 507; at the full map: "
            << "small inserts " << small_ok << " ok / " << small_full << " 507, updates "
            << upd_ok << " ok / " << upd_full << " 507, deletes " << del_ok << " ok / "
            << del_full << " 507, insert after deletes " << (after_delete_ok ? "ok" : "507")
            << "; worker alive; " << full_check.records << " records read back at the full map, "
            << after.records << " after restarting with 64 MiB, then " << later_ok
            << "/20 inserts ok; mismatches = "
            << full_check.mismatches.size() + after.mismatches.size() << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
