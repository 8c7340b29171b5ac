// SPDX-License-Identifier: Apache-2.0
// tests/e2e/crash_test.cc - kill -9 under write load loses no acknowledged
// write.
//
// Client threads insert, update and delete through nginx while the worker
// (or, every third cycle, nginx) is SIGKILLed at a random moment. Each
// thread also reads its own records back (exactly as last acknowledged)
// and keeps a model of what it was told: a 2xx is acknowledged and must
// survive exactly; a 4xx (a lost unique race) must leave no trace; no
// answer at all (connection reset, timeout) or a 502/503/504 from nginx is
// "unknown": the write may or may not have happened, but all of it or none
// of it. A thread stops at its first unknown answer, so each cycle leaves at
// most one unknown write per thread, resolved against the server after the
// restart:
//   insert  a record in the table that no acknowledged insert explains must
//           equal, field for field, one of that table's unknown inserts
//   update  the record holds either the old content (old revision) or the
//           new one (revision + 1), nothing in between
//   delete  the record is either there unchanged or gone with every
//           descendant (the full check below sees half a cascade)
// Then CheckAgainst (workload.h) compares every table, record, index, range
// and parent link with the model, and mdb_stat must read the environment
// with no reader slot of a dead process left after a restart (Env::Open
// clears them; the count found just before the restart is printed).
//
// Figures are printed. Cycles and seed come from the environment so
// bench/crash_soak.sh can run the same test longer:
//   LMDBAPI_CRASH_CYCLES  (default 4)   LMDBAPI_CRASH_SEED  (default fixed)
//   LMDBAPI_CRASH_WORKERS (default 2: killed in turn, while nginx sends
//                          reads to the other; were a write resent there,
//                          its PUT would move the revision by two and its
//                          DELETE answer 404: see @api_write in the conf)

#include <signal.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"
#include "lmdbapi/admin.h"
#include "lmdbapi/env.h"
#include "workload.h"

namespace lmdbapi::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kThreads = 4;
// Long: an answer that is only slow (a loaded machine, other suites running
// beside this one) is not a kill. Given up on, it would count as unknown
// and be resolved at once, while the live worker may still apply it after
// that; a killed worker or nginx ends its requests at once anyway.
constexpr long kClientTimeoutMs = 20000;

int EnvInt(const char* name, int dflt) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : dflt;
}

// No whole answer: none at all, nginx's word that the worker gave none, or
// an answer cut short (curl's error set after a status line arrived).
bool Unknown(const Response& r) {
  return r.status == 0 || r.status == 502 || r.status == 503 || r.status == 504 ||
         !r.error.empty();
}

struct UnknownWrite {
  enum Kind { kInsert, kUpdate, kDelete } kind;
  int table;
  Rec before;  // update, delete: the acknowledged record
  Rec after;   // insert, update: what was sent (uuid unset for an insert)
};

// One client thread's model, kept across cycles. Like workload.cc's Worker,
// it only updates and deletes records it inserted itself.
struct CrashClient {
  CrashClient(int port, std::uint64_t seed)
      : http(port, kClientTimeoutMs), rng(seed),
        live(TheSchema().tables.size()), deleted(TheSchema().tables.size()) {}

  HttpClient http;
  std::mt19937_64 rng;
  std::vector<Model> live;
  std::vector<std::set<std::string>> deleted;  // this cycle's; see Run
  std::vector<std::string> failures;
  std::optional<UnknownWrite> unknown;  // this cycle's, if any
  bool stop_reading = false;            // a read got no answer this cycle
  long acked = 0, refused = 0, unknowns = 0, ops_this_cycle = 0;

  std::size_t Pick(std::size_t n) { return static_cast<std::size_t>(rng() % n); }

  const Rec* PickLive(int table) {
    const Model& m = live[table];
    if (m.empty()) return nullptr;
    auto it = m.begin();
    std::advance(it, static_cast<long>(Pick(m.size())));
    return &it->second;
  }

  bool Accept(const TableDesc& t, const Response& r, Rec* want) {
    rapidjson::Document d = ParseJson(r.body);
    std::string error;
    std::optional<Rec> got = RecFromJson(t, d, &error);
    if (!got) {
      failures.push_back("answer of the wrong shape (" + error + "): " + r.Describe());
      return false;
    }
    if (want->uuid.empty()) want->uuid = got->uuid;
    const std::string diff = Mismatch(t, *want, *got);
    if (!diff.empty()) {
      failures.push_back("answer differs from what was sent (" + diff + "): " + r.Describe());
      return false;
    }
    return true;
  }

