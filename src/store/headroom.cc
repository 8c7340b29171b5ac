// SPDX-License-Identifier: Apache-2.0
// src/store/headroom.cc - see headroom.h.

#include "store/headroom.h"

#include <lmdb.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "store/map_growth.h"
#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

// An update touches the record, each index, the parent link and the change
// feed: at 64 a 1 MiB map ran out while updating (issue 13 added indexes).
constexpr std::uint64_t kMinReservePages = 128;

// Growth waits for this process's transactions to pause, so it should
// happen seldom and early: at an eighth of the map free, doubling leaves
// more than half of the new map free.
constexpr std::uint64_t kGrowWhenFreeBelowDivisor = 8;

// Rounds of growth one insert may ask for (another process's writes may
// fill what one growth gave before this insert looks again).
constexpr int kGrowthRounds = 3;

// Pages on LMDB's free list. Each free-list record's value is an ID list
// whose first word is its length (lmdb.h's MDB_IDL layout, as mdb_stat -f
// counts it). Pages freed by transactions that old readers still see are
// counted too: this is a headroom estimate, not a promise.
Status CountFreePages(Env::Impl& env, std::uint64_t* free_pages) {
  *free_pages = 0;
  MapGate::Hold hold(env.gate);
  MDB_txn* txn;
  Status s = BeginTxn(env, hold, MDB_RDONLY, &txn, "free list");
  if (!s.ok()) return s;
  MDB_cursor* cur;
  int rc = mdb_cursor_open(txn, 0 /* FREE_DBI */, &cur);
  if (rc == MDB_SUCCESS) {
    MDB_val k, v;
    while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS)
      if (v.mv_size >= sizeof(std::size_t))
        *free_pages += *static_cast<const std::size_t*>(v.mv_data);
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) rc = MDB_SUCCESS;
  }
  mdb_txn_abort(txn);
  return FromMdb(rc, "reading the free list");
}

}  // namespace

Status CheckInsertHeadroom(Env::Impl& env) {
  for (int round = 0;; ++round) {
    MDB_envinfo info;
    MDB_stat st;
    int rc;
    {
      // Both read the meta pages, inside the map: hold the gate so that no
      // other thread's resize unmaps them meanwhile (map_gate.h). Released
      // before CountFreePages and GrowMap, which take it themselves.
      MapGate::Hold hold(env.gate);
      rc = mdb_env_info(env.env, &info);
      if (rc == MDB_SUCCESS) rc = mdb_env_stat(env.env, &st);
    }
    if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_info");
    std::uint64_t map_pages = info.me_mapsize / st.ms_psize;
    std::uint64_t reserve = std::max(kMinReservePages, map_pages / 100);
    // me_last_pgno is the environment's, written by any process;
    // me_mapsize is this process's map, which another process may have
    // outgrown (then nothing is untouched here, and growth adopts its size).
    std::uint64_t used = std::uint64_t(info.me_last_pgno) + 1;
    std::uint64_t untouched = map_pages - std::min(map_pages, used);
    bool growable = info.me_mapsize < env.map_max && round < kGrowthRounds;
    bool outgrown = used > map_pages && round < kGrowthRounds;
    std::uint64_t want =
        growable ? std::max(reserve, map_pages / kGrowWhenFreeBelowDivisor)
                 : reserve;
    if (untouched >= want) return Status();
    std::uint64_t free_pages = 0;
    Status s = CountFreePages(env, &free_pages);
    if (!s.ok()) return s;
    std::uint64_t available = untouched + free_pages;
    if (available >= want) return Status();
    if (growable || outgrown) {
      s = GrowMap(env, info.me_mapsize);
      if (s.ok()) continue;
      // Could not grow now: the reserve still decides.
      if (s.code() != Status::Code::kStorageFull && available >= reserve)
        return Status();
      if (s.code() != Status::Code::kStorageFull) return s;
    }
    if (available >= reserve) return Status();
    return Status::StorageFull(
        "the LMDB map is full: " + std::to_string(available) + " of " +
        std::to_string(map_pages) + " pages free, and the last " +
        std::to_string(reserve) +
        " are kept for updates and deletes (raise LMDB_MAP_MAX_GB)");
  }
}

}  // namespace lmdbapi
