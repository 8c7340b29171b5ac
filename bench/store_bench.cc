// SPDX-License-Identifier: Apache-2.0
// bench/store_bench.cc - the library's operations beside the same storage
// work done with LMDB directly (raw_lmdb.h), in one run, on one disk.
//
//   store_bench DIR     DIR/lib: the library's environment, DIR/raw: the
//                       baseline's; both are left behind, loaded, so
//                       bench/run.sh can serve DIR/lib over HTTP next.
//
// Prints FIGURE lines (bench_stats.h) with keys lib.<op> and raw.<op>, and
// INFO lines. Loading uses no fsync (as a bulk import would); every timed
// write is durable (Durability::kSync, and plain LMDB commits for raw).

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"
#include "lmdbapi/env.h"
#include "lmdbapi/records.h"
#include "lmdbapi/table.h"
#include "permit_gen.h"
#include "raw_lmdb.h"

namespace lmdbapi::bench {
namespace {

constexpr int kWriterThreads = 8;
constexpr double kReadSeconds = 2.0;
constexpr double kWriteSeconds = 3.0;

void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "store_bench: %s: %s\n", what.c_str(),
               s.message().c_str());
  std::exit(1);
}

Record ToLibRecord(const Permit& p) {
  permits_record r;
  r.permit_number = p.permit_number;
  r.client = p.client;
  r.county = p.county;
  r.county_status = p.county_status;
  r.issued_on = Date{p.issued_on};
  r.fee_cents = p.fee_cents;
  r.notes = p.notes;
  return ToRecord(r);
}

// The compiled schema without permits' index on fee_cents: the "scan" row
// times a filter on a field no index serves (the raw twin walks every
// record too), as it did before fee_cents had an index. The worker that
// run.sh starts on this database builds the index when it opens it.
Schema BenchSchema() {
  Schema s = Schema::Compiled();
  for (TableDesc& t : s.tables) {
    if (t.name != "permits") continue;
    const int fee = t.FieldIndex("fee_cents");
    std::erase_if(t.indexes, [fee](const IndexDesc& i) {
      return i.key_fields.size() == 1 && i.key_fields[0] == fee;
    });
  }
  return s;
}

std::unique_ptr<Env> OpenLib(const std::string& dir, Durability d) {
  Options o;
  o.path = dir;
  o.durability = d;
  auto env = Env::Open(o, BenchSchema());
  if (!env.ok()) Die("open " + dir, env.status());
  return std::move(env.value());
}

// Runs op(thread, i) on `threads` threads for `seconds`; one Samples.
template <typename Op>
Samples TimeThreads(int threads, double seconds, Op&& op) {
  std::vector<Samples> per(threads);
  std::vector<std::thread> pool;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      per[t] = TimeLoop(1000000, seconds, [&](std::size_t i) { return op(t, i); });
    });
  for (auto& th : pool) th.join();
  Samples all;
  for (auto& s : per) all.Merge(s);
  all.wall_us = MicrosSince(start);
  return all;
}

// Durable before timing starts: the load wrote without fsync, and its dirty
// pages must not be flushed by (and charged to) the first timed commit.
void SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  ::close(fd);
}

// The machine is shared and noisy, so an operation and its baseline take
// turns, kRounds times each, and each figure merges its turns: a burst of
// someone else's load hits both sides alike.
constexpr int kRounds = 4;

template <typename Lib, typename Raw>
void Compare(const std::string& op, Lib&& lib, Raw&& raw) {
  Samples a, b;
  for (int r = 0; r < kRounds; ++r) {
    Samples x = lib();
    a.Merge(x);
    a.wall_us += x.wall_us;
    Samples y = raw();
    b.Merge(y);
    b.wall_us += y.wall_us;
  }
  PrintFigure("lib." + op, a);
  PrintFigure("raw." + op, b);
}

}  // namespace

