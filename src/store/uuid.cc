// SPDX-License-Identifier: Apache-2.0
// src/store/uuid.cc - making, reading and printing record keys.
//
// New() is on every insert's path and may be called from every request
// thread at once, so it takes no lock: the last (millisecond, counter) pair
// handed out is one atomic word, advanced by compare-and-swap, and the 62
// random bits come from a per-thread generator. Both the counter method and
// the rollover rule are RFC 9562 section 6.2 (method 1); the random bits
// only make keys hard to guess, never unique, so a fast non-cryptographic
// generator seeded from the kernel is enough.

#include "lmdbapi/uuid.h"

#include <pthread.h>
#include <sys/random.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "lmdbapi/hex.h"
#include "lmdbapi/quote.h"

namespace lmdbapi {

namespace {

constexpr std::string_view kForm =
    "expected 8-4-4-4-12 hex digits, e.g. "
    "0190a4c8-3f2e-7c1a-9b3d-5e6f7a8b9c0d";
constexpr bool IsDashPosition(std::size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

std::uint64_t SplitMix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Bumped in a child after fork(). A child's threads would otherwise carry
// on with a copy of the parent's generator and repeat its random bits, in
// the very millisecond the parent is using them too.
std::atomic<std::uint64_t> fork_generation{0};

// xoshiro256** (Blackman and Vigna): four words of state, a few cycles a
// call. Seeded with 64 bits from getrandom(2), expanded by SplitMix64 as
// its authors recommend (which also keeps the state from being all zero).
class Xoshiro256 {
 public:
  std::uint64_t Next() {
    const std::uint64_t generation =
        fork_generation.load(std::memory_order_relaxed);
    if (!seeded_ || generation != generation_) Seed(generation);
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }

  void Seed(std::uint64_t generation) {
    std::uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) {
      // No getrandom (a very old kernel) or interrupted: mix what differs
      // between threads and runs. Keys stay unique regardless (the counter
      // guarantees that); only their guessability suffers.
      seed = static_cast<std::uint64_t>(
                 std::chrono::steady_clock::now().time_since_epoch().count()) ^
             reinterpret_cast<std::uintptr_t>(this);
    }
    for (auto& word : s_) word = SplitMix64(&seed);
    generation_ = generation;
    seeded_ = true;
  }

  std::uint64_t s_[4] = {};
  std::uint64_t generation_ = 0;
  bool seeded_ = false;
};

thread_local Xoshiro256 random_bits;

// Registered once per process, before the first key is made.
[[maybe_unused]] const int kAtForkRegistered = pthread_atfork(
    nullptr, nullptr,
    [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });

// The last key's (unix_ms << 12 | counter): the 60 bits that, with the
// fixed version nibble between them, are the uuid's first 8 bytes. Keys are
// ordered by those bytes alone, so making this word strictly increase makes
// the keys strictly increase.
std::atomic<std::uint64_t> last_stamp{0};

constexpr int kCounterBits = 12;

std::uint64_t NextStamp() {
  const auto now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::uint64_t last = last_stamp.load(std::memory_order_relaxed);
  std::uint64_t next;
  do {
    if (now_ms > (last >> kCounterBits)) {
      // A new millisecond: start the counter at a random point, leaving its
      // top bit clear so at least 2048 more keys fit before it rolls over
      // (RFC 9562 section 6.2, "counter rollover guards").
      next = (now_ms << kCounterBits) | (random_bits.Next() >> 53);
    } else {
      // Same millisecond, or the clock stepped back: count on from the last
      // key. A full counter carries into the millisecond, which is the
      // RFC's "increment the timestamp" rollover rule, for free.
      next = last + 1;
    }
  } while (
      !last_stamp.compare_exchange_weak(last, next, std::memory_order_relaxed));
  return next;
}

Status NotUuid(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("uuid", "uuid: " + Quote(text) +
                                             " is not a uuid (" + why + "; " +
                                             std::string(kForm) + ")");
}

}  // namespace

Uuid Uuid::New() {
  const std::uint64_t stamp = NextStamp();
  const std::uint64_t ms = stamp >> kCounterBits;
  const std::uint64_t counter = stamp & ((1u << kCounterBits) - 1);
  const std::uint64_t rand_b = random_bits.Next() >> 2;  // 62 bits

  // unix_ts_ms(48) | ver(4) | rand_a(12), then var(2) | rand_b(62).
  const std::uint64_t hi = (ms << 16) | (0x7u << 12) | counter;
  const std::uint64_t lo = (std::uint64_t{0b10} << 62) | rand_b;
  Uuid u;
  for (int i = 0; i < 8; ++i) {
    u.bytes[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
    u.bytes[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
  }
  return u;
}

Result<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != Uuid::kTextSize) {
    return NotUuid(text,
                   std::to_string(text.size()) + " characters instead of 36");
  }
  Uuid u;
  std::size_t nibble = 0;
  for (std::size_t i = 0; i < Uuid::kTextSize; ++i) {
    const char c = text[i];
    if (IsDashPosition(i)) {
      if (c == '-') continue;
      return NotUuid(text,
                     "character " + std::to_string(i + 1) + " should be '-'");
    }
    const int v = HexDigitValue(c);
    if (v < 0) {
      return NotUuid(
          text, "character " + std::to_string(i + 1) + " is not a hex digit");
    }
    u.bytes[nibble / 2] |=
        static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : v);
    ++nibble;
  }
  return u;
}

bool Uuid::FromBytes(std::string_view raw, Uuid* out) {
  if (raw.size() != out->bytes.size()) return false;
  std::memcpy(out->bytes.data(), raw.data(), raw.size());
  return true;
}

void Uuid::ToChars(char* out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *out++ = '-';
    *out++ = kHex[bytes[i] >> 4];
    *out++ = kHex[bytes[i] & 0xF];
  }
}

std::string Uuid::ToString() const {
  std::string out(Uuid::kTextSize, '\0');
  ToChars(out.data());
  return out;
}

}  // namespace lmdbapi
