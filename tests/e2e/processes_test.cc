// SPDX-License-Identifier: Apache-2.0
// tests/e2e/processes_test.cc - the worker as a process: it exits 0 on
// SIGTERM (idle, with nginx's connections open, under load, keeping every
// acknowledged write), the data outlives a restart of the whole stack, and
// two worker processes serve one data directory consistently.

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "testutil.h"
#include "workload.h"

namespace lmdbapi::e2e {
namespace {

using testutil::WaitFor;

// Requests a worker logged at LOG_LEVEL=debug: lines naming an /api/ path.
int LoggedRequests(const std::string& log_path) {
  std::ifstream in(log_path);
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.find(" /api/") != std::string::npos) ++n;
  return n;
}

CheckResult CheckModel(HttpClient& http, const WorkloadResult& w, const std::string& when) {
  CheckResult c = CheckAgainst(http, w);
  std::string first;
  for (std::size_t i = 0; i < std::min<std::size_t>(c.mismatches.size(), 10); ++i)
    first += "\n  " + c.mismatches[i];
  BOOST_TEST(c.mismatches.empty(), when << ": " << c.mismatches.size()
                                        << " mismatches with what was acknowledged:" << first);
  BOOST_TEST_MESSAGE(when << ": " << c.records << " records, " << c.gone << " deleted, "
                          << c.queries << " queries checked");
  return c;
}

void CheckNoFailures(const WorkloadResult& w) {
  std::string first;
  for (std::size_t i = 0; i < std::min<std::size_t>(w.failures.size(), 10); ++i)
    first += "\n  " + w.failures[i];
  BOOST_TEST(w.failures.empty(), w.failures.size() << " answers broke the contract:" << first);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(processes)

BOOST_FIXTURE_TEST_CASE(a_worker_exits_0_on_sigterm_when_idle, StackFixture) {
  const ProcessExit e = stack.StopWorker(0);
  BOOST_TEST(e.Clean(), "the worker should exit 0 on SIGTERM; it " << e.Describe());
}

BOOST_FIXTURE_TEST_CASE(a_worker_exits_0_on_sigterm_with_nginx_connections_open,
                        StackFixture) {
  // Traffic, so nginx keeps connections to the worker open (keepalive).
  for (int i = 0; i < 20; ++i) {
    const TableDesc& t = TheSchema().tables[i % TheSchema().tables.size()];
    Rec rec = InsertGenerated(http(), t);
    BOOST_TEST(http().Get(RecordPath(t, rec.uuid)).status == 200);
  }
  const ProcessExit e = stack.StopWorker(0);
  BOOST_TEST(e.Clean(), "the worker should exit 0 on SIGTERM; it " << e.Describe());
}

BOOST_FIXTURE_TEST_CASE(sigterm_under_load_keeps_every_acknowledged_write, StackFixture) {
  const TableDesc& t = TheSchema().tables.front();
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, acked_count{0};
  std::mutex mu;
  Model acked;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      HttpClient http(stack.port(), 10000);
      while (!stop.load()) {
        Rec rec = GenRecord(t, NextN());
        Response r = http.Post(TablePath(t), BodyJson(t, rec));
        ++answered;
        if (r.status != 201) continue;  // the worker is going away
        ++acked_count;
        rapidjson::Document d = ParseJson(r.body);
        std::string error;
        if (std::optional<Rec> got = RecFromJson(t, d, &error)) {
          rec.uuid = got->uuid;
          rec.revision = 1;
          std::lock_guard<std::mutex> lock(mu);
          acked[rec.uuid] = rec;
        }
      }
    });
  }
  // Under load: SIGTERM once inserts are being acknowledged...
  BOOST_TEST(WaitFor([&] { return acked_count.load() >= 50; },
                       std::chrono::seconds(30)),
             "50 inserts should be acknowledged within 30 s");
  const ProcessExit e = stack.StopWorker(0);
  // ...and keep sending after it exited (nginx answers 503) until twice as
  // many requests as threads were answered, each after any in flight.
  const int at_exit = answered.load();
  BOOST_TEST(WaitFor([&] { return answered.load() >= at_exit + 2 * kThreads; },
                       std::chrono::seconds(30)),
             "requests should be answered after the worker exited");
  stop = true;
  for (std::thread& th : threads) th.join();
  BOOST_TEST(e.Clean(), "the worker should exit 0 on SIGTERM under load; it " << e.Describe());
  BOOST_TEST(acked.size() > 0u, "some inserts should have been acknowledged");

  stack.StartWorker(0);
  Listing all = ListAll(http(), t, TablePath(t));
  BOOST_TEST_REQUIRE(all.ok, all.error);
  std::size_t missing = 0, differ = 0;
  std::map<std::string, const Rec*> listed;
  for (const Rec& r : all.records) listed[r.uuid] = &r;
  for (const auto& [uuid, rec] : acked) {
    auto it = listed.find(uuid);
    if (it == listed.end())
      ++missing;
    else if (Mismatch(t, rec, *it->second) != "")
      ++differ;
  }
  BOOST_TEST(missing == 0u, missing << " of " << acked.size()
                                    << " acknowledged inserts are gone after SIGTERM");
  BOOST_TEST(differ == 0u, differ << " acknowledged inserts read back differently");
  BOOST_TEST_MESSAGE("sigterm: " << acked.size() << " inserts acknowledged, "
                                 << all.records.size() << " stored");
}

