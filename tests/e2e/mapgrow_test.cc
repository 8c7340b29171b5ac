// SPDX-License-Identifier: Apache-2.0
// tests/e2e/mapgrow_test.cc - the map grows by itself, across processes.
//
// Three worker processes share one data directory that starts with a 2 MiB
// map and may grow to 64 MiB (LMDB_MAP_SIZE_MB=2, LMDB_MAP_MAX_MB=64).
// Eight clients insert records padded to 2000 bytes through nginx (each
// takes an overflow page) until about 14 MiB are stored, reading each one
// back at once (often through another worker). Every insert must answer
// 201 and every read 200: no 507 below the maximum, no 5xx while one
// process grows the map and the others adopt it. Then: every acknowledged
// record is there, the workers logged the growth (at least two of them
// changed their map), and lmdbapi-admin check's verification finds nothing
// wrong.

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "lmdbapi/admin.h"
#include "lmdbapi/env.h"
#include "workload.h"

namespace lmdbapi::e2e {
namespace {

constexpr int kWorkers = 3;
constexpr int kClients = 8;
constexpr int kInserts = 3500;  // ~14 MiB of overflow pages: 3 doublings
constexpr std::size_t kPad = 2000;

struct MapLines {
  int grown = 0, adopted = 0;
};

MapLines CountMapLines(const std::string& log_path) {
  std::ifstream in(log_path);
  MapLines m;
  for (std::string line; std::getline(in, line);) {
    if (line.find("LMDB map grown from") != std::string::npos) ++m.grown;
    if (line.find("LMDB map: adopted") != std::string::npos) ++m.adopted;
  }
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mapgrow)

BOOST_AUTO_TEST_CASE(the_map_grows_across_worker_processes_losing_nothing) {
  const TableDesc& t = PaddableTable();
  Stack stack;
  StackOptions options;
  options.workers = kWorkers;
  options.worker_env = {"LMDB_MAP_SIZE_MB=2", "LMDB_MAP_MAX_MB=64"};
  stack.Start(options);

  WorkloadResult model;
  model.live.resize(TheSchema().tables.size());
  model.deleted.resize(TheSchema().tables.size());
  Model& live = model.live[t.position];
  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<int> next{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&] {
      HttpClient http(stack.port(), 30000);
      while (next.fetch_add(1) < kInserts) {
        Rec rec = PaddedRecord(t, kPad);
        Response r = http.Post(TablePath(t), BodyJson(t, rec));
        std::string error;
        std::optional<Rec> got;
        if (r.status == 201) {
          rapidjson::Document d = ParseJson(r.body);
          got = RecFromJson(t, d, &error);
        }
        if (!got) {
          std::lock_guard<std::mutex> lock(mu);
          failures.push_back("insert: " + r.Describe() + " " + error);
          if (r.status >= 500 || failures.size() > 20) return;
          continue;
        }
        rec.uuid = got->uuid;
        rec.revision = 1;
        Response back = http.Get(RecordPath(t, rec.uuid));
        std::lock_guard<std::mutex> lock(mu);
        if (back.status != 200) failures.push_back("read back: " + back.Describe());
        live[rec.uuid] = rec;
      }
    });
  for (std::thread& th : clients) th.join();
  {
    std::string first;
    for (std::size_t i = 0; i < std::min<std::size_t>(failures.size(), 10); ++i)
      first += "\n  " + failures[i];
    BOOST_TEST(failures.empty(), failures.size() << " answers were not 201/200:" << first);
  }
  BOOST_TEST(live.size() == std::size_t{kInserts});

  // Health through nginx: whichever worker answers has grown or adopted.
  Response health = stack.client().Get("/api/health");
  BOOST_TEST_REQUIRE(health.status == 200, health.Describe());
  rapidjson::Document h = ParseJson(health.body);
  const std::uint64_t map_size = h["lmdb"]["map_size"].GetUint64();
  BOOST_TEST(h["lmdb"]["map_max"].GetUint64() == std::uint64_t{64} << 20);
  BOOST_TEST(map_size > std::uint64_t{2} << 20, "health says map_size " << map_size);

  CheckResult c = CheckAgainst(stack.client(), model);
  BOOST_TEST(c.mismatches.empty(), c.mismatches.size() << " mismatches, first: "
                                                       << (c.mismatches.empty()
                                                               ? ""
                                                               : c.mismatches.front()));

  const std::vector<ProcessExit> exits = stack.Stop();
  for (const ProcessExit& e : exits)
    BOOST_TEST(e.Clean(), "a worker should exit 0 on SIGTERM; it " << e.Describe());
  int grown = 0, adopted = 0, changed = 0;
  std::string per_worker;
  for (int i = 0; i < kWorkers; ++i) {
    MapLines m = CountMapLines(stack.WorkerLogPath(i));
    grown += m.grown;
    adopted += m.adopted;
    changed += (m.grown + m.adopted) > 0;
    per_worker += " " + std::to_string(m.grown) + "/" + std::to_string(m.adopted);
  }
  // 2 MiB to 16 MiB or more: three doublings in all, by whichever process.
  BOOST_TEST(grown >= 3, "growths logged: " << grown);
  BOOST_TEST(changed >= 2, "workers whose map changed: " << changed);

  // What lmdbapi-admin check runs, on the environment the workers left.
  Options o;
  o.path = stack.DataDir();
  o.map_size_bytes = std::uint64_t{2} << 20;
  auto env = Env::Open(o);
  BOOST_TEST_REQUIRE(env.ok(), env.status().message());
  auto stat = env.value()->Stat();
  BOOST_TEST_REQUIRE(stat.ok(), stat.status().message());
  BOOST_TEST(stat->map_size >= std::uint64_t{8} << 20,
             "a new process takes the grown map: " << stat->map_size);
  std::vector<std::string> problems;
  auto check = lmdbapi::Check(*env.value(), [&](const lmdbapi::CheckProblem& p) {
    if (problems.size() < 10) problems.push_back(p.db + " " + p.uuid + ": " + p.what);
  });
  BOOST_TEST_REQUIRE(check.ok(), check.status().message());
  BOOST_TEST(check->problems == 0u, check->problems << " problems, first: "
                                                    << (problems.empty() ? "" : problems[0]));
  BOOST_TEST(check->records >= std::uint64_t{kInserts});

  std::cout << "mapgrow: " << kWorkers << " workers, LMDB_MAP_SIZE_MB=2 LMDB_MAP_MAX_MB=64, "
            << live.size() << " padded inserts acknowledged, " << failures.size()
            << " other answers; growths logged " << grown << ", adoptions " << adopted
            << " (grown/adopted per worker:" << per_worker << "); map now "
            << (stat->map_size >> 20) << " MiB, " << (stat->used_bytes >> 20)
            << " MiB used; check: " << check->records << " records, " << check->problems
            << " problems; mismatches = " << c.mismatches.size() << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