// The change feed's cost (issue 15: within 15%): durable inserts on
// kWriterThreads threads into two fresh environments, one with the feed on
// and one with CHANGES=off, alternating rounds so both see the same disk.
int FeedCost(const std::string& dir) {
  Options on;
  on.path = dir + "/feed_on";
  on.durability = Durability::kSync;
  Options off = on;
  off.path = dir + "/feed_off";
  off.changes = false;
  auto env_on = Env::Open(on, BenchSchema());
  auto env_off = Env::Open(off, BenchSchema());
  if (!env_on.ok()) Die("open " + on.path, env_on.status());
  if (!env_off.ok()) Die("open " + off.path, env_off.status());
  const TableDesc& desc = *env_on.value()->schema().FindTable("permits");
  Table t_on(*env_on.value(), desc), t_off(*env_off.value(), desc);
  std::atomic<std::size_t> serial{0};
  auto insert = [&](Table& t) {
    return [&](int, std::size_t) {
      Record r = ToLibRecord(MakeInsertPermit(serial++));
      return t.Insert(&r).ok();
    };
  };
  const double turn = kWriteSeconds / kRounds;
  Samples a, b;
  for (int r = 0; r < kRounds; ++r) {
    Samples x = TimeThreads(kWriterThreads, turn, insert(t_on));
    a.Merge(x);
    a.wall_us += x.wall_us;
    Samples y = TimeThreads(kWriterThreads, turn, insert(t_off));
    b.Merge(y);
    b.wall_us += y.wall_us;
  }
  PrintFigure("lib.insert_8t_feed_on", a);
  PrintFigure("lib.insert_8t_feed_off", b);
  return 0;
}