  // One raced unique value in four, as workload.cc does, so 409s happen.
  bool MaybeRace(const TableDesc& t, Rec* rec) {
    const std::set<int> unique = UniqueKeyFields(t);
    if (unique.empty() || Pick(4) != 0) return false;
    const std::uint64_t n = 2500000 + Pick(8);
    for (int f : unique) rec->fields[f] = GenValue(t, f, n);
    return true;
  }

  void Insert() {
    int table = static_cast<int>(Pick(TheSchema().tables.size()));
    while (TheSchema().tables[table].parent >= 0 &&
           live[TheSchema().tables[table].parent].empty())
      table = TheSchema().tables[table].parent;
    const TableDesc& t = TheSchema().tables[table];
    const std::string parent = t.is_main() ? std::string() : PickLive(t.parent)->uuid;
    Rec rec = GenRecord(t, NextN(), parent);
    const bool raced = MaybeRace(t, &rec);
    Response r = http.Post(TablePath(t), BodyJson(t, rec));
    if (r.status == 201) {
      rec.revision = 1;
      if (Accept(t, r, &rec)) live[table][rec.uuid] = rec;
      ++acked;
    } else if (r.status == 409 && raced) {
      ++refused;
    } else if (Unknown(r)) {
      unknown = UnknownWrite{UnknownWrite::kInsert, table, {}, rec};
    } else {
      failures.push_back("insert into " + t.name + " expected 201: " + r.Describe());
    }
  }

  void Update(int table) {
    const TableDesc& t = TheSchema().tables[table];
    const Rec old = *PickLive(table);
    std::string parent =
        t.is_main() ? std::string() : std::get<std::string>(old.fields[t.link_field]);
    if (!t.is_main() && Pick(4) == 0) parent = PickLive(t.parent)->uuid;
    Rec rec = GenRecord(t, NextN(), parent);
    const bool raced = MaybeRace(t, &rec);
    rec.uuid = old.uuid;
    rec.revision = old.revision + 1;
    Response r = http.Put(RecordPath(t, old.uuid), BodyJson(t, rec));
    if (r.status == 200) {
      if (Accept(t, r, &rec)) live[table][rec.uuid] = rec;
      ++acked;
    } else if (r.status == 409 && raced) {
      ++refused;
    } else if (Unknown(r)) {
      unknown = UnknownWrite{UnknownWrite::kUpdate, table, old, rec};
    } else {
      failures.push_back("update of " + t.name + " expected 200: " + r.Describe());
    }
  }

  void Forget(int table, const std::string& uuid) {
    live[table].erase(uuid);
    deleted[table].insert(uuid);
    for (int c : TheSchema().tables[table].children) {
      const TableDesc& ct = TheSchema().tables[c];
      std::vector<std::string> kids;
      for (const auto& [id, rec] : live[c])
        if (std::get<std::string>(rec.fields[ct.link_field]) == uuid) kids.push_back(id);
      for (const std::string& id : kids) Forget(c, id);
    }
  }

  void Delete(int table) {
    const TableDesc& t = TheSchema().tables[table];
    const Rec old = *PickLive(table);
    Response r = http.Delete(RecordPath(t, old.uuid));
    if (r.status == 204) {
      Forget(table, old.uuid);
      ++acked;
    } else if (Unknown(r)) {
      unknown = UnknownWrite{UnknownWrite::kDelete, table, old, {}};
    } else {
      failures.push_back("delete of " + t.name + " expected 204: " + r.Describe());
    }
  }

  // Writes until told to stop or until an answer is unknown.
  // Reads keep reader slots busy, so kills leave some behind. A thread
  // reads its own record, which must be exactly as last acknowledged.
  void Read(int table) {
    const TableDesc& t = TheSchema().tables[table];
    const Rec want = *PickLive(table);
    Response r = http.Get(RecordPath(t, want.uuid));
    if (Unknown(r)) {
      stop_reading = true;  // the kill: stop like a write would, nothing to resolve
      return;
    }
    if (r.status != 200) {
      failures.push_back("read of " + t.name + " expected 200: " + r.Describe());
      return;
    }
    rapidjson::Document d = ParseJson(r.body);
    const std::string diff = Mismatch(t, want, d);
    if (!diff.empty())
      failures.push_back("read differs from the last acknowledged write (" + diff +
                         "): " + r.Describe());
  }

