// SPDX-License-Identifier: Apache-2.0
// tests/e2e/workload.cc - see workload.h.

#include "workload.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "harness.h"

namespace lmdbapi::e2e {
namespace {

// Record numbers for raced unique values: far above anything NextN() gives
// in one run, and the same in every thread, so threads collide on them.
constexpr std::uint64_t kRaceBase = 1500000;
constexpr int kRaceValues = 16;

struct Worker {
  Worker(int port, std::uint64_t seed)
      : http(port), rng(seed), live(TheSchema().tables.size()),
        deleted(TheSchema().tables.size()) {}

  HttpClient http;
  std::mt19937_64 rng;
  std::vector<Model> live;
  std::vector<std::set<std::string>> deleted;
  std::vector<std::string> failures;
  int inserts = 0, updates = 0, deletes = 0, conflicts = 0;

  std::size_t Pick(std::size_t n) { return static_cast<std::size_t>(rng() % n); }

  const Rec* PickLive(int table) {
    const Model& m = live[table];
    if (m.empty()) return nullptr;
    auto it = m.begin();
    std::advance(it, static_cast<long>(Pick(m.size())));
    return &it->second;
  }

  // Sets t's unique fields to a raced value, one time in four.
  bool MaybeRace(const TableDesc& t, Rec* rec) {
    const std::set<int> unique = UniqueKeyFields(t);
    if (unique.empty() || Pick(4) != 0) return false;
    const std::uint64_t n = kRaceBase + Pick(kRaceValues);
    for (int f : unique) rec->fields[f] = GenValue(t, f, n);
    return true;
  }

  void Fail(const std::string& what, const Response& r) {
    failures.push_back(what + ": " + r.Describe());
  }

  // The record in a 200/201 answer, checked against `want`.
  bool Accept(const TableDesc& t, const Response& r, Rec* want) {
    rapidjson::Document d = ParseJson(r.body);
    std::string error;
    std::optional<Rec> got = RecFromJson(t, d, &error);
    if (!got) {
      Fail("answer of the wrong shape (" + error + ")", r);
      return false;
    }
    if (want->uuid.empty()) want->uuid = got->uuid;
    const std::string diff = Mismatch(t, *want, *got);
    if (!diff.empty()) {
      Fail("answer differs from what was sent (" + diff + ")", r);
      return false;
    }
    return true;
  }

  void Insert() {
    int table = static_cast<int>(Pick(TheSchema().tables.size()));
    // A child needs one of this thread's parents: go up until one exists.
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
      ++inserts;
    } else if (r.status == 409 && raced) {
      ++conflicts;
    } else {
      Fail("insert into " + t.name + " expected 201", r);
    }
  }

  void Update(int table) {
    const TableDesc& t = TheSchema().tables[table];
    const Rec old = *PickLive(table);
    std::string parent =
        t.is_main() ? std::string() : std::get<std::string>(old.fields[t.link_field]);
    if (!t.is_main() && Pick(4) == 0) parent = PickLive(t.parent)->uuid;  // a move
    Rec rec = GenRecord(t, NextN(), parent);
    const bool raced = MaybeRace(t, &rec);
    rec.uuid = old.uuid;
    rec.revision = old.revision + 1;
    Response r = http.Put(RecordPath(t, old.uuid), BodyJson(t, rec));
    if (r.status == 200) {
      if (Accept(t, r, &rec)) live[table][rec.uuid] = rec;
      ++updates;
    } else if (r.status == 409 && raced) {
      ++conflicts;
    } else {
      Fail("update of " + t.name + " " + old.uuid + " expected 200", r);
    }
  }

  // Moves uuid and everything below it from live to deleted.
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
    const std::string uuid = PickLive(table)->uuid;
    Response r = http.Delete(RecordPath(t, uuid));
    if (r.status == 204) {
      Forget(table, uuid);
      ++deletes;
    } else {
      Fail("delete of " + t.name + " " + uuid + " expected 204", r);
    }
  }

