// SPDX-License-Identifier: Apache-2.0
// bench/permit_gen.h - the data set every benchmark uses, made the same way
// for the library and for the raw LMDB baseline.
//
// kRecords permits. Record i has:
//   main_composite (client, county, county_status): combination i % 5,000,
//     so every combination has exactly kRecords / 5,000 = 10 records;
//   issued_on: day kFirstDay + i % 2,000, 25 records a day, so 40 days
//     hold 1,000 records (the range scan);
//   fee_cents: 100 x (i % 1,000), except record kNeedle, whose fee is
//     kNeedleFee and matches the full-scan filter alone;
//   notes: filler text that makes the stored record about 200 bytes.
// Records inserted by the write benchmarks use client "bench-insert" and a
// day outside those ranges, so they never change what a read finds.

#ifndef LMDBAPI_BENCH_PERMIT_GEN_H_
#define LMDBAPI_BENCH_PERMIT_GEN_H_

#include <cstdint>
#include <cstdio>
#include <string>

namespace lmdbapi::bench {

inline constexpr std::size_t kRecords = 50000;
inline constexpr std::size_t kCombos = 5000;
inline constexpr std::int32_t kFirstDay = 19700;   // 2023-12-09
inline constexpr std::int32_t kDays = 2000;
inline constexpr std::int32_t kRangeDays = 40;     // 1,000 records
inline constexpr std::size_t kNeedle = kRecords / 2;
inline constexpr std::int64_t kNeedleFee = 987654321;
inline constexpr std::int32_t kInsertDay = kFirstDay + kDays + 100;

struct Permit {
  std::string permit_number, client, county, county_status;
  std::int32_t issued_on = 0;  // days since 1970-01-01
  std::int64_t fee_cents = 0;
  std::string notes;
};

inline std::string Fmt(const char* format, std::size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}

// Composite key parts of combination k (0 <= k < kCombos).
inline std::string ClientOf(std::size_t k) { return Fmt("client-%03zu", k % 500); }
inline std::string CountyOf(std::size_t k) { return Fmt("county-%zu", k / 500 % 5); }
inline std::string StatusOf(std::size_t k) {
  return k / 2500 % 2 == 0 ? "Active" : "Closed";
}

inline Permit MakePermit(std::size_t i) {
  Permit p;
  std::size_t k = i % kCombos;
  p.permit_number = Fmt("P-%08zu", i);
  p.client = ClientOf(k);
  p.county = CountyOf(k);
  p.county_status = StatusOf(k);
  p.issued_on = kFirstDay + static_cast<std::int32_t>(i % kDays);
  p.fee_cents = i == kNeedle ? kNeedleFee : 100 * static_cast<std::int64_t>(i % 1000);
  p.notes = Fmt("Permit %zu: ", i) +
            std::string(130, static_cast<char>('a' + i % 26));
  return p;
}

// A record for the write benchmarks: unique permit number n (any n >=
// kRecords), outside every read benchmark's key ranges.
inline Permit MakeInsertPermit(std::size_t n) {
  Permit p = MakePermit(n);
  p.client = "bench-insert";
  p.issued_on = kInsertDay;
  p.fee_cents = 1;
  return p;
}

}  // namespace lmdbapi::bench

#endif  // LMDBAPI_BENCH_PERMIT_GEN_H_