  // Deletions are confirmed (404) in the cycle they happen; after that the
  // full listing would show a record that came back as unexplained.
  void Run(const std::atomic<bool>& stop) {
    ops_this_cycle = 0;
    for (auto& d : deleted) d.clear();
    stop_reading = false;
    while (!stop.load() && !unknown && !stop_reading) {
      std::vector<int> owned;
      for (int t = 0; t < static_cast<int>(live.size()); ++t)
        if (!live[t].empty()) owned.push_back(t);
      const std::size_t dice = Pick(100);
      if (owned.empty() || dice < 40)
        Insert();
      else if (dice < 65)
        Update(owned[Pick(owned.size())]);
      else if (dice < 85)
        Delete(owned[Pick(owned.size())]);
      else
        Read(owned[Pick(owned.size())]);
      ++ops_this_cycle;
    }
    if (unknown) ++unknowns;
  }
};

// The record at uuid: nullopt for 404; sets *error on anything else.
std::optional<Rec> Fetch(HttpClient& http, const TableDesc& t, const std::string& uuid,
                         std::string* error) {
  Response r = http.Get(RecordPath(t, uuid));
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) {
    *error = r.Describe();
    return std::nullopt;
  }
  rapidjson::Document d = ParseJson(r.body);
  std::optional<Rec> got = RecFromJson(t, d, error);
  if (!got) *error += ": " + r.Describe();
  return got;
}

struct Resolution {
  int happened = 0, not_happened = 0;
  std::vector<std::string> mismatches;
};

// Settles every client's unknown write against the server (see the file
// comment), updating the client's model to what the server holds.
Resolution ResolveUnknowns(HttpClient& http, std::vector<std::unique_ptr<CrashClient>>& clients) {
  Resolution res;
  const Schema& schema = TheSchema();
  // Records no model explains, by table: candidates for unknown inserts.
  std::vector<std::vector<Rec>> strays(schema.tables.size());
  bool any_insert = false;
  for (auto& c : clients)
    if (c->unknown && c->unknown->kind == UnknownWrite::kInsert) any_insert = true;
  if (any_insert) {
    for (const TableDesc& t : schema.tables) {
      Listing all = ListAll(http, t, TablePath(t));
      if (!all.ok) {
        res.mismatches.push_back(t.name + " listing: " + all.error);
        continue;
      }
      for (const Rec& got : all.records) {
        bool known = false;
        for (auto& c : clients) known = known || c->live[t.position].count(got.uuid) > 0;
        for (auto& c : clients)  // an unknown update/delete's record is known too
          if (c->unknown && c->unknown->kind != UnknownWrite::kInsert &&
              c->unknown->before.uuid == got.uuid)
            known = true;
        if (!known) strays[t.position].push_back(got);
      }
    }
  }

  for (auto& c : clients) {
    if (!c->unknown) continue;
    const UnknownWrite u = *c->unknown;
    c->unknown.reset();
    const TableDesc& t = schema.tables[u.table];
    std::string error;
    switch (u.kind) {
      case UnknownWrite::kInsert: {
        auto& s = strays[u.table];
        auto it = std::find_if(s.begin(), s.end(), [&](const Rec& got) {
          return Mismatch(t, u.after, got).empty() && got.revision == 1;
        });
        if (it == s.end()) {
          ++res.not_happened;
        } else {
          Rec rec = *it;
          s.erase(it);
          c->live[u.table][rec.uuid] = rec;
          ++res.happened;
        }
        break;
      }
      case UnknownWrite::kUpdate: {
        std::optional<Rec> got = Fetch(http, t, u.before.uuid, &error);
        if (!got) {
          res.mismatches.push_back("after an unknown update, " + t.name + " " + u.before.uuid +
                                   " is missing " + error);
        } else if (Mismatch(t, u.after, *got).empty()) {
          c->live[u.table][u.after.uuid] = u.after;
          ++res.happened;
        } else if (Mismatch(t, u.before, *got).empty()) {
          ++res.not_happened;
        } else {
          res.mismatches.push_back("after an unknown update, " + t.name + " " + u.before.uuid +
                                   " is neither old nor new: " + Mismatch(t, u.after, *got));
        }
        break;
      }
      case UnknownWrite::kDelete: {
        std::optional<Rec> got = Fetch(http, t, u.before.uuid, &error);
        if (!error.empty()) {
          res.mismatches.push_back("after an unknown delete: " + error);
        } else if (!got) {
          c->Forget(u.table, u.before.uuid);  // the full check wants the cascade too
          ++res.happened;
        } else if (Mismatch(t, u.before, *got).empty()) {
          ++res.not_happened;
        } else {
          res.mismatches.push_back("after an unknown delete, " + t.name + " " + u.before.uuid +
                                   " changed: " + Mismatch(t, u.before, *got));
        }
        break;
      }
    }
  }
  for (const TableDesc& t : schema.tables)
    for (const Rec& stray : strays[t.position])
      res.mismatches.push_back(t.name + " " + stray.uuid +
                               " is present but was never acknowledged (nor unknown)");
  return res;
}