  void Run(const WorkloadOptions& o) {
    for (int i = 0; i < o.ops_per_thread; ++i) {
      std::vector<int> owned;
      for (int t = 0; t < static_cast<int>(live.size()); ++t)
        if (!live[t].empty()) owned.push_back(t);
      const std::size_t dice = Pick(100);
      if (owned.empty() || dice < static_cast<std::size_t>(o.insert_percent))
        Insert();
      else if (dice < static_cast<std::size_t>(o.insert_percent + o.update_percent))
        Update(owned[Pick(owned.size())]);
      else
        Delete(owned[Pick(owned.size())]);
    }
  }
};

std::string KeyOf(const Rec& rec, const IndexDesc& index) {
  std::string key;
  for (int f : index.key_fields) key += Show(rec.fields[f]) + "\x1f";
  return key;
}

}  // namespace

std::size_t WorkloadResult::LiveCount() const {
  std::size_t n = 0;
  for (const Model& m : live) n += m.size();
  return n;
}

std::size_t WorkloadResult::DeletedCount() const {
  std::size_t n = 0;
  for (const auto& d : deleted) n += d.size();
  return n;
}

WorkloadResult RunWorkload(int port, const WorkloadOptions& options) {
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < options.threads; ++i)
    workers.push_back(std::make_unique<Worker>(port, options.seed * 1000 + i));
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (auto& w : workers)
    threads.emplace_back([&w, &options] { w->Run(options); });
  for (std::thread& t : threads) t.join();
  WorkloadResult out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.live.resize(TheSchema().tables.size());
  out.deleted.resize(TheSchema().tables.size());
  for (auto& w : workers) {
    for (std::size_t t = 0; t < out.live.size(); ++t) {
      out.live[t].insert(w->live[t].begin(), w->live[t].end());
      out.deleted[t].insert(w->deleted[t].begin(), w->deleted[t].end());
    }
    out.failures.insert(out.failures.end(), w->failures.begin(), w->failures.end());
    out.inserts += w->inserts;
    out.updates += w->updates;
    out.deletes += w->deletes;
    out.conflicts += w->conflicts;
  }
  return out;
}