BOOST_FIXTURE_TEST_CASE(records_survive_a_restart_of_the_whole_stack, StackFixture) {
  WorkloadOptions o;
  o.threads = 2;
  o.ops_per_thread = 150;
  o.seed = 7;
  o.insert_percent = 60;
  o.update_percent = 30;
  const WorkloadResult w = RunWorkload(stack.port(), o);
  CheckNoFailures(w);
  CheckModel(http(), w, "before the restart");

  const std::vector<ProcessExit> exits = stack.Stop();
  for (const ProcessExit& e : exits)
    BOOST_TEST(e.Clean(), "the worker should exit 0 on SIGTERM; it " << e.Describe());
  stack.Start();  // same data directory, new port
  CheckModel(http(), w, "after the restart");

  // And it takes new writes, with uuids after the old ones.
  const TableDesc& t = TheSchema().tables.front();
  Rec fresh = InsertGenerated(http(), t);
  for (const auto& [uuid, rec] : w.live[t.position])
    BOOST_TEST(uuid < fresh.uuid, "a uuid made after the restart sorts after " << uuid);
}

BOOST_AUTO_TEST_CASE(two_workers_share_one_data_directory) {
  Stack stack;
  StackOptions options;
  options.workers = 2;
  options.log_level = "debug";
  stack.Start(options);
  HttpClient& http = stack.client();
  const int logged_before = LoggedRequests(stack.WorkerLogPath(0)) +
                            LoggedRequests(stack.WorkerLogPath(1));

  // nginx spreads requests over both workers, so reading right after
  // writing often reads through the other process.
  const TableDesc& t = TheSchema().tables.front();
  std::vector<Rec> written;
  for (int i = 0; i < 40; ++i) {
    Rec rec = InsertGenerated(http, t);
    Response r = http.Get(RecordPath(t, rec.uuid));
    BOOST_TEST_REQUIRE(r.status == 200, "read after write: " << r.Describe());
    Rec next = GenRecord(t, NextN());
    next.uuid = rec.uuid;
    next.revision = 2;
    r = http.Put(RecordPath(t, rec.uuid), BodyJson(t, next));
    BOOST_TEST_REQUIRE(r.status == 200, "update after write: " << r.Describe());
    r = http.Get(RecordPath(t, rec.uuid));
    rapidjson::Document d = ParseJson(r.body);
    BOOST_TEST(Mismatch(t, next, d) == "", "read after update: " << Mismatch(t, next, d));
    written.push_back(next);
  }
  const int w1 = LoggedRequests(stack.WorkerLogPath(0));
  const int w2 = LoggedRequests(stack.WorkerLogPath(1));
  BOOST_TEST_MESSAGE("two workers: requests logged " << w1 << " and " << w2);
  BOOST_TEST(w1 + w2 - logged_before >= 160,
             "each of 160 requests should be logged at LOG_LEVEL=debug; logged "
                 << w1 << " + " << w2);
  BOOST_TEST((w1 > 20 && w2 > 20),
             "nginx should spread requests over both workers; they logged " << w1 << " and "
                                                                            << w2);
  for (const Rec& rec : written) {
    BOOST_TEST_REQUIRE(http.Delete(RecordPath(t, rec.uuid)).status == 204);
    CheckProblem(http.Get(RecordPath(t, rec.uuid)), 404);
  }

  // Concurrent writers through both processes at once.
  WorkloadOptions o;
  o.ops_per_thread = 150;
  o.seed = 99;
  const WorkloadResult w = RunWorkload(stack.port(), o);
  CheckNoFailures(w);
  const CheckResult c = CheckModel(http, w, "through both workers");
  std::cout << "two workers: " << Summary(o, w, c) << std::endl;

  // Each process alone sees all of it.
  ProcessExit e = stack.StopWorker(0);
  BOOST_TEST(e.Clean(), "worker 1 should exit 0 on SIGTERM; it " << e.Describe());
  CheckModel(http, w, "through worker 2 alone");
  stack.StartWorker(0);
  e = stack.StopWorker(1);
  BOOST_TEST(e.Clean(), "worker 2 should exit 0 on SIGTERM; it " << e.Describe());
  CheckModel(http, w, "through worker 1 alone");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
