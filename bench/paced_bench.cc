// SPDX-License-Identifier: Apache-2.0
// bench/paced_bench.cc - the original design's latency claims, in process,
// at the rates it claimed them for (paced.h: open loop, latency from each
// request's due time):
//   insert p99 42 us at 12,000 inserts/s
//   composite-key query p99 8 us at 85,000 queries/s
//
//   paced_bench DIR     DIR/lib: a database store_bench loaded (50,000
//                       permits); inserts add records no read finds
//
// Inserts run twice: Durability::kNoSync (no fsync: the comparison fair to
// a figure measured without one) and kSync with group commit (what the
// API promises). Queries are Table::Find on main_composite, 10 hits
// each, as store_bench's composite row; beside them, the same schedule
// around an operation that does nothing (the floor). Prints PACED lines
// (paced.h).

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "lmdbapi/env.h"
#include "lmdbapi/records.h"
#include "lmdbapi/table.h"
#include "paced.h"
#include "permit_gen.h"

namespace lmdbapi::bench {
namespace {

constexpr double kInsertRate = 12000, kQueryRate = 85000;
constexpr double kSeconds = 3;
// Queries: one thread per core. Inserts are Table::InsertAsync, issued by
// one thread and answered on the committer's, as the worker does them: no
// thread waits for a commit, so a batch gathers while an fsync runs.
constexpr int kQueryThreads = 2;

void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "paced_bench: %s: %s\n", what.c_str(), s.message().c_str());
  std::exit(1);
}

std::unique_ptr<Env> Open(const std::string& dir, Durability d) {
  Options o;
  o.path = dir;
  o.durability = d;
  auto env = Env::Open(o);
  if (!env.ok()) Die("open " + dir, env.status());
  return std::move(env.value());
}

// `run` keeps the permit numbers of runs on one database apart (unique).
Record InsertRecord(const std::string& run, std::size_t serial) {
  const Permit p = MakeInsertPermit(serial);
  permits_record r;
  r.permit_number = "PACED-" + run + "-" + p.permit_number;
  r.client = p.client;
  r.county = p.county;
  r.county_status = p.county_status;
  r.issued_on = Date{p.issued_on};
  r.fee_cents = p.fee_cents;
  r.notes = p.notes;
  return ToRecord(r);
}

void Inserts(const std::string& dir, Durability d, std::size_t first_serial,
             const char* key) {
  auto env = Open(dir, d);
  Table permits(*env, *env->schema().FindTable("permits"));
  const std::string run = std::to_string(std::time(nullptr));
  auto r = RunPacedAsync(kInsertRate, kSeconds, kLibrarySpin, [&](std::size_t i, auto done) {
    permits.InsertAsync(InsertRecord(run, first_serial + i),
                        [done](Result<Record> stored) { done(stored.ok()); });
  });
  PrintPaced(key, r);
}

}  // namespace

int Main(const std::string& dir) {
  // The floor: the same schedule and threads around an operation that does
  // nothing. What it shows is the generator's and the machine's (a loaded
  // machine deschedules the threads), and no library could do better.
  {
    auto r = RunPaced(kQueryRate, kSeconds, kQueryThreads, kLibrarySpin,
                      [](int, std::size_t) { return true; });
    PrintPaced("lib.paced_noop", r);
    auto w = RunPacedAsync(kInsertRate, kSeconds, kLibrarySpin,
                           [](std::size_t, auto done) { done(true); });
    PrintPaced("lib.paced_noop_async", w);
  }
  {
    auto env = Open(dir, Durability::kSync);
    const TableDesc& desc = *env->schema().FindTable("permits");
    Table permits(*env, desc);
    const int f_client = desc.FieldIndex("client"), f_county = desc.FieldIndex("county"),
              f_status = desc.FieldIndex("county_status");
    PageRequest page;
    auto r = RunPaced(kQueryRate, kSeconds, kQueryThreads, kLibrarySpin, [&](int, std::size_t i) {
      std::size_t k = (i * 2654435761u) % kCombos;
      auto found = permits.Find({{f_client, ClientOf(k)}, {f_county, CountyOf(k)},
                                 {f_status, StatusOf(k)}}, page);
      return found.ok() && found.value().records.size() == kRecords / kCombos;
    });
    PrintPaced("lib.paced_composite", r);
  }
  // Serials far past store_bench's (10 x kRecords and up), and apart.
  Inserts(dir, Durability::kNoSync, 40 * kRecords, "lib.paced_insert_nosync");
  Inserts(dir, Durability::kSync, 50 * kRecords, "lib.paced_insert_sync");
  return 0;
}

}  // namespace lmdbapi::bench

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: paced_bench DIR\n");
    return 2;
  }
  return lmdbapi::bench::Main(std::string(argv[1]) + "/lib");
}
