// SPDX-License-Identifier: Apache-2.0
// tests/e2e/concurrency_test.cc - eight client threads write at once; then
// every acknowledged record is there with the acknowledged content, every
// deleted one is gone, and every index, range and link agrees with its
// table (tests/e2e/workload.h does the work).

#include <algorithm>
#include <atomic>
#include <barrier>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "workload.h"

namespace lmdbapi::e2e {
namespace {

void Report(const WorkloadResult& w, const CheckResult& c, const WorkloadOptions& o) {
  std::cout << "concurrency: " << Summary(o, w, c) << std::endl;
  std::string failures;
  for (std::size_t i = 0; i < std::min<std::size_t>(w.failures.size(), 10); ++i)
    failures += "\n  " + w.failures[i];
  BOOST_TEST(w.failures.empty(), w.failures.size()
                                     << " answers broke the contract (seed " << o.seed
                                     << "), first ones:" << failures);
  std::string mismatches;
  for (std::size_t i = 0; i < std::min<std::size_t>(c.mismatches.size(), 20); ++i)
    mismatches += "\n  " + c.mismatches[i];
  BOOST_TEST(c.mismatches.empty(), c.mismatches.size()
                                       << " mismatches between the server and what it "
                                          "acknowledged (seed "
                                       << o.seed << "), first ones:" << mismatches);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(concurrency, StackFixture)

BOOST_AUTO_TEST_CASE(eight_writers_leave_every_table_and_index_consistent) {
  const WorkloadOptions o;  // 8 threads x 300 ops, fixed seed
  const WorkloadResult w = RunWorkload(stack.port(), o);
  BOOST_TEST(w.inserts > 0);
  const CheckResult c = CheckAgainst(http(), w);
  Report(w, c, o);
  BOOST_TEST(stack.WorkerRunning(0), "the worker should survive the load");
}

BOOST_AUTO_TEST_CASE(racing_updates_of_one_record_are_serialized) {
  // 8 threads replace the same record 20 times each: every 200 carries a
  // distinct revision, none is lost, and the record ends as the answer
  // with the highest revision said.
  constexpr int kThreads = 8, kEach = 20;
  const TableDesc& t = TheSchema().tables.front();
  const Rec rec = InsertGenerated(http(), t);
  std::mutex mu;
  std::map<std::int64_t, Rec> by_revision;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      HttpClient client(stack.port());
      for (int j = 0; j < kEach; ++j) {
        Rec next = GenRecord(t, NextN());
        Response r = client.Put(RecordPath(t, rec.uuid), BodyJson(t, next));
        std::string error;
        rapidjson::Document d = ParseJson(r.body);
        std::optional<Rec> got = r.status == 200 ? RecFromJson(t, d, &error) : std::nullopt;
        std::lock_guard<std::mutex> lock(mu);
        if (!got) {
          failures.push_back("expected 200 with the record: " + r.Describe());
          continue;
        }
        next.uuid = rec.uuid;
        next.revision = got->revision;
        if (Mismatch(t, next, *got) != "") failures.push_back("answer differs: " + r.Describe());
        if (!by_revision.emplace(got->revision, next).second)
          failures.push_back("revision " + std::to_string(got->revision) + " given twice");
      }
    });
  }
  for (std::thread& th : threads) th.join();
  BOOST_TEST(failures.empty(), failures.size() << " bad answers; first: "
                                               << (failures.empty() ? "" : failures.front()));
  BOOST_TEST(by_revision.size() == std::size_t{kThreads * kEach});
  BOOST_TEST_REQUIRE(!by_revision.empty());
  BOOST_TEST(by_revision.begin()->first == 2, "the first replacement makes revision 2");
  BOOST_TEST(by_revision.rbegin()->first == 1 + kThreads * kEach,
             "revisions 2.." << 1 + kThreads * kEach << " with none skipped");
  Response r = http().Get(RecordPath(t, rec.uuid));
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST(Mismatch(t, by_revision.rbegin()->second, d) == "",
             "the record holds the last acknowledged replacement");
}