int Main(const std::string& dir) {
  // ---- load both stores with the same records, without fsync
  std::vector<Uuid> uuids;
  std::vector<RawKey> raw_keys;
  {
    auto env = OpenLib(dir + "/lib", Durability::kNoSync);
    Table permits(*env, *env->schema().FindTable("permits"));
    auto start = Clock::now();
    for (std::size_t i = 0; i < kRecords; ++i) {
      Record r = ToLibRecord(MakePermit(i));
      auto u = permits.Insert(&r);
      if (!u.ok()) Die("load", u.status());
      uuids.push_back(u.value());
    }
    std::printf("INFO lib.load_seconds %.2f\n", MicrosSince(start) / 1e6);
    RawStore raw;
    raw.Open(dir + "/raw", false);
    start = Clock::now();
    for (std::size_t i = 0; i < kRecords; ++i)
      raw_keys.push_back(raw.Insert(MakePermit(i)));
    std::printf("INFO raw.load_seconds %.2f\n", MicrosSince(start) / 1e6);
  }
  SyncFile(dir + "/lib/data.mdb");
  SyncFile(dir + "/raw/data.mdb");

  auto env = OpenLib(dir + "/lib", Durability::kSync);
  const TableDesc& desc = *env->schema().FindTable("permits");
  Table permits(*env, desc);
  RawStore raw;
  raw.Open(dir + "/raw", true);
  const int f_client = desc.FieldIndex("client"), f_county = desc.FieldIndex("county"),
            f_status = desc.FieldIndex("county_status"),
            f_issued = desc.FieldIndex("issued_on"), f_fee = desc.FieldIndex("fee_cents");

  // Pseudo-random but fixed order, the same for both stores.
  auto pick = [](std::size_t i, std::size_t n) { return (i * 2654435761u) % n; };

  // Each turn runs for a share of the time; `i` continues across turns so
  // no turn repeats another's keys.
  const double read_turn = kReadSeconds / kRounds, write_turn = kWriteSeconds / kRounds;
  std::size_t li = 0, ri = 0;
  MDB_txn* txn = nullptr;  // the raw side's reader, renewed per operation

  // ---- point get by primary key
  Compare("get",
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  return permits.Get(uuids[pick(li++, kRecords)]).ok(); }); },
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  return raw.Get(raw_keys[pick(ri++, kRecords)], &txn); }); });

  // ---- composite lookup: client + county + county_status, 10 hits
  PageRequest page;
  Compare("composite",
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  std::size_t k = pick(li++, kCombos);
                  auto r = permits.Find({{f_client, ClientOf(k)}, {f_county, CountyOf(k)},
                                         {f_status, StatusOf(k)}}, page);
                  return r.ok() && r.value().records.size() == kRecords / kCombos &&
                         r.value().plan == "index main_composite"; }); },
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  return raw.Composite(pick(ri++, kCombos), &txn) == kRecords / kCombos; }); });

  // ---- range scan of 1,000 records over issued_on
  const std::size_t want = kRecords / kDays * kRangeDays;
  PageRequest range_page;
  range_page.limit = want;
  auto day = [&](std::size_t i) {
    return kFirstDay + static_cast<std::int32_t>(pick(i, kDays - kRangeDays));
  };
  Compare("range",
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  std::int32_t from = day(li++);
                  auto r = permits.Range(f_issued, Value(Date{from}),
                                         Value(Date{from + kRangeDays - 1}), range_page);
                  return r.ok() && r.value().records.size() == want; }); },
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  std::int32_t from = day(ri++);
                  return raw.Range(from, from + kRangeDays - 1, &txn) == want; }); });

  // ---- full scan of 50,000 records, equality filter on an unindexed field
  Compare("scan",
          [&] { return TimeLoop(100000, read_turn, [&](std::size_t) {
                  auto r = permits.Find({{f_fee, std::int64_t{kNeedleFee}}}, page);
                  return r.ok() && r.value().records.size() == 1 &&
                         r.value().plan == "scan"; }); },
          [&] { return TimeLoop(100000, read_turn, [&](std::size_t) {
                  return raw.Scan(kNeedleFee, &txn) == 1; }); });

  // ---- issue 13's queries
  // One client's records over 1,000 days (50 of its 100), through the
  // client + issued_on composite: one bounded walk.
  const std::int32_t half = kDays / 2;
  Compare("range_eq",
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  Query q;
                  q.filters = {{f_client, ClientOf(pick(li++, 500))}};
                  q.range_field = f_issued;
                  q.from = Value(Date{kFirstDay});
                  q.to = Value(Date{kFirstDay + half - 1});
                  auto r = permits.Select(q, page);
                  return r.ok() && r.value().records.size() == 50 &&
                         r.value().plan == "index by_client_issued_on"; }); },
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  return raw.ClientRange(ClientOf(pick(ri++, 500)), kFirstDay,
                                         kFirstDay + half - 1, &txn) == 50; }); });
  // The newest 100 records of a 40-day range, walked backwards.
  PageRequest desc_page;
  desc_page.limit = 100;
  Compare("range_desc",
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  std::int32_t from = day(li++);
                  Query q;
                  q.range_field = f_issued;
                  q.from = Value(Date{from});
                  q.to = Value(Date{from + kRangeDays - 1});
                  q.descending = true;
                  auto r = permits.Select(q, desc_page);
                  return r.ok() && r.value().records.size() == 100; }); },
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  std::int32_t from = day(ri++);
                  return raw.RangeDesc(from, from + kRangeDays - 1, 100, &txn) == 100; }); });
  Compare("count_all",
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  auto r = permits.CountWhere(Query(), page);
                  return r.ok() && r.value().count >= kRecords; }); },
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  return raw.CountAll(&txn) >= kRecords; }); });
  Compare("count_composite",
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  std::size_t k = pick(li++, kCombos);
                  Query q;
                  q.filters = {{f_client, ClientOf(k)}, {f_county, CountyOf(k)},
                               {f_status, StatusOf(k)}};
                  auto r = permits.CountWhere(q, page);
                  return r.ok() && r.value().count == kRecords / kCombos; }); },
          [&] { return TimeLoop(2000000, read_turn, [&](std::size_t) {
                  return raw.CountComposite(pick(ri++, kCombos), &txn) ==
                         kRecords / kCombos; }); });
  // Autocomplete: the first 100 records of clients "client-01*" (1,000).
  Compare("prefix",
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  Query q;
                  q.prefix_field = f_client;
                  q.prefix = "client-01";
                  auto r = permits.Select(q, desc_page);
                  return r.ok() && r.value().records.size() == 100; }); },
          [&] { return TimeLoop(200000, read_turn, [&](std::size_t) {
                  return raw.Prefix("client-01", 100, &txn) == 100; }); });
  raw.EndReader(txn);

  // ---- durable inserts: one thread, then kWriterThreads at once
  std::atomic<std::size_t> serial{10 * kRecords};
  auto lib_insert = [&](int, std::size_t) {
    Record r = ToLibRecord(MakeInsertPermit(serial++));
    return permits.Insert(&r).ok();
  };
  auto raw_insert = [&](int, std::size_t) {
    raw.Insert(MakeInsertPermit(serial++));
    return true;
  };
  Compare("insert_1t",
          [&] { return TimeThreads(1, write_turn, lib_insert); },
          [&] { return TimeThreads(1, write_turn, raw_insert); });
  auto before = env->Stat();
  Compare("insert_8t",
          [&] { return TimeThreads(kWriterThreads, write_turn, lib_insert); },
          [&] { return TimeThreads(kWriterThreads, write_turn, raw_insert); });
  auto after = env->Stat();
  if (before.ok() && after.ok()) {
    double commits = after.value().write_commits - before.value().write_commits;
    double writes = after.value().writes - before.value().writes;
    std::printf("INFO lib.insert_8t_batch %.1f\n", commits > 0 ? writes / commits : 0);
  }
  return 0;
}

}  // namespace lmdbapi::bench

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[2]) == "feed")
    return lmdbapi::bench::FeedCost(argv[1]);
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_bench DIR [feed]\n");
    return 2;
  }
  int rc = lmdbapi::bench::Main(argv[1]);
  return rc != 0 ? rc : lmdbapi::bench::FeedCost(argv[1]);
}
