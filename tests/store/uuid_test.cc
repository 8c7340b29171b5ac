// SPDX-License-Identifier: Apache-2.0
// tests/store/uuid_test.cc - tests src/store/uuid.cc.
//
// Record keys must be unique and, within a process, strictly increasing,
// including when several request threads insert at once; the text form must
// read back to the same 16 bytes and refuse anything that is not one.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/uuid.h"
#include "testutil.h"

namespace lmdbapi {
namespace {

std::uint64_t UnixMillis(const Uuid& u) {
  std::uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | u.bytes[i];
  return ms;
}

BOOST_AUTO_TEST_SUITE(uuid)

BOOST_AUTO_TEST_CASE(new_sets_version_7_and_variant_10) {
  for (int i = 0; i < 1000; ++i) {
    const Uuid u = Uuid::New();
    BOOST_TEST_REQUIRE((u.bytes[6] >> 4) == 7);
    BOOST_TEST_REQUIRE((u.bytes[8] >> 6) == 0b10);
  }
}

BOOST_AUTO_TEST_CASE(new_carries_the_current_unix_millisecond) {
  const auto now_ms = [] {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
  };
  const std::uint64_t before = now_ms();
  const Uuid u = Uuid::New();
  const std::uint64_t after = now_ms();
  // Earlier tests may have run the counter a few ms ahead of the clock.
  BOOST_TEST(UnixMillis(u) >= before);
  BOOST_TEST(UnixMillis(u) <= after + 100);
}

BOOST_AUTO_TEST_CASE(new_is_strictly_increasing) {
  const Uuid first = Uuid::New();
  Uuid last = first;
  for (int i = 0; i < 100000; ++i) {
    const Uuid next = Uuid::New();
    if (!(last < next)) {
      BOOST_FAIL("call " << i << ": " << next.ToString()
                         << " does not sort after " << last.ToString());
    }
    last = next;
  }
  // 100,000 keys take more than one millisecond, so the counter both
  // restarted and (very likely) carried over at least once on the way.
  BOOST_TEST(UnixMillis(last) > UnixMillis(first));
}

BOOST_AUTO_TEST_CASE(new_from_many_threads_never_repeats) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50000;
  std::vector<std::vector<Uuid>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      made[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) made[t].push_back(Uuid::New());
    });
  }
  for (auto& th : threads) th.join();

  std::vector<Uuid> all;
  for (int t = 0; t < kThreads; ++t) {
    BOOST_TEST_CONTEXT("thread " << t) {
      BOOST_TEST((std::adjacent_find(made[t].begin(), made[t].end(),
                                     [](const Uuid& a, const Uuid& b) {
                                       return !(a < b);
                                     }) == made[t].end()));
    }
    all.insert(all.end(), made[t].begin(), made[t].end());
  }
  std::sort(all.begin(), all.end());
  BOOST_TEST((std::adjacent_find(all.begin(), all.end()) == all.end()));
  BOOST_TEST(all.size() == std::size_t{kThreads} * kPerThread);
}

BOOST_AUTO_TEST_CASE(random_bits_differ_between_calls) {
  // rand_b is the last 62 bits; the same value twice in a row would mean the
  // generator is stuck.
  const Uuid a = Uuid::New();
  const Uuid b = Uuid::New();
  BOOST_TEST(
      !std::equal(a.bytes.begin() + 9, a.bytes.end(), b.bytes.begin() + 9));
}

BOOST_AUTO_TEST_CASE(text_form_round_trips) {
  for (int i = 0; i < 1000; ++i) {
    const Uuid u = Uuid::New();
    const std::string text = u.ToString();
    BOOST_TEST_REQUIRE(text.size() == 36u);
    Result<Uuid> back = Uuid::Parse(text);
    REQUIRE_OK(back);
    BOOST_TEST_REQUIRE((back.value() == u), text);
  }
}

BOOST_AUTO_TEST_CASE(parse_accepts_either_case_and_any_version) {
  Result<Uuid> upper = Uuid::Parse("0190A4C8-3F2E-7C1A-9B3D-5E6F7A8B9C0D");
  REQUIRE_OK(upper);
  BOOST_TEST(upper->ToString() == "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d");
  BOOST_TEST(upper->bytes[0] == 0x01);
  BOOST_TEST(upper->bytes[15] == 0x0D);

  for (std::string_view text : {"00000000-0000-0000-0000-000000000000",
                                "ffffffff-ffff-ffff-ffff-ffffffffffff",
                                "123e4567-e89b-42d3-a456-426614174000"}) {
    Result<Uuid> r = Uuid::Parse(text);
    REQUIRE_OK(r);
    BOOST_TEST(r->ToString() == text);
  }
}

BOOST_AUTO_TEST_CASE(parse_rejects_anything_else_by_name) {
  for (std::string_view text : {
           "",
           "0190a4c83f2e7c1a9b3d5e6f7a8b9c0d",        // no dashes
           "{0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d}",  // braces
           "urn:uuid:0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d",
           "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0",    // one short
           "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d0",  // one long
           "0190a4c8-3f2e-7c1a-9b3d5-e6f7a8b9c0d",   // dash misplaced
           "0190a4c8-3f2e-7c1a-9b3g-5e6f7a8b9c0d",   // not hex
           "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0 ",
           " 190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d",
           "+190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d",
       }) {
    BOOST_TEST_CONTEXT('"' << text << '"') {
      Result<Uuid> r = Uuid::Parse(text);
      BOOST_TEST_REQUIRE(!r.ok());
      BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
      BOOST_TEST(r.status().subject() == "uuid");
      BOOST_TEST(r.status().message().find("8-4-4-4-12") != std::string::npos,
                 r.status().message());
    }
  }
  BOOST_TEST(Uuid::Parse("0190a4c8-3f2e-7c1a-9b3g-5e6f7a8b9c0d")
                 .status()
                 .message()
                 .find("character 23 is not a hex digit") != std::string::npos);
  BOOST_TEST(
      Uuid::Parse(std::string(36, '\0')).status().message().find("\\x00") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(from_bytes_takes_exactly_16) {
  const Uuid u = Uuid::New();
  Uuid out;
  BOOST_TEST(Uuid::FromBytes(u.AsBytes(), &out));
  BOOST_TEST((out == u));
  BOOST_TEST(!Uuid::FromBytes(u.AsBytes().substr(0, 15), &out));
  BOOST_TEST(!Uuid::FromBytes(std::string(17, 'x'), &out));
  BOOST_TEST(!Uuid::FromBytes("", &out));
}

BOOST_AUTO_TEST_CASE(byte_order_is_creation_order) {
  // What LMDB sees: memcmp of the stored bytes. (compare(), not <, since
  // BOOST_TEST compares strings as collections of signed chars.)
  const Uuid a = Uuid::New();
  const Uuid b = Uuid::New();
  BOOST_TEST(a.AsBytes().compare(b.AsBytes()) < 0);
  BOOST_TEST(a.ToString().compare(b.ToString()) < 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace lmdbapi
