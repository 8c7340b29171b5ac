// SPDX-License-Identifier: Apache-2.0
// src/store/headroom.h - room for inserts: growing the map before it is
// full, and keeping its last pages for updates and deletes.
//
// LMDB copies pages on write, so even a delete needs free pages. If inserts
// were allowed to fill the map to the last page, nothing could be updated
// or deleted to make room again. Inserts are therefore refused (kStorageFull)
// once fewer than a reserve of pages is free: max(128 pages, 1% of the map).
// Updates and deletes may still use the reserve; when even that is gone they
// get kStorageFull from LMDB itself (MDB_MAP_FULL), and nothing is written.
//
// Below the map's maximum (Options::map_max_bytes) an insert that finds
// less than an eighth of the map free grows it first (map_growth.h), so the
// reserve is only reached at the maximum.

#ifndef LMDBAPI_STORE_HEADROOM_H_
#define LMDBAPI_STORE_HEADROOM_H_

#include "lmdbapi/status.h"
#include "store/env_impl.h"

namespace lmdbapi {

// OK if an insert may go ahead; kStorageFull if the map is at its maximum
// and into its reserve. Cheap (one mdb_env_info) until the map's
// high-water mark nears the end; only then does it count the free list, in
// a read transaction, and perhaps grow the map.
// REQUIRES: the calling thread holds no transaction of `env` (see GrowMap).
Status CheckInsertHeadroom(Env::Impl& env);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_HEADROOM_H_
