// SPDX-License-Identifier: Apache-2.0
// tests/store/key_compare_test.cc - src/store/key_compare.cc orders keys as
// LMDB's default comparator does (byte-wise, unsigned, prefix first).

#include <lmdb.h>

#include <random>
#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "store/key_compare.h"

using lmdbapi::CompareKeys;

namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

// LMDB's default order: std::string_view compares as memcmp(3) of the
// shorter length, then by length, which is mdb_cmp_memn's rule.
int Reference(std::string_view a, std::string_view b) { return Sign(a.compare(b)); }

int Ours(const std::string& a, const std::string& b) {
  MDB_val x{a.size(), const_cast<char*>(a.data())};
  MDB_val y{b.size(), const_cast<char*>(b.data())};
  return Sign(CompareKeys(&x, &y));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(key_compare)

BOOST_AUTO_TEST_CASE(sixteen_byte_keys_order_as_their_bytes) {
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> byte(0, 255), pos(0, 15);
  for (int i = 0; i < 100000; ++i) {
    std::string a(16, '\0'), b;
    for (char& c : a) c = static_cast<char>(byte(rng));
    b = a;
    // Mostly keys differing in one byte (shared prefixes, as uuid v7s'
    // timestamps are), at every position, including high-bit bytes.
    if (i % 4 != 0) b[pos(rng)] = static_cast<char>(byte(rng));
    else for (char& c : b) c = static_cast<char>(byte(rng));
    BOOST_TEST_REQUIRE(Ours(a, b) == Reference(a, b), "seed 17, case " << i);
    BOOST_TEST_REQUIRE(Ours(b, a) == Reference(b, a), "seed 17, case " << i);
  }
}

BOOST_AUTO_TEST_CASE(other_sizes_order_as_lmdbs_default) {
  const std::string keys[] = {"", "a", "ab", "abc", std::string(15, 'x'),
                              std::string(16, 'x'), std::string(17, 'x'),
                              std::string(16, '\xff'), std::string(1, '\x80'),
                              std::string("\x00\x01", 2), "permits"};
  for (const std::string& a : keys)
    for (const std::string& b : keys)
      BOOST_TEST(Ours(a, b) == Reference(a, b), "\"" << a << "\" vs \"" << b << "\"");
}

BOOST_AUTO_TEST_SUITE_END()