struct ReaderTable {
  bool ok = false;
  std::string output;  // mdb_stat's, for failure messages
  int entries = 0;     // reader slots in use
  int stale = 0;       // of them, held by a process that no longer exists
  int high_water = 0;  // "Number of readers used"
};

// Runs `mdb_stat -e -r -a <dir>`: it must open the environment and read
// every database. (-a also makes its exit status mean something: with -r
// alone, mdb_stat exits 1 even when all is well.)
ReaderTable ReadReaders(const std::string& dir) {
  ReaderTable rt;
  const std::string cmd = "mdb_stat -e -r -a '" + dir + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return rt;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) rt.output += buf;
  rt.ok = pclose(p) == 0;
  std::istringstream in(rt.output);
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.find("Number of readers used:") != std::string::npos)
      rt.high_water = std::atoi(line.substr(line.find(':') + 1).c_str());
    if (line.find("pid") != std::string::npos && line.find("thread") != std::string::npos) {
      in_table = true;
      continue;
    }
    if (line.rfind("Status of", 0) == 0) in_table = false;
    if (!in_table) continue;
    std::istringstream fields(line);
    long pid = 0;
    if (!(fields >> pid) || pid <= 0) continue;
    ++rt.entries;
    if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ++rt.stale;
  }
  return rt;
}

std::string FirstFew(const std::vector<std::string>& v, std::size_t n = 10) {
  std::string out;
  for (std::size_t i = 0; i < std::min(n, v.size()); ++i) out += "\n  " + v[i];
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crash)

