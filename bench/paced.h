// SPDX-License-Identifier: Apache-2.0
// bench/paced.h - an open-loop load generator: a fixed arrival rate, with
// latency measured from each request's intended send time.
//
// A closed loop (wrk, TimeLoop in bench_stats.h) sends the next request
// when the last one is answered, so a stall delays the requests that
// would have arrived meanwhile and they are never timed: coordinated
// omission. Here request i is due at start + i / rate whatever happened
// before it; `threads` threads (connections, for HTTP) take the next due
// request as each becomes free, wait for its due time, run it, and record
// end - due. A request that waits for a free thread is charged the wait, as
// a client arriving at that moment would be (wrk2 and HdrHistogram correct
// the same way). Requests due after `seconds` are not sent, nor any after
// kMaxOverrun x `seconds` of wall time (far behind: a run that cannot hold
// its rate still ends; its achieved rate says so).
//
// Prints one line per run, which bench/run.sh turns into a table row:
//   PACED <key> <target/s> <achieved/s> <p50 us> <p99 us> <p99.9 us>
// achieved < target means the threads could not keep up: requests waited
// and the percentiles show it.

#ifndef LMDBAPI_BENCH_PACED_H_
#define LMDBAPI_BENCH_PACED_H_

#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"

namespace lmdbapi::bench {

inline constexpr double kMaxOverrun = 3;

struct PacedResult {
  Samples latency;  // microseconds from each request's due time
  double target = 0;
  double achieved = 0;
};

// Sleeps until `spin` before `due` and spins the rest. A sleep alone (with
// the nanosecond timer slack RunPaced sets) wakes a few microseconds late,
// which is charged to the operation: fine for HTTP's milliseconds, not for
// a library call's microseconds. Spinning costs a core, so only the
// in-process rows do it, and briefly.
inline constexpr std::chrono::microseconds kLibrarySpin{20};

inline void WaitUntil(Clock::time_point due, std::chrono::microseconds spin) {
  if (due - Clock::now() > spin) std::this_thread::sleep_until(due - spin);
  while (Clock::now() < due) {
  }
}

// op(thread, i) runs request i on `thread` (0..threads-1) and returns false
// on a failure, which ends the program: a figure from failing requests
// means nothing.
template <typename Op>
PacedResult RunPaced(double rate, double seconds, int threads,
                     std::chrono::microseconds spin, Op&& op) {
  const auto period = std::chrono::duration<double>(1.0 / rate);
  const std::size_t total = static_cast<std::size_t>(rate * seconds);
  std::atomic<std::size_t> next{0};
  std::vector<Samples> per(threads);
  std::vector<std::thread> pool;
  // Start a little ahead so every thread is waiting before the first one
  // is due.
  const auto start = Clock::now() + std::chrono::milliseconds(20);
  const auto give_up = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(seconds * kMaxOverrun));
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      prctl(PR_SET_TIMERSLACK, 1UL);  // nanosecond wake-ups, not 50 us
      per[t].us.reserve(total / threads + 1024);
      for (;;) {
        std::size_t i = next.fetch_add(1);
        if (i >= total || Clock::now() > give_up) return;
        auto due = start + std::chrono::duration_cast<Clock::duration>(period * i);
        WaitUntil(due, spin);
        if (!op(t, i)) {
          std::fprintf(stderr, "paced: request %zu failed\n", i);
          std::exit(1);
        }
        per[t].us.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - due).count());
      }
    });
  for (auto& th : pool) th.join();
  PacedResult r;
  for (auto& s : per) r.latency.Merge(s);
  r.latency.wall_us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  r.target = rate;
  r.achieved = r.latency.OpsPerSec();
  return r;
}

// The same schedule for an operation that completes elsewhere (an
// asynchronous write, answered on the committer's thread): one thread
// issues request i at its due time with issue(i, done), and the operation
// calls done(ok) once, from any thread. Nothing bounds the requests in
// flight, as nothing does for the API's writes (they hold no request
// thread while their commit is pending).
template <typename Issue>
PacedResult RunPacedAsync(double rate, double seconds,
                          std::chrono::microseconds spin, Issue&& issue) {
  const auto period = std::chrono::duration<double>(1.0 / rate);
  const std::size_t total = static_cast<std::size_t>(rate * seconds);
  std::vector<double> us(total);
  std::atomic<std::size_t> finished{0};
  std::atomic<bool> failed{false};
  prctl(PR_SET_TIMERSLACK, 1UL);
  const auto start = Clock::now() + std::chrono::milliseconds(20);
  const auto give_up = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(seconds * kMaxOverrun));
  std::size_t issued = 0;
  for (std::size_t i = 0; i < total && Clock::now() <= give_up; ++i, ++issued) {
    auto due = start + std::chrono::duration_cast<Clock::duration>(period * i);
    WaitUntil(due, spin);
    issue(i, [&us, &finished, &failed, i, due](bool ok) {
      us[i] = std::chrono::duration<double, std::micro>(Clock::now() - due).count();
      if (!ok) failed.store(true);
      finished.fetch_add(1, std::memory_order_release);
    });
  }
  while (finished.load(std::memory_order_acquire) < issued)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (failed.load()) {
    std::fprintf(stderr, "paced: a request failed\n");
    std::exit(1);
  }
  PacedResult r;
  us.resize(issued);
  r.latency.us = std::move(us);
  r.latency.wall_us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  r.target = rate;
  r.achieved = r.latency.OpsPerSec();
  return r;
}

inline void PrintPaced(const std::string& key, PacedResult& r) {
  std::printf("PACED %s %.0f %.1f %.2f %.2f %.2f\n", key.c_str(), r.target,
              r.achieved, r.latency.Percentile(0.50), r.latency.Percentile(0.99),
              r.latency.Percentile(0.999));
  std::fflush(stdout);
}

}  // namespace lmdbapi::bench

#endif  // LMDBAPI_BENCH_PACED_H_
