// SPDX-License-Identifier: Apache-2.0
// tests/e2e/idempotency_crash_test.cc - with an Idempotency-Key, a write
// retried across a SIGKILL of the worker applies exactly once.
//
// Each cycle a client thread POSTs a new record with a new key and, for as
// long as it gets no answer (no response, or nginx's 502/503/504 while the
// worker is down, or 409 while the key's first request is still being
// written), sends the very same request again. Meanwhile the main thread
// SIGKILLs the worker after a random 0 to 6 ms, which lands before the
// write reached the committer, between its commit and its answer, or after
// the answer, and starts it again. Once the client has its answer (201, the
// record), the table must hold exactly one record with that content, and it
// must be the one the answer names. An answer marked Idempotent-Replayed
// means the kill came after the commit: the first attempt wrote, the retry
// only read the stored answer.
//
// Figures are printed: how many cycles needed a retry, and how many of
// those found the write already committed (replayed).
//   LMDBAPI_IDEMPOTENCY_CYCLES (default 40)  LMDBAPI_CRASH_SEED (default fixed)

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int dflt) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : dflt;
}

// Worth sending again: no answer from the worker at all.
bool Retry(const Response& r) {
  return r.status == 0 || r.status == 502 || r.status == 503 ||
         r.status == 504 || r.status == 409 || !r.error.empty();
}

struct Attempts {
  Response answer;  // the final one
  int sent = 0;
  std::string failure;  // set: the contract was broken
};

// Sends the request until it is answered, or 20 s pass.
void Insist(int port, const std::string& path, const std::string& body,
            const std::string& key, Attempts* out) {
  HttpClient http(port, 5000);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    ++out->sent;
    out->answer = http.Request("POST", path, body,
                               {{"Idempotency-Key", "\"" + key + "\""}});
    if (!Retry(out->answer)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  out->failure = "no answer in 20 s: " + out->answer.Describe();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(idempotency_crash)

BOOST_AUTO_TEST_CASE(a_keyed_insert_retried_across_sigkills_applies_once) {
  const int cycles = std::max(1, EnvInt("LMDBAPI_IDEMPOTENCY_CYCLES", 40));
  const std::uint64_t seed =
      static_cast<std::uint64_t>(EnvInt("LMDBAPI_CRASH_SEED", 1414));
  BOOST_TEST_MESSAGE("idempotency crash: seed " << seed << ", " << cycles << " cycles");
  Stack stack;
  StackOptions options;
  options.workers = 1;  // killed: nginx has nowhere else to send the retry
  stack.Start(options);
  const TableDesc& t = TheSchema().tables.front();
  std::mt19937_64 rng(seed);

  struct Sent {
    Rec rec;
    std::string uuid;  // from the answer
  };
  std::vector<Sent> sent;
  int retried = 0, replayed = 0, killed = 0;
  const auto start = Clock::now();
  for (int cycle = 0; cycle < cycles; ++cycle) {
    const Rec rec = GenRecord(t, NextN());
    const std::string key = "crash-" + std::to_string(seed) + "-" + std::to_string(cycle);
    Attempts attempts;
    std::thread client(Insist, stack.port(), TablePath(t), BodyJson(t, rec), key,
                       &attempts);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 6000));
    const ProcessExit exit = stack.KillWorker(0);
    killed += exit.signal == SIGKILL;
    stack.StartWorker(0);
    client.join();

    BOOST_TEST_CONTEXT("cycle " << cycle << " (seed " << seed << ")") {
      BOOST_TEST_REQUIRE(attempts.failure.empty(), attempts.failure);
      const Response& r = attempts.answer;
      BOOST_TEST_REQUIRE(r.status == 201, r.Describe());
      if (attempts.sent > 1) ++retried;
      if (r.Header("Idempotent-Replayed") == "true") ++replayed;
      std::string error;
      std::optional<Rec> got = RecFromJson(t, ParseJson(r.body), &error);
      BOOST_TEST_REQUIRE(got.has_value(), error << ": " << r.Describe());
      BOOST_TEST(Mismatch(t, rec, *got) == "", r.Describe());
      sent.push_back({rec, got->uuid});
    }
  }

  // Each key: exactly one record with its content, the one it was told of.
  Listing all = ListAll(stack.client(), t, TablePath(t));
  BOOST_TEST_REQUIRE(all.ok, all.error);
  int exactly_once = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    std::vector<std::string> copies;
    for (const Rec& got : all.records)
      if (Mismatch(t, sent[i].rec, got).empty()) copies.push_back(got.uuid);
    BOOST_TEST(copies.size() == 1u, "cycle " << i << ": " << copies.size()
                                              << " records for one key");
    if (copies.size() == 1u) {
      BOOST_TEST(copies[0] == sent[i].uuid);
      ++exactly_once;
    }
  }
  BOOST_TEST(all.records.size() == sent.size());
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "idempotency crash: " << cycles << " cycles (" << killed
            << " worker SIGKILLs), seed " << seed << ": " << exactly_once
            << " keys with exactly one record; " << retried
            << " needed a retry, of which " << replayed
            << " found the write committed before the kill (replayed); "
            << secs << " s" << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