BOOST_AUTO_TEST_CASE(sigkill_under_write_load_loses_no_acknowledged_write) {
  const int cycles = std::max(1, EnvInt("LMDBAPI_CRASH_CYCLES", 4));
  const std::uint64_t seed = static_cast<std::uint64_t>(EnvInt("LMDBAPI_CRASH_SEED", 606));
  BOOST_TEST_MESSAGE("crash: seed " << seed << ", " << cycles << " cycles");
  Stack stack;
  StackOptions options;
  options.worker_threads = 16;
  options.workers = std::max(1, EnvInt("LMDBAPI_CRASH_WORKERS", 2));
  stack.Start(options);
  // This process also keeps the environment open throughout, as an admin
  // tool would: LMDB resets the reader table when the last process closes
  // the environment, so only while another one holds it do a killed
  // worker's reader slots stay, until mdb_reader_check clears them.
  Options held_options;
  held_options.path = stack.DataDir();
  auto held = Env::Open(held_options);
  BOOST_TEST_REQUIRE(held.ok(), held.status().message());

  std::mt19937_64 rng(seed);
  std::vector<std::unique_ptr<CrashClient>> clients;
  for (int i = 0; i < kThreads; ++i)
    clients.push_back(std::make_unique<CrashClient>(stack.port(), seed * 100 + i));

  int worker_kills = 0, nginx_kills = 0, unknown_happened = 0, unknown_not = 0;
  std::size_t records_checked = 0, gone_checked = 0, queries = 0, mismatches = 0;
  int max_readers_seen = 0, max_high_water = 0, max_stale = 0, stale_left = 0;
  double slowest_cycle = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    const auto cycle_start = Clock::now();
    const bool kill_nginx = cycle % 3 == 2;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& c : clients) threads.emplace_back([&c, &stop] { c->Run(stop); });

    // The kill lands anywhere from early in the load to well into it.
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 500));
    const int victim = cycle % options.workers;
    ProcessExit killed = kill_nginx ? stack.KillNginx() : stack.KillWorker(victim);
    (kill_nginx ? nginx_kills : worker_kills) += 1;
    // Threads stop at their first unknown answer; the rest once told to.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    for (std::thread& t : threads) t.join();
    BOOST_TEST(killed.signal == SIGKILL, "cycle " << cycle << ": " << killed.Describe());

    // What the dead worker left in the reader table, before the restarted
    // worker's Env::Open clears it.
    if (!kill_nginx) stale_left += ReadReaders(stack.DataDir()).stale;

    std::string why;
    if (kill_nginx) {
      BOOST_TEST_REQUIRE(stack.RestartNginx(&why), "nginx did not come back: " << why);
    } else {
      stack.StartWorker(victim);
    }
    // Ready: nginx answers through the new worker.
    for (int tries = 0; tries < 200; ++tries) {
      if (stack.client().Get(TablePath(TheSchema().tables.front()) + "?limit=1").status == 200)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    Resolution res = ResolveUnknowns(stack.client(), clients);
    unknown_happened += res.happened;
    unknown_not += res.not_happened;
    WorkloadResult model;
    model.live.resize(TheSchema().tables.size());
    model.deleted.resize(TheSchema().tables.size());
    long ops = 0;
    for (auto& c : clients) {
      for (std::size_t t = 0; t < model.live.size(); ++t) {
        model.live[t].insert(c->live[t].begin(), c->live[t].end());
        model.deleted[t].insert(c->deleted[t].begin(), c->deleted[t].end());
      }
      ops += c->ops_this_cycle;
    }
    CheckResult check = CheckAgainst(stack.client(), model);
    check.mismatches.insert(check.mismatches.begin(), res.mismatches.begin(),
                            res.mismatches.end());
    records_checked += check.records;
    gone_checked += check.gone;
    queries += check.queries;
    mismatches += check.mismatches.size();
    BOOST_TEST(check.mismatches.empty(),
               "cycle " << cycle << " (seed " << seed << "): " << check.mismatches.size()
                        << " mismatches:" << FirstFew(check.mismatches));

    const ReaderTable readers = ReadReaders(stack.DataDir());
    BOOST_TEST(readers.ok, "mdb_stat cannot read the environment:\n" << readers.output);
    BOOST_TEST(readers.stale == 0, "cycle " << cycle << ": " << readers.stale
                                            << " reader slots of dead processes left:\n"
                                            << readers.output);
    auto stat = held.value()->Stat();
    BOOST_TEST_REQUIRE(stat.ok(), stat.status().message());
    max_readers_seen = std::max({max_readers_seen, readers.entries,
                                 static_cast<int>(stat->readers_in_use)});
    max_stale = std::max(max_stale, readers.stale);
    max_high_water = std::max(max_high_water, readers.high_water);

    const double secs = std::chrono::duration<double>(Clock::now() - cycle_start).count();
    slowest_cycle = std::max(slowest_cycle, secs);
    BOOST_WARN_MESSAGE(secs < 3.0, "cycle " << cycle << " took " << secs << " s");
    BOOST_TEST_MESSAGE("crash: cycle " << cycle << " killed " << (kill_nginx ? "nginx" : "worker")
                                       << " after " << ops << " ops; " << check.records
                                       << " records checked in " << secs << " s");
  }
  // Dead workers' slots are reused, not piled up: the table stays within
  // what the live workers' threads need (twice over, for slots a kill left
  // that the next restart clears), whatever the number of cycles.
  BOOST_TEST(max_high_water <= 2 * options.workers * options.worker_threads + 2,
             "reader slots grew to " << max_high_water << " over " << cycles << " cycles");

  long acked = 0, refused = 0;
  std::vector<std::string> failures;
  for (auto& c : clients) {
    acked += c->acked;
    refused += c->refused;
    failures.insert(failures.end(), c->failures.begin(), c->failures.end());
  }
  BOOST_TEST(failures.empty(), failures.size() << " answers broke the contract:" << FirstFew(failures));
  BOOST_TEST(acked > 0);
  // Every database agrees after the kills, the change feed included (issue
  // 15): its seqs follow one another with no gap, and each write's changes
  // are contiguous.
  auto checked = lmdbapi::Check(*held.value(), [](const lmdbapi::CheckProblem& p) {
    BOOST_ERROR("check: " << p.db << " " << p.uuid << ": " << p.what);
  });
  BOOST_TEST_REQUIRE(checked.ok(), checked.status().message());
  BOOST_TEST(checked->changes > 0u);
  std::cout << "crash: " << cycles << " kill cycles (" << worker_kills << " worker, "
            << nginx_kills << " nginx SIGKILLs; " << options.workers << " workers), seed " << seed << ", " << kThreads
            << " client threads: " << acked << " acknowledged writes, " << refused
            << " refused (409), " << unknown_happened + unknown_not << " unknown ("
            << unknown_happened << " happened whole, " << unknown_not
            << " not at all); verified " << records_checked << " records, " << gone_checked
            << " deletions, " << queries << " index/range/children queries; reader slots: "
            << max_readers_seen << " in use at most, high-water " << max_high_water
            << "; " << stale_left << " slots of killed workers found before a restart, "
            << max_stale << " after one; slowest cycle " << slowest_cycle
            << " s; mismatches = " << mismatches << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
