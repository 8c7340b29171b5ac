// SPDX-License-Identifier: Apache-2.0
// tests/http/change_stream_test.cc - the change stream dispatcher
// (src/http/change_stream.cc) on socket pairs: events in order after each
// Notify, heartbeats while idle, and a client that stops reading is
// dropped without holding back another.

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "http/change_stream.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::ChangeStreams;
using lmdbapi::http::StreamOptions;
using Clock = std::chrono::steady_clock;

namespace {

const Schema& S() { return Schema::Compiled(); }

// The peer's end of a stream: reads FastCGI records and keeps the STDOUT
// content.
struct Peer {
  int fd = -1;
  std::string raw, content;
  ~Peer() {
    if (fd >= 0) close(fd);
  }
  // Reads what has come, for up to `ms`; false once the stream closed.
  bool Pump(int ms) {
    timeval tv{0, ms * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return false;
    if (n > 0) raw.append(buf, static_cast<std::size_t>(n));
    while (raw.size() >= 8) {
      std::size_t len = (static_cast<unsigned char>(raw[4]) << 8) |
                        static_cast<unsigned char>(raw[5]);
      std::size_t pad = static_cast<unsigned char>(raw[6]);
      if (raw.size() < 8 + len + pad) break;
      if (raw[1] == 6) content.append(raw, 8, len);  // FCGI_STDOUT
      raw.erase(0, 8 + len + pad);
    }
    return true;
  }
  std::size_t Events() const {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = content.find("\nid: ", at)) != std::string::npos; ++at) ++n;
    return n + (content.rfind("id: ", 0) == 0);
  }
};

int AddPeer(ChangeStreams& streams, Peer* peer, int sndbuf = 0) {
  int sv[2];
  BOOST_TEST_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  if (sndbuf > 0) {
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof sndbuf);
  }
  peer->fd = sv[1];
  ChangesRequest request;
  streams.Add(sv[0], 1, "Status: 200 OK\r\n\r\n", request);
  return sv[0];
}

void InsertSome(Env& env, int n, std::uint64_t first_serial) {
  const TableDesc& t = S().tables[0];
  std::mt19937_64 rng(first_serial);
  for (int i = 0; i < n; ++i) {
    Record r = testutil::RandomRecord(t, rng, first_serial + i);
    REQUIRE_OK(Table(env, t).Insert(&r));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(change_stream)

BOOST_AUTO_TEST_CASE(events_follow_commits_and_heartbeats_fill_idle_time) {
  testutil::TempEnv e;
  StreamOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  ChangeStreams streams(e.env(), o);
  REQUIRE_OK(streams.Start());
  Peer peer;
  AddPeer(streams, &peer);
  InsertSome(e.env(), 5, 1);
  streams.Notify();
  const auto until = Clock::now() + std::chrono::seconds(10);
  while ((peer.Events() < 5 || peer.content.find(": heartbeat") == std::string::npos) &&
         Clock::now() < until)
    BOOST_TEST_REQUIRE(peer.Pump(50));
  BOOST_TEST(peer.content.rfind("Status: 200 OK\r\n\r\n", 0) == 0u);
  BOOST_TEST(peer.Events() == 5u);
  BOOST_TEST(peer.content.find("id: 1\n") != std::string::npos);
  BOOST_TEST(peer.content.find("id: 5\n") != std::string::npos);
  BOOST_TEST(peer.content.find(": heartbeat") != std::string::npos);
  streams.Stop();
  // Stopping ends the response: the stream closes.
  while (peer.Pump(50)) {
  }
  BOOST_TEST(streams.clients() == 0);
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_is_dropped_and_another_keeps_up) {
  testutil::TempEnv e;
  StreamOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  o.stall_timeout = std::chrono::milliseconds(300);
  o.max_buffer = 16 << 10;
  lmdbapi::http::Metrics metrics(S(), 1);
  ChangeStreams streams(e.env(), o, &metrics);
  REQUIRE_OK(streams.Start());
  Peer stalled, reader;
  AddPeer(streams, &stalled, 4096);  // never read
  AddPeer(streams, &reader);
  const int kWrites = 1500;
  const auto until = Clock::now() + std::chrono::seconds(30);
  for (int i = 0; i < kWrites; i += 100) {
    InsertSome(e.env(), 100, 1000 + i);
    streams.Notify();
    reader.Pump(1);
  }
  while ((reader.Events() < static_cast<std::size_t>(kWrites) ||
          streams.dropped() == 0) &&
         Clock::now() < until)
    reader.Pump(20);
  BOOST_TEST(reader.Events() == static_cast<std::size_t>(kWrites));
  BOOST_TEST(streams.dropped() == 1u);
  BOOST_TEST(streams.clients() == 1);
  BOOST_TEST(metrics.TEST_Dropped(lmdbapi::http::Metrics::Drop::kStream) == 1u);
  std::string text;
  metrics.Render(e.env(), &text);
  BOOST_TEST(text.find("\nlmdbapi_change_streams 1\n") != std::string::npos);
  // The stalled one got a prefix, then its socket closed.
  BOOST_TEST(stalled.Events() < static_cast<std::size_t>(kWrites));
}

BOOST_AUTO_TEST_SUITE_END()
