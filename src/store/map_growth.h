// SPDX-License-Identifier: Apache-2.0
// src/store/map_growth.h - changing this process's map size: growth in
// steps up to Options::map_max_bytes, and adopting another process's
// growth (see map_gate.h for why a gate and when each is called).

#ifndef LMDBAPI_STORE_MAP_GROWTH_H_
#define LMDBAPI_STORE_MAP_GROWTH_H_

#include <lmdb.h>

#include <cstdint>
#include <string_view>

#include "lmdbapi/status.h"
#include "store/env_impl.h"
#include "store/map_gate.h"

namespace lmdbapi {

// This process's map size in bytes.
std::uint64_t MapSize(const Env::Impl& env);

// The map was `seen` bytes when the caller found it (nearly) full. Makes it
// larger: the size another process stored, if larger, else double, capped
// at env.map_max; logs one line (Options::on_map_change) and counts it.
// OK if the map is now larger than `seen` (also when another thread grew
// it meanwhile); kStorageFull if it is at its maximum; kUnavailable if the
// gate could not be closed in time (a transaction of this process stayed
// open; try again later).
// REQUIRES: the calling thread holds no MapGate::Hold on env.gate.
Status GrowMap(Env::Impl& env, std::uint64_t seen);

// Takes the size another process stored (mdb_env_set_mapsize(env, 0)),
// never shrinking this process's map. For MDB_MAP_RESIZED.
// REQUIRES: as GrowMap.
Status AdoptMapSize(Env::Impl& env);

// mdb_txn_begin for a top-level transaction (parent null) while `hold`
// holds env.gate; on MDB_MAP_RESIZED it releases the hold, adopts the new
// size and begins again (the hold is held again on return, whatever the
// outcome). On error *txn is null and the Status names `what`.
Status BeginTxn(Env::Impl& env, MapGate::Hold& hold, unsigned flags,
                MDB_txn** txn, std::string_view what);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_MAP_GROWTH_H_
