// SPDX-License-Identifier: Apache-2.0
// tests/settings/settings_test.cc - src/settings/settings.cc: the store's
// settings as the worker and lmdbapi-admin both read them, and the parts
// a program's own settings are read with. The worker's whole Config is
// tested in tests/http/config_test.cc.

#include <cstdint>
#include <map>
#include <string>

#include <boost/test/unit_test.hpp>

#include "settings/settings.h"

using lmdbapi::Durability;
using namespace lmdbapi::settings;

namespace {

using Vars = std::map<std::string, std::string>;

EnvLookup Lookup(const Vars& vars) {
  return [&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(store_settings_default_without_variables) {
  auto s = ParseStoreSettings(Lookup({}));
  BOOST_TEST_REQUIRE(s.ok(), s.status().message());
  BOOST_TEST(s->env.path == "./var/data");
  BOOST_TEST(s->env.map_size_bytes == std::uint64_t{1} << 30);
  BOOST_TEST(s->env.max_readers == 126u);
  BOOST_TEST((s->env.durability == Durability::kSync));
  BOOST_TEST(s->max_string_bytes == kDefaultMaxStringBytes);
}

BOOST_AUTO_TEST_CASE(store_settings_read_every_store_variable) {
  Vars vars = {{"LMDB_PATH", "/srv/data"},        {"LMDB_MAP_SIZE_GB", "2"},
               {"LMDB_MAP_MAX_GB", "8"},          {"LMDB_MAX_READERS", "9"},
               {"DURABILITY", "nosync"},          {"WRITE_BATCH_MAX", "7"},
               {"MAX_STRING_BYTES", "100"}};
  auto s = ParseStoreSettings(Lookup(vars));
  BOOST_TEST_REQUIRE(s.ok(), s.status().message());
  BOOST_TEST(s->env.path == "/srv/data");
  BOOST_TEST(s->env.map_size_bytes == std::uint64_t{2} << 30);
  BOOST_TEST(s->env.map_max_bytes == std::uint64_t{8} << 30);
  BOOST_TEST(s->env.max_readers == 9u);
  BOOST_TEST((s->env.durability == Durability::kNoSync));
  BOOST_TEST(s->env.max_batch_writes == 7u);
  BOOST_TEST(s->max_string_bytes == 100u);
}

// lmdbapi-admin reads only these: a worker-only setting, even a bad one,
// or fewer readers than the worker's threads, does not stop it.
BOOST_AUTO_TEST_CASE(store_settings_ignore_the_workers_own) {
  Vars vars = {{"WORKER_THREADS", "none"}, {"LOG_LEVEL", "loud"},
               {"CORS_ORIGINS", "not an origin"}, {"LMDB_MAX_READERS", "2"}};
  auto s = ParseStoreSettings(Lookup(vars));
  BOOST_TEST_REQUIRE(s.ok(), s.status().message());
  BOOST_TEST(s->env.max_readers == 2u);
}

BOOST_AUTO_TEST_CASE(a_bad_store_variable_is_named_with_its_value) {
  auto s = ParseStoreSettings(Lookup({{"DURABILITY", "fast"}}));
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.status().subject() == "DURABILITY");
  BOOST_TEST(s.status().message().find("DURABILITY: \"fast\"") == 0u,
             s.status().message());
}

BOOST_AUTO_TEST_CASE(empty_counts_as_unset) {
  Vars vars = {{"LMDB_PATH", ""}};
  BOOST_TEST(!Get(Lookup(vars), "LMDB_PATH").has_value());
  BOOST_TEST(!Get(Lookup(vars), "UNSET").has_value());
}

BOOST_AUTO_TEST_CASE(whole_numbers_are_plain_decimals_in_range) {
  std::uint64_t v = 0;
  BOOST_TEST(ParseWhole("42", 1, 100, &v));
  BOOST_TEST(v == 42u);
  for (const char* bad : {"", "+1", "-1", " 1", "1 ", "1.0", "0x10", "101",
                          "0", "99999999999999999999999"})
    BOOST_TEST(!ParseWhole(bad, 1, 100, &v), bad);
}

BOOST_AUTO_TEST_CASE(get_whole_scales_and_leaves_unset_alone) {
  Vars vars = {{"SIZE_MB", "3"}, {"BAD", "x"}};
  std::uint64_t bytes = 5;
  BOOST_TEST(GetWhole(Lookup(vars), "UNSET", 1, 10, "what", &bytes).ok());
  BOOST_TEST(bytes == 5u);
  BOOST_TEST(GetWhole(Lookup(vars), "SIZE_MB", 1, 10, "what", &bytes, 20).ok());
  BOOST_TEST(bytes == std::uint64_t{3} << 20);
  auto s = GetWhole(Lookup(vars), "BAD", 1, 10, "is not a size", &bytes);
  BOOST_TEST(s.message() == "BAD: \"x\" is not a size");
  BOOST_TEST(bytes == std::uint64_t{3} << 20);
}

BOOST_AUTO_TEST_SUITE_END()
