// SPDX-License-Identifier: Apache-2.0
// tests/e2e/workload.h - concurrent random writes, a model of what the
// server acknowledged, and a full check of the server against that model.
//
// RunWorkload starts `threads` client threads (each its own HttpClient),
// each doing `ops_per_thread` inserts, updates and deletes chosen by its own
// generator seeded from `seed`, over every table of the schema. A thread
// only updates and deletes records it inserted itself (and parents only
// its own children), so what it was acknowledged is exactly what the
// server must hold, whatever the interleaving. Some inserts and updates
// deliberately race other threads for the same UNIQUE key: exactly the
// acknowledged winner may hold it.
//
// Threads never call Boost.Test (it is not thread-safe): unexpected answers
// are collected as text and the caller reports them.

#ifndef LMDBAPI_TESTS_E2E_WORKLOAD_H_
#define LMDBAPI_TESTS_E2E_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "api.h"
#include "http_client.h"

namespace lmdbapi::e2e {

struct WorkloadOptions {
  int threads = 8;
  int ops_per_thread = 300;
  std::uint64_t seed = 20240501;
  int insert_percent = 45;  // of ops; then updates, the rest deletes
  int update_percent = 30;
};

struct WorkloadResult {
  std::vector<Model> live;                      // by table: acknowledged present
  std::vector<std::set<std::string>> deleted;   // by table: acknowledged gone
  std::vector<std::string> failures;            // answers the contract forbids
  int inserts = 0, updates = 0, deletes = 0;    // acknowledged (2xx)
  int conflicts = 0;                            // 409s on raced unique keys
  double seconds = 0;

  std::size_t LiveCount() const;
  std::size_t DeletedCount() const;
};

WorkloadResult RunWorkload(int port, const WorkloadOptions& options);

struct CheckResult {
  std::size_t records = 0;  // present records compared field by field
  std::size_t gone = 0;     // deleted records confirmed 404
  std::size_t queries = 0;  // index, range and children queries made
  std::vector<std::string> mismatches;
};

// Compares everything the server shows with the model: each table's
// listing, every record's content and revision, 404 for every deleted
// record, every index (a get-record on each distinct key finds exactly the
// records with that key; the keys together find the whole table; UNIQUE
// keys are held once), every RANGE index (the whole range is the table, in
// order) and every parent's children.
CheckResult CheckAgainst(HttpClient& http, const WorkloadResult& model);

// "ops acknowledged ..., records checked ..., mismatches = N".
std::string Summary(const WorkloadOptions& o, const WorkloadResult& w,
                    const CheckResult& c);

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_WORKLOAD_H_
