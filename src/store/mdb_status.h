// src/store/mdb_status.h - the store's one place that knows LMDB's codes.

#ifndef LMDBAPI_STORE_MDB_STATUS_H_
#define LMDBAPI_STORE_MDB_STATUS_H_

#include <string_view>

#include "lmdbapi/status.h"

namespace lmdbapi {

// OK for MDB_SUCCESS; otherwise a Status whose message starts with `op`
// (e.g. "mdb_put permits") and says what to do, where there is a fix.
// MDB_NOTFOUND and MDB_KEYEXIST are answers, not failures: callers handle
// them before calling this, with names the caller knows.
Status FromMdb(int rc, std::string_view op);

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_MDB_STATUS_H_
