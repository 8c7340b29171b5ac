// src/store/headroom.cc - see headroom.h.

#include "store/headroom.h"

#include <lmdb.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

constexpr std::uint64_t kMinReservePages = 64;

// Pages on LMDB's free list. Each free-list record's value is an ID list
// whose first word is its length (lmdb.h's MDB_IDL layout, as mdb_stat -f
// counts it). Pages freed by transactions that old readers still see are
// counted too: this is a headroom estimate, not a promise.
Status CountFreePages(MDB_env* env, std::uint64_t* free_pages) {
  *free_pages = 0;
  MDB_txn* txn;
  int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_txn_begin (free list)");
  MDB_cursor* cur;
  rc = mdb_cursor_open(txn, 0 /* FREE_DBI */, &cur);
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
  MDB_envinfo info;
  MDB_stat st;
  int rc = mdb_env_info(env.env, &info);
  if (rc == MDB_SUCCESS) rc = mdb_env_stat(env.env, &st);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_info");
  std::uint64_t map_pages = info.me_mapsize / st.ms_psize;
  std::uint64_t reserve = std::max(kMinReservePages, map_pages / 100);
  std::uint64_t untouched = map_pages - std::min(map_pages, std::uint64_t(info.me_last_pgno) + 1);
  if (untouched >= reserve) return Status();
  std::uint64_t free_pages = 0;
  Status s = CountFreePages(env.env, &free_pages);
  if (!s.ok()) return s;
  if (untouched + free_pages >= reserve) return Status();
  return Status::StorageFull(
      "the LMDB map is full: " + std::to_string(untouched + free_pages) +
      " of " + std::to_string(map_pages) +
      " pages free, and the last " + std::to_string(reserve) +
      " are kept for updates and deletes (raise LMDB_MAP_SIZE_GB)");
}

}  // namespace lmdbapi
