// SPDX-License-Identifier: Apache-2.0
// src/store/map_growth.cc - see map_growth.h.

#include "store/map_growth.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

// How long a resize waits for this process's open transactions to end.
// Request transactions last milliseconds; a longer one (a big scan, an
// admin snapshot) makes the resize give up rather than stall every request
// behind it.
constexpr std::chrono::milliseconds kPatience{2000};

// Tries at MDB_MAP_RESIZED before giving up: each adoption takes the size
// then stored, and only repeated growth by others can need another.
constexpr int kBeginAttempts = 4;

std::string MiB(std::uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB (" + std::to_string(bytes) +
         " bytes)";
}

void Tell(const Env::Impl& env, const std::string& line) {
  if (env.options.on_map_change) env.options.on_map_change(line);
}

// Whether the environment's last page lies beyond this process's map.
bool Outgrown(const Env::Impl& env) {
  MDB_envinfo info;
  MDB_stat st;
  if (mdb_env_info(env.env, &info) != MDB_SUCCESS ||
      mdb_env_stat(env.env, &st) != MDB_SUCCESS)
    return false;
  return (std::uint64_t(info.me_last_pgno) + 1) * st.ms_psize > info.me_mapsize;
}

Status AtMaximum(const Env::Impl& env) {
  return Status::StorageFull("the LMDB map is at its maximum, " +
                             MiB(env.map_max) + " (raise LMDB_MAP_MAX_GB)");
}

}  // namespace

std::uint64_t MapSize(const Env::Impl& env) {
  MDB_envinfo info;
  if (mdb_env_info(env.env, &info) != MDB_SUCCESS) return 0;
  return info.me_mapsize;
}

Status GrowMap(Env::Impl& env, std::uint64_t seen) {
  std::lock_guard<std::mutex> one(env.grow_mu);
  const std::uint64_t before = MapSize(env);
  if (before > seen) return Status();  // grown meanwhile
  // At the maximum only another process's larger map could help, and only
  // if it wrote beyond this one; otherwise spare every transaction of this
  // process the pause (a full map sees many refused writes).
  if (before >= env.map_max && !Outgrown(env)) return AtMaximum(env);
  int rc = MDB_SUCCESS;
  std::uint64_t stored = 0, after = before;
  bool ran = env.gate.RunExclusive(kPatience, [&] {
    // What another process stored first: its growth may be enough. This
    // can also shrink the map to the stored size when this process's last
    // growth is not committed yet; the set below undoes that.
    rc = mdb_env_set_mapsize(env.env, 0);
    stored = MapSize(env);
    std::uint64_t target =
        before >= env.map_max ? before : std::min(env.map_max, before * 2);
    target = std::max(target, stored);
    if (rc == MDB_SUCCESS && target != stored)
      rc = mdb_env_set_mapsize(env.env, target);
    after = MapSize(env);
  });
  if (!ran)
    return Status::Unavailable(
        "the LMDB map is nearly full and could not grow now: a transaction "
        "of this process stayed open for " +
        std::to_string(kPatience.count()) + " ms; retry");
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_set_mapsize");
  if (after <= before) return AtMaximum(env);
  if (stored > before && after == stored) {
    env.map_adoptions.fetch_add(1);
    Tell(env, "LMDB map: adopted another process's size, " + MiB(before) +
                  " -> " + MiB(after));
  } else {
    env.map_growths.fetch_add(1);
    Tell(env, "LMDB map grown from " + MiB(before) + " to " + MiB(after) +
                  " (most " + MiB(env.map_max) + ")");
  }
  return Status();
}

Status AdoptMapSize(Env::Impl& env) {
  std::lock_guard<std::mutex> one(env.grow_mu);
  const std::uint64_t before = MapSize(env);
  int rc = MDB_SUCCESS;
  std::uint64_t after = before;
  bool ran = env.gate.RunExclusive(kPatience, [&] {
    rc = mdb_env_set_mapsize(env.env, 0);
    // Never below this process's own (perhaps uncommitted) growth.
    if (rc == MDB_SUCCESS && MapSize(env) < before)
      rc = mdb_env_set_mapsize(env.env, before);
    after = MapSize(env);
  });
  if (!ran)
    return Status::Unavailable(
        "another process grew the LMDB map, and a transaction of this "
        "process stayed open too long to adopt the new size; retry");
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_set_mapsize (adopt)");
  if (after > before) {
    env.map_adoptions.fetch_add(1);
    Tell(env, "LMDB map: adopted another process's size, " + MiB(before) +
                  " -> " + MiB(after));
  }
  return Status();
}

Status BeginTxn(Env::Impl& env, MapGate::Hold& hold, unsigned flags,
                MDB_txn** txn, std::string_view what) {
  for (int attempt = 1;; ++attempt) {
    int rc = mdb_txn_begin(env.env, nullptr, flags, txn);
    if (rc == MDB_SUCCESS) return Status();
    *txn = nullptr;
    if (rc != MDB_MAP_RESIZED || attempt == kBeginAttempts)
      return FromMdb(rc, "mdb_txn_begin (" + std::string(what) + ")");
    hold.Release();
    Status s = AdoptMapSize(env);
    hold.Acquire(env.gate);
    if (!s.ok()) return s;
  }
}

}  // namespace lmdbapi