CheckResult CheckAgainst(HttpClient& http, const WorkloadResult& model) {
  CheckResult c;
  auto mismatch = [&](std::string what) { c.mismatches.push_back(std::move(what)); };
  for (const TableDesc& t : TheSchema().tables) {
    const Model& live = model.live[t.position];

    // The listing is the model, record for record.
    Listing all = ListAll(http, t, TablePath(t));
    if (!all.ok) {
      mismatch(t.name + " listing: " + all.error);
      continue;
    }
    std::set<std::string> listed;
    for (const Rec& got : all.records) {
      listed.insert(got.uuid);
      auto it = live.find(got.uuid);
      if (it == live.end()) {
        mismatch(t.name + " " + got.uuid + " is listed but was " +
                 (model.deleted[t.position].count(got.uuid) ? "deleted" : "never acknowledged"));
        continue;
      }
      const std::string diff = Mismatch(t, it->second, got);
      if (!diff.empty()) mismatch(t.name + " " + got.uuid + ": " + diff);
      ++c.records;
    }
    for (const auto& [uuid, rec] : live)
      if (!listed.count(uuid)) mismatch(t.name + " " + uuid + " acknowledged but not listed");

    for (const std::string& uuid : model.deleted[t.position]) {
      Response r = http.Get(RecordPath(t, uuid));
      if (r.status != 404) mismatch(t.name + " deleted " + uuid + " should be 404: " + r.Describe());
      ++c.gone;
    }

    // Every index agrees with the table.
    for (const IndexDesc& index : t.indexes) {
      std::map<std::string, std::set<std::string>> groups;
      std::map<std::string, const Rec*> sample;
      for (const auto& [uuid, rec] : live) {
        groups[KeyOf(rec, index)].insert(uuid);
        sample[KeyOf(rec, index)] = &rec;
      }
      std::size_t found_total = 0;
      for (const auto& [key, uuids] : groups) {
        if (index.kind == IndexKind::UNIQUE && uuids.size() > 1)
          mismatch("UNIQUE index " + t.name + "." + index.name + " key " + key + " acknowledged " +
                   std::to_string(uuids.size()) + " times");
        FieldFilter filter;
        for (int f : index.key_fields) filter.emplace_back(f, sample[key]->fields[f]);
        Listing found = ListAll(http, t, TablePath(t) + "/get-record?" + FilterQuery(t, filter));
        ++c.queries;
        if (!found.ok) {
          mismatch("index " + index.name + " query: " + found.error);
          continue;
        }
        found_total += found.records.size();
        if (Uuids(found.records) != uuids)
          mismatch("index " + t.name + "." + index.name + " key " + key + " finds " +
                   std::to_string(found.records.size()) + " records; the table has " +
                   std::to_string(uuids.size()));
      }
      if (found_total != live.size())
        mismatch("index " + t.name + "." + index.name + " finds " + std::to_string(found_total) +
                 " records over all keys; the table has " + std::to_string(live.size()));

      if (index.kind == IndexKind::RANGE) {
        const int f = index.key_fields.front();
        Listing range = ListAll(
            http, t, WithParam(TablePath(t) + "/range", "field", t.fields[f].name));
        ++c.queries;
        if (!range.ok) {
          mismatch("range " + index.name + ": " + range.error);
        } else {
          if (Uuids(range.records) != Uuids(live) || range.records.size() != live.size())
            mismatch("range " + t.name + "." + index.name + " holds " +
                     std::to_string(range.records.size()) + " records; the table has " +
                     std::to_string(live.size()));
          for (std::size_t i = 1; i < range.records.size(); ++i)
            if (ValLess(t.fields[f].type, range.records[i].fields[f],
                        range.records[i - 1].fields[f]))
              mismatch("range " + index.name + " out of order at " + range.records[i].uuid);
        }
      }
    }

    // Every parent lists exactly its children.
    for (int ci : t.children) {
      const TableDesc& ct = TheSchema().tables[ci];
      std::map<std::string, std::set<std::string>> kids;
      for (const auto& [uuid, rec] : model.live[ci])
        kids[std::get<std::string>(rec.fields[ct.link_field])].insert(uuid);
      for (const auto& [uuid, rec] : live) {
        Listing got = ListAll(http, ct, RecordPath(t, uuid) + "/" + ct.name);
        ++c.queries;
        if (!got.ok)
          mismatch(t.name + " " + uuid + " children " + ct.name + ": " + got.error);
        else if (Uuids(got.records) != kids[uuid])
          mismatch(t.name + " " + uuid + " lists " + std::to_string(got.records.size()) + " " +
                   ct.name + "; it has " + std::to_string(kids[uuid].size()));
      }
    }
  }
  return c;
}

std::string Summary(const WorkloadOptions& o, const WorkloadResult& w, const CheckResult& c) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", w.seconds);
  return std::to_string(o.threads) + " threads x " + std::to_string(o.ops_per_thread) +
         " ops (seed " + std::to_string(o.seed) + ") in " + secs + " s: " +
         std::to_string(w.inserts + w.updates + w.deletes) + " acknowledged (" +
         std::to_string(w.inserts) + " inserts, " + std::to_string(w.updates) + " updates, " +
         std::to_string(w.deletes) + " deletes), " + std::to_string(w.conflicts) +
         " unique races lost (409), " + std::to_string(w.failures.size()) +
         " unexpected answers; " + std::to_string(c.records) + " records checked, " +
         std::to_string(c.gone) + " deleted confirmed 404, " + std::to_string(c.queries) +
         " index/range/children queries, mismatches = " + std::to_string(c.mismatches.size());
}

}  // namespace lmdbapi::e2e
