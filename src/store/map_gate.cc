// SPDX-License-Identifier: Apache-2.0
// src/store/map_gate.cc - see map_gate.h.
//
// The holders' count is an atomic so that entering and leaving the gate,
// once per transaction on every request, takes no lock while no resize is
// waiting. Enter raises the count before it looks at closed_, and a resize
// sets closed_ before it looks at the count (both sequentially consistent),
// so either the resize sees the new holder or the holder sees the gate
// closed, backs out and waits.

#include "store/map_gate.h"

namespace lmdbapi {

void MapGate::Enter() {
  for (;;) {
    active_.fetch_add(1);
    if (!closed_.load()) return;
    Leave();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !closed_.load(); });
  }
}

void MapGate::Leave() {
  if (active_.fetch_sub(1) == 1 && closed_.load()) {
    // Under mu_: the resizer tests the count under it, so it cannot miss
    // this wake-up between its test and its wait.
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
}

bool MapGate::RunExclusive(std::chrono::milliseconds patience,
                           const std::function<void()>& fn) {
  std::lock_guard<std::mutex> one(exclusive_mu_);
  bool drained;
  {
    std::unique_lock<std::mutex> lock(mu_);
    closed_.store(true);
    drained = cv_.wait_for(lock, patience,
                           [this] { return active_.load() == 0; });
  }
  if (drained) fn();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_.store(false);
  }
  cv_.notify_all();
  return drained;
}

}  // namespace lmdbapi
