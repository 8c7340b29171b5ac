// SPDX-License-Identifier: Apache-2.0
// tests/store/map_gate_test.cc - the gate that lets the map be resized
// while other threads use transactions: a resize runs only when no holder
// is inside, holders that come meanwhile wait, and a resize that cannot get
// in gives up instead of hanging.

#include "store/map_gate.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

using namespace lmdbapi;

namespace {

// Polls `done` until it holds or 10 s pass; returns whether it held.
template <typename F>
bool WaitFor(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(map_gate)

BOOST_AUTO_TEST_CASE(a_resize_runs_only_after_every_holder_left) {
  MapGate gate;
  std::atomic<bool> release{false}, ran{false}, ran_while_held{false};
  std::atomic<int> inside{0};
  std::thread holder([&] {
    MapGate::Hold hold(gate);
    inside = 1;
    WaitFor([&] { return release.load(); });
    inside = 0;
  });
  BOOST_TEST_REQUIRE(WaitFor([&] { return inside.load() == 1; }));
  std::thread resizer([&] {
    bool ok = gate.RunExclusive(std::chrono::seconds(10), [&] {
      ran_while_held = inside.load() != 0;
      ran = true;
    });
    BOOST_TEST(ok);
  });
  // The resizer is waiting once a newcomer would have to wait.
  BOOST_TEST_REQUIRE(WaitFor([&] { return gate.TEST_Closed(); }));
  BOOST_TEST(!ran.load(), "the resize ran while a holder was inside");
  release = true;
  holder.join();
  resizer.join();
  BOOST_TEST(ran.load());
  BOOST_TEST(!ran_while_held.load());
  BOOST_TEST(gate.TEST_Holders() == 0);
}

BOOST_AUTO_TEST_CASE(holders_never_overlap_a_resize_under_load) {
  MapGate gate;
  // A stand-in for the mapping: a resize sets it to 0 while it remaps, and
  // to a new generation after; a holder must never see 0.
  std::atomic<int> mapping{1};
  std::atomic<bool> stop{false};
  std::atomic<long> overlaps{0}, entries{0};
  std::vector<std::thread> holders;
  for (int i = 0; i < 6; ++i)
    holders.emplace_back([&] {
      while (!stop.load()) {
        MapGate::Hold hold(gate);
        int seen = mapping.load();
        for (int spin = 0; spin < 50; ++spin)
          if (mapping.load() != seen || seen == 0) ++overlaps;
        ++entries;
      }
    });
  // At least 200 resizes, and on until the holders (slow to be scheduled
  // on a busy machine) have entered a few thousand times, for 30 s at most.
  int resizes = 0, refused = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (resizes + refused < 200 ||
         (entries.load() < 5000 && std::chrono::steady_clock::now() < deadline)) {
    bool ok = gate.RunExclusive(std::chrono::seconds(10), [&] {
      int generation = mapping.exchange(0);
      std::this_thread::yield();
      mapping = generation + 1;
    });
    (ok ? resizes : refused) += 1;
  }
  stop = true;
  for (std::thread& t : holders) t.join();
  BOOST_TEST(refused == 0, "every resize should get in within 10 s");
  BOOST_TEST(overlaps.load() == 0, overlaps.load()
                                       << " holder reads saw a resize in progress");
  BOOST_TEST(entries.load() >= 5000);
  BOOST_TEST_MESSAGE("map gate: " << resizes << " resizes among " << entries.load()
                                  << " holds by 6 threads");
}

BOOST_AUTO_TEST_CASE(a_resize_gives_up_after_its_patience_and_reopens_the_gate) {
  MapGate gate;
  MapGate::Hold hold(gate);  // as a thread that asks for a resize itself
  bool ran = false;
  BOOST_TEST(!gate.RunExclusive(std::chrono::milliseconds(20),
                                [&] { ran = true; }));
  BOOST_TEST(!ran);
  BOOST_TEST(!gate.TEST_Closed());
  // Others get in again.
  std::atomic<bool> entered{false};
  std::thread other([&] {
    MapGate::Hold h(gate);
    entered = true;
  });
  other.join();
  BOOST_TEST(entered.load());
  hold.Release();
  BOOST_TEST(gate.TEST_Holders() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
