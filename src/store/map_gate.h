// SPDX-License-Identifier: Apache-2.0
// src/store/map_gate.h - growing the LMDB map while the process serves.
//
// mdb_env_set_mapsize unmaps and maps the data file again, so lmdb.h
// allows it only while no transaction of this process is active: every
// pointer a transaction handed out points into the old mapping. This
// process has request threads (pooled read transactions, see txn.h), the
// group committer's thread and the admin tool's long reads, so a resize
// needs a gate:
//
//   - every top-level transaction is begun, used and ended while its thread
//     holds the gate shared (MapGate::Hold); nested transactions ride on
//     their parent's hold;
//   - a resize closes the gate (new holders wait), waits until the holders
//     have left, remaps, and opens the gate again.
//
// A reset read transaction (pooled, txn.h) holds no pointer into the map,
// so it needs no hold between uses. mdb_txn_renew and mdb_txn_begin read
// the map again.
//
// Other processes on the environment learn of a larger map when their
// mdb_txn_begin returns MDB_MAP_RESIZED (another process wrote beyond the
// end of their mapping): BeginTxn then adopts the size stored in the meta
// page (mdb_env_set_mapsize(env, 0)) behind the gate, and begins again.
//
// Growth: GrowMap doubles the map, capped at Options::map_max_bytes. The
// insert headroom check (headroom.h) calls it when the map nears full, and
// the group committer when a write ran into MDB_MAP_FULL (it then runs the
// batch again, once). Only at the maximum do writes get kStorageFull (507).

#ifndef LMDBAPI_STORE_MAP_GATE_H_
#define LMDBAPI_STORE_MAP_GATE_H_

#include <lmdb.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "lmdbapi/status.h"

namespace lmdbapi {

class MapGate {
 public:
  // Shared: blocks while the gate is closed. Re-entrant only while the gate
  // is open (a thread that enters twice while a resize waits makes the
  // resize give up after its patience, never deadlock).
  void Enter();
  void Leave();

  // Closes the gate, waits until no holder is left, runs `fn`, opens the
  // gate. Returns false without running `fn` if holders remain after
  // `patience` (a long snapshot, or a thread that holds the gate while it
  // asks for a resize); the gate is open again either way.
  // One exclusive section at a time.
  bool RunExclusive(std::chrono::milliseconds patience,
                    const std::function<void()>& fn);

  // RAII shared hold.
  class Hold {
   public:
    explicit Hold(MapGate& gate) : gate_(&gate) { gate_->Enter(); }
    ~Hold() { Release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    void Release() {
      if (gate_ != nullptr) gate_->Leave();
      gate_ = nullptr;
    }
    void Acquire(MapGate& gate) {
      Release();
      gate_ = &gate;
      gate_->Enter();
    }
    bool held() const { return gate_ != nullptr; }

   private:
    MapGate* gate_;
  };

  // For tests: holders now (and those about to back out of a closed gate),
  // and whether a resize has closed the gate.
  int TEST_Holders() const { return active_.load(); }
  bool TEST_Closed() const { return closed_.load(); }

 private:
  std::atomic<int> active_{0};
  std::atomic<bool> closed_{false};
  std::mutex mu_;                // guards the waits below, not the counters
  std::condition_variable cv_;   // holders gone / gate open again
  std::mutex exclusive_mu_;      // one RunExclusive at a time
};

}  // namespace lmdbapi

#endif  // LMDBAPI_STORE_MAP_GATE_H_