BOOST_AUTO_TEST_CASE(racing_inserts_of_one_unique_key_admit_exactly_one) {
  constexpr int kThreads = 8, kKeys = 25;
  const TableDesc* table = nullptr;
  for (const TableDesc& t : TheSchema().tables)
    if (table == nullptr && t.is_main() && !UniqueKeyFields(t).empty()) table = &t;
  BOOST_TEST_REQUIRE(table != nullptr, "the schema should have a main table with a UNIQUE index");
  const TableDesc& t = *table;
  const std::set<int> unique = UniqueKeyFields(t);
  std::vector<Rec> keys;  // per round, the contested values
  for (int k = 0; k < kKeys; ++k) keys.push_back(GenRecord(t, NextN()));
  std::vector<std::atomic<int>> created(kKeys), refused(kKeys);
  std::atomic<int> other{0};
  std::barrier line_up(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      HttpClient client(stack.port());
      for (int k = 0; k < kKeys; ++k) {
        Rec mine = GenRecord(t, NextN());
        for (int f : unique) mine.fields[f] = keys[k].fields[f];
        const std::string body = BodyJson(t, mine);
        line_up.arrive_and_wait();
        Response r = client.Post(TablePath(t), body);
        if (r.status == 201) ++created[k];
        else if (r.status == 409) ++refused[k];
        else ++other;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  BOOST_TEST(other.load() == 0, "every contested insert is a 201 or a 409");
  for (int k = 0; k < kKeys; ++k) {
    BOOST_TEST(created[k].load() == 1, "key " << k << ": " << created[k].load() << " of "
                                                 << kThreads << " racing inserts won");
    FieldFilter filter;
    for (int f : unique) filter.emplace_back(f, keys[k].fields[f]);
    Listing found = ListAll(http(), t, TablePath(t) + "?" + FilterQuery(t, filter));
    BOOST_TEST(found.records.size() == 1u, "key " << k << " is held once");
  }
}

BOOST_AUTO_TEST_CASE(children_inserted_while_their_parent_is_deleted_leave_no_orphans) {
  const TableDesc* parent_table = nullptr;
  for (const TableDesc& t : TheSchema().tables)
    if (parent_table == nullptr && !t.children.empty()) parent_table = &t;
  BOOST_TEST_REQUIRE(parent_table != nullptr);
  const TableDesc& p = *parent_table;
  const TableDesc& c = TheSchema().tables[p.children.front()];
  constexpr int kRounds = 15, kInserters = 4;
  int acknowledged = 0, refused = 0;
  std::vector<std::string> failures;
  std::vector<std::string> acked_children;
  for (int round = 0; round < kRounds; ++round) {
    const Rec parent = InsertGenerated(http(), p);
    std::mutex mu;
    std::atomic<bool> gone{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kInserters; ++i) {
      threads.emplace_back([&] {
        HttpClient client(stack.port());
        // Insert until the parent's absence is reported (or 200 tries).
        for (int n = 0; n < 200; ++n) {
          const bool after_delete = gone.load();
          Response r = client.Post(TablePath(c), BodyJson(c, GenRecord(c, NextN(), parent.uuid)));
          std::lock_guard<std::mutex> lock(mu);
          if (r.status == 201) {
            if (after_delete)
              failures.push_back("a child was created after its parent's delete was acknowledged: " +
                                 r.Describe());
            rapidjson::Document d = ParseJson(r.body);
            std::string error;
            if (std::optional<Rec> got = RecFromJson(c, d, &error)) acked_children.push_back(got->uuid);
            ++acknowledged;
          } else if (r.status == 422) {
            ++refused;
            return;
          } else {
            failures.push_back("expected 201 or 422: " + r.Describe());
            return;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + round));
    Response del = http().Delete(RecordPath(p, parent.uuid));
    gone = true;
    BOOST_TEST(del.status == 204, del.Describe());
    for (std::thread& th : threads) th.join();
    CheckProblem(http().Get(RecordPath(p, parent.uuid) + "/" + c.name), 404);
    Listing by_link = ListAll(http(), c, TablePath(c) + "?" + FilterQuery(c, {{c.link_field, parent.uuid}}));
    BOOST_TEST(by_link.ok, by_link.error);
    BOOST_TEST(by_link.records.empty(), by_link.records.size() << " orphans of " << parent.uuid);
  }
  std::size_t survivors = 0;
  for (const std::string& uuid : acked_children)
    if (http().Get(RecordPath(c, uuid)).status != 404) ++survivors;
  BOOST_TEST(failures.empty(), failures.size() << " bad answers; first: "
                                               << (failures.empty() ? "" : failures.front()));
  BOOST_TEST(survivors == 0u, survivors << " children outlived their deleted parent");
  BOOST_TEST_MESSAGE("orphan race: " << acknowledged << " children acknowledged, " << refused
                                     << " refused with 422");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
