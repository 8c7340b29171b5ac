// SPDX-License-Identifier: Apache-2.0
// bench/bench_stats.h - timing loops and the one line every bench prints.
//
// Each benchmark program measures an operation and its baseline in the
// same run and prints one machine-readable line per figure:
//
//   FIGURE <key> <ops_per_sec> <p50_us> <p99_us>
//
// bench/run.sh collects these lines from every program (and from wrk) and
// prints them as one table of ratios. A figure without a latency
// distribution (a whole scan timed as one batch) prints "-" for both
// percentiles; the driver shows it as such.

#ifndef LMDBAPI_BENCH_BENCH_STATS_H_
#define LMDBAPI_BENCH_BENCH_STATS_H_

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace lmdbapi::bench {

using Clock = std::chrono::steady_clock;

inline double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start)
      .count();
}

// Per-operation latencies in microseconds, plus the wall time of the run
// they came from (not their sum: with several threads the two differ).
struct Samples {
  std::vector<double> us;
  double wall_us = 0;

  void Merge(const Samples& other) {
    us.insert(us.end(), other.us.begin(), other.us.end());
  }
  double Percentile(double p) {
    if (us.empty()) return 0;
    std::size_t i = static_cast<std::size_t>(p * (us.size() - 1) + 0.5);
    std::nth_element(us.begin(), us.begin() + i, us.end());
    return us[i];
  }
  double OpsPerSec() const {
    return wall_us > 0 ? us.size() * 1e6 / wall_us : 0;
  }
};

// Calls op(i) for i = 0, 1, ... until `max_ops` calls or `max_seconds`
// have passed, timing each call. op returns false to report a failure,
// which ends the program: a figure from a failing operation means nothing.
template <typename Op>
Samples TimeLoop(std::size_t max_ops, double max_seconds, Op&& op) {
  Samples s;
  s.us.reserve(max_ops);
  auto start = Clock::now();
  double limit_us = max_seconds * 1e6;
  for (std::size_t i = 0; i < max_ops; ++i) {
    auto t = Clock::now();
    if (!op(i)) {
      std::fprintf(stderr, "bench: operation %zu failed\n", i);
      std::exit(1);
    }
    s.us.push_back(MicrosSince(t));
    if (MicrosSince(start) > limit_us) break;
  }
  s.wall_us = MicrosSince(start);
  return s;
}

inline void PrintFigure(const std::string& key, Samples& s) {
  std::printf("FIGURE %s %.1f %.2f %.2f\n", key.c_str(), s.OpsPerSec(),
              s.Percentile(0.50), s.Percentile(0.99));
  std::fflush(stdout);
}

// For an operation timed only as a whole batch.
inline void PrintFigure(const std::string& key, double ops, double wall_us) {
  std::printf("FIGURE %s %.1f - -\n", key.c_str(),
              wall_us > 0 ? ops * 1e6 / wall_us : 0);
  std::fflush(stdout);
}

}  // namespace lmdbapi::bench

#endif  // LMDBAPI_BENCH_BENCH_STATS_H_
