// SPDX-License-Identifier: Apache-2.0
// tests/http/config_test.cc - src/http/config.cc: environment -> Config.

#include <map>
#include <string>

#include <boost/test/unit_test.hpp>

#include "http/config.h"

using lmdbapi::Durability;
using lmdbapi::http::Config;
using lmdbapi::http::LogLevel;
using lmdbapi::http::ParseConfig;

namespace {

using Vars = std::map<std::string, std::string>;

lmdbapi::Result<Config> Parse(const Vars& vars, unsigned cores = 4) {
  return ParseConfig(
      [&vars](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
      },
      cores);
}

// The error for one bad variable: names it, quotes the value.
void ExpectRejected(const std::string& var, const std::string& value,
                    const std::string& expected_hint) {
  auto c = Parse({{var, value}});
  BOOST_TEST_REQUIRE(!c.ok(), var << "=" << value << " was accepted");
  const std::string& msg = c.status().message();
  BOOST_TEST(c.status().subject() == var);
  BOOST_TEST(msg.find(var + ":") == 0, msg);
  BOOST_TEST(msg.find("\"" + value + "\"") != std::string::npos, msg);
  BOOST_TEST(msg.find(expected_hint) != std::string::npos, msg);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_need_no_variables) {
  auto c = Parse({});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST(c->host_url == "127.0.0.1:8080");
  BOOST_TEST(c->env.path == "./var/data");
  BOOST_TEST(c->env.map_size_bytes == std::uint64_t{1} << 30);
  BOOST_TEST(c->env.max_readers == 126u);
  BOOST_TEST((c->env.durability == Durability::kSync));
  BOOST_TEST((c->log_level == LogLevel::kInfo));
  BOOST_TEST(!c->fcgi_socket.has_value());
  BOOST_TEST(c->max_body_bytes == std::size_t{1} << 20);
  BOOST_TEST(c->bulk_max_body_bytes == std::size_t{64} << 20);
  BOOST_TEST(c->max_string_bytes == 65536u);
  BOOST_TEST(!c->api_keys_file.has_value());
  BOOST_TEST(c->worker_threads == 64u);  // 16 x 4 cores
  BOOST_TEST(c->env.max_batch_writes == 0u);  // the library's default, 256
}

BOOST_AUTO_TEST_CASE(default_threads_are_two_per_core_at_least_two) {
  BOOST_TEST(Parse({}, 0)->worker_threads == 16u);  // cores unknown
  BOOST_TEST(Parse({}, 1)->worker_threads == 16u);
  BOOST_TEST(Parse({}, 2)->worker_threads == 32u);
  BOOST_TEST(Parse({}, 256)->worker_threads == 64u);  // under 126 readers
}

BOOST_AUTO_TEST_CASE(every_variable_is_read) {
  auto c = Parse({{"HOST_URL", "[::1]:9000"},
                  {"LMDB_PATH", "/srv/db"},
                  {"LMDB_MAP_SIZE_GB", "16"},
                  {"LMDB_MAX_READERS", "500"},
                  {"DURABILITY", "nometasync"},
                  {"WORKER_THREADS", "32"},
                  {"LOG_LEVEL", "debug"},
                  {"FCGI_SOCKET", "/run/x.sock"},
                  {"MAX_BODY_BYTES", "4096"},
                  {"BULK_MAX_BODY_BYTES", "8192"},
                  {"WRITE_BATCH_MAX", "8"}});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST(c->host_url == "[::1]:9000");
  BOOST_TEST(c->env.path == "/srv/db");
  BOOST_TEST(c->env.map_size_bytes == std::uint64_t{16} << 30);
  BOOST_TEST(c->env.max_readers == 500u);
  BOOST_TEST((c->env.durability == Durability::kNoMetaSync));
  BOOST_TEST(c->worker_threads == 32u);
  BOOST_TEST((c->log_level == LogLevel::kDebug));
  BOOST_TEST(*c->fcgi_socket == "/run/x.sock");
  BOOST_TEST(c->max_body_bytes == 4096u);
  BOOST_TEST(c->bulk_max_body_bytes == 8192u);
  BOOST_TEST(c->env.max_batch_writes == 8u);
  // A MAX_BODY_BYTES above the bulk default raises the bulk limit with it.
  BOOST_TEST(Parse({{"MAX_BODY_BYTES", "1073741824"}})->bulk_max_body_bytes ==
             std::size_t{1} << 30);
  BOOST_TEST((Parse({{"DURABILITY", "nosync"}})->env.durability ==
              Durability::kNoSync));
  BOOST_TEST((Parse({{"LOG_LEVEL", "error"}})->log_level == LogLevel::kError));
}

BOOST_AUTO_TEST_CASE(max_string_bytes_is_read_in_its_range_and_named_when_bad) {
  BOOST_TEST(Parse({{"MAX_STRING_BYTES", "1"}})->max_string_bytes == 1u);
  BOOST_TEST(Parse({{"MAX_STRING_BYTES", "4096"}})->max_string_bytes == 4096u);
  BOOST_TEST(Parse({{"MAX_STRING_BYTES", "1073741824"}})->max_string_bytes ==
             std::size_t{1} << 30);
  // An empty value counts as unset.
  BOOST_TEST(Parse({{"MAX_STRING_BYTES", ""}})->max_string_bytes == 65536u);
  for (const char* bad : {"0", "1073741825", "-1", "64k", " 10", "1e3"})
    ExpectRejected("MAX_STRING_BYTES", bad, "expected 1..1073741824");
}

BOOST_AUTO_TEST_CASE(batch_limit_and_idempotency_ttl_default_and_parse) {
  BOOST_TEST(Parse({})->batch_max_operations == 1000u);
  BOOST_TEST(Parse({})->idempotency_ttl_seconds == 86400u);
  BOOST_TEST(Parse({{"BATCH_MAX_OPERATIONS", "1"}})->batch_max_operations == 1u);
  BOOST_TEST(Parse({{"BATCH_MAX_OPERATIONS", "100000"}})->batch_max_operations ==
             100000u);
  BOOST_TEST(Parse({{"IDEMPOTENCY_TTL", "60"}})->idempotency_ttl_seconds == 60u);
  for (const char* bad : {"0", "100001", "many", "-1"})
    ExpectRejected("BATCH_MAX_OPERATIONS", bad, "expected 1..100000");
  for (const char* bad : {"0", "24h", "31536001"})
    ExpectRejected("IDEMPOTENCY_TTL", bad, "expected 1..31536000");
}

BOOST_AUTO_TEST_CASE(max_examined_is_read_in_its_range_and_named_when_bad) {
  BOOST_TEST(Parse({})->max_examined == 10000u);
  BOOST_TEST(Parse({{"MAX_EXAMINED", "1"}})->max_examined == 1u);
  BOOST_TEST(Parse({{"MAX_EXAMINED", "100000000"}})->max_examined == 100000000u);
  for (const char* bad : {"0", "100000001", "-1", "20k"})
    ExpectRejected("MAX_EXAMINED", bad, "expected 1..100000000");
}

BOOST_AUTO_TEST_CASE(write_batch_max_caps_group_commit) {
  // 1 is the one-commit-per-write baseline make bench compares with; 256 is
  // the most Env::Open takes.
  BOOST_TEST(Parse({{"WRITE_BATCH_MAX", "1"}})->env.max_batch_writes == 1u);
  BOOST_TEST(Parse({{"WRITE_BATCH_MAX", "64"}})->env.max_batch_writes == 64u);
  BOOST_TEST(Parse({{"WRITE_BATCH_MAX", "256"}})->env.max_batch_writes ==
             256u);
  BOOST_TEST(Parse({{"WRITE_BATCH_MAX", ""}})->env.max_batch_writes == 0u);
}

BOOST_AUTO_TEST_CASE(api_keys_file_is_named_not_read) {
  // ParseConfig only records the path; the worker loads it (auth.h), so a
  // missing file is not a config error.
  auto c = Parse({{"API_KEYS_FILE", "/etc/lmdb-api/no-such-file"}});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST_REQUIRE(c->api_keys_file.has_value());
  BOOST_TEST(*c->api_keys_file == "/etc/lmdb-api/no-such-file");
  auto empty = Parse({{"API_KEYS_FILE", ""}});
  BOOST_TEST_REQUIRE(empty.ok());
  BOOST_TEST(!empty->api_keys_file.has_value());  // empty: keys off
}

BOOST_AUTO_TEST_CASE(map_size_in_mib_wins_over_gib) {
  auto c = Parse({{"LMDB_MAP_SIZE_GB", "4"}, {"LMDB_MAP_SIZE_MB", "64"}});
  BOOST_TEST_REQUIRE(c.ok());
  BOOST_TEST(c->env.map_size_bytes == std::uint64_t{64} << 20);
  // The GiB value is not even looked at when MiB is set.
  BOOST_TEST(Parse({{"LMDB_MAP_SIZE_GB", "ten"}, {"LMDB_MAP_SIZE_MB", "8"}})
                 .ok());
}

BOOST_AUTO_TEST_CASE(map_max_defaults_to_the_starting_size_and_may_not_be_below_it) {
  auto c = Parse({{"LMDB_MAP_SIZE_GB", "2"}});
  BOOST_TEST_REQUIRE(c.ok());
  BOOST_TEST(c->env.map_max_bytes == 0u);  // Options: 0 = the starting size
  c = Parse({{"LMDB_MAP_SIZE_GB", "2"}, {"LMDB_MAP_MAX_GB", "8"}});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST(c->env.map_max_bytes == std::uint64_t{8} << 30);
  // The test form: MiB, winning over GiB.
  c = Parse({{"LMDB_MAP_SIZE_MB", "4"}, {"LMDB_MAP_MAX_MB", "64"},
             {"LMDB_MAP_MAX_GB", "ten"}});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST(c->env.map_max_bytes == std::uint64_t{64} << 20);
  c = Parse({{"LMDB_MAP_SIZE_GB", "4"}, {"LMDB_MAP_MAX_GB", "2"}});
  BOOST_TEST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().subject() == "LMDB_MAP_MAX_GB");
  BOOST_TEST(c.status().message().find("below the starting map size") !=
                 std::string::npos,
             c.status().message());
  c = Parse({{"LMDB_MAP_SIZE_MB", "64"}, {"LMDB_MAP_MAX_MB", "32"}});
  BOOST_TEST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().subject() == "LMDB_MAP_MAX_MB");
  ExpectRejected("LMDB_MAP_MAX_GB", "lots",
                 "is not a whole number of GiB (expected 1..1024)");
  ExpectRejected("LMDB_MAP_MAX_MB", "0",
                 "is not a whole number of MiB (expected 1..1048576)");
}

BOOST_AUTO_TEST_CASE(empty_variables_count_as_unset) {
  auto c = Parse({{"LMDB_MAP_SIZE_GB", ""}, {"FCGI_SOCKET", ""},
                  {"WORKER_THREADS", ""}});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST(c->env.map_size_bytes == std::uint64_t{1} << 30);
  BOOST_TEST(!c->fcgi_socket.has_value());
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_variable_and_value) {
  ExpectRejected("LMDB_MAP_SIZE_GB", "ten",
                 "is not a whole number of GiB (expected 1..1024)");
  ExpectRejected("LMDB_MAP_SIZE_GB", "0", "expected 1..1024");
  ExpectRejected("LMDB_MAP_SIZE_GB", "1025", "expected 1..1024");
  ExpectRejected("LMDB_MAP_SIZE_GB", "-1", "expected 1..1024");
  ExpectRejected("LMDB_MAP_SIZE_GB", "1.5", "expected 1..1024");
  ExpectRejected("LMDB_MAP_SIZE_GB", " 2", "expected 1..1024");
  ExpectRejected("LMDB_MAP_SIZE_MB", "64M", "MiB");
  ExpectRejected("LMDB_MAX_READERS", "many", "expected 1..65536");
  ExpectRejected("DURABILITY", "fsync", "sync, nometasync or nosync");
  ExpectRejected("WORKER_THREADS", "0", "expected 1..1024");
  ExpectRejected("WORKER_THREADS", "99999999999999999999999", "1..1024");
  ExpectRejected("LOG_LEVEL", "verbose", "error, info or debug");
  ExpectRejected("HOST_URL", "http://localhost:8080", "host:port");
  ExpectRejected("HOST_URL", "localhost", "host:port");
  ExpectRejected("HOST_URL", "localhost:0", "host:port");
  ExpectRejected("HOST_URL", "localhost:70000", "host:port");
  ExpectRejected("MAX_BODY_BYTES", "1MB", "byte count");
  ExpectRejected("BULK_MAX_BODY_BYTES", "64MiB", "byte count");
  ExpectRejected("BULK_MAX_BODY_BYTES", "1000", "MAX_BODY_BYTES..");
  ExpectRejected("FCGI_SOCKET", "/" + std::string(120, 'x'), "too long");
  ExpectRejected("WRITE_BATCH_MAX", "0", "expected 1..256");
  ExpectRejected("WRITE_BATCH_MAX", "257", "expected 1..256");
  ExpectRejected("WRITE_BATCH_MAX", "many", "writes per commit");
  ExpectRejected("WRITE_BATCH_MAX", "-1", "expected 1..256");
}

BOOST_AUTO_TEST_CASE(socket_mode_is_owner_or_group_never_others) {
  auto c = Parse({});
  BOOST_TEST_REQUIRE(c.ok());
  BOOST_TEST(c->fcgi_socket_mode == 0660u);
  BOOST_TEST(Parse({{"FCGI_SOCKET_MODE", "0600"}})->fcgi_socket_mode == 0600u);
  BOOST_TEST(Parse({{"FCGI_SOCKET_MODE", "660"}})->fcgi_socket_mode == 0660u);
  ExpectRejected("FCGI_SOCKET_MODE", "0666", "expected 0660");
  ExpectRejected("FCGI_SOCKET_MODE", "0777", "or 0600");
  ExpectRejected("FCGI_SOCKET_MODE", "rw", "expected 0660");
}

BOOST_AUTO_TEST_CASE(require_api_keys_needs_a_keys_file) {
  auto off = Parse({});
  BOOST_TEST_REQUIRE(off.ok());
  BOOST_TEST(!off->require_api_keys);
  auto on = Parse({{"REQUIRE_API_KEYS", "1"}, {"API_KEYS_FILE", "/etc/keys"}});
  BOOST_TEST_REQUIRE(on.ok(), on.status().message());
  BOOST_TEST(on->require_api_keys);
  BOOST_TEST(Parse({{"REQUIRE_API_KEYS", "0"}}).ok());
  ExpectRejected("REQUIRE_API_KEYS", "yes", "not 0 or 1");
  auto missing = Parse({{"REQUIRE_API_KEYS", "1"}});
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.status().subject() == "REQUIRE_API_KEYS");
  BOOST_TEST(missing.status().message().find("API_KEYS_FILE is unset") !=
             std::string::npos, missing.status().message());
}

BOOST_AUTO_TEST_CASE(readers_must_exceed_threads) {
  auto c = Parse({{"WORKER_THREADS", "126"}});
  BOOST_TEST_REQUIRE(!c.ok());
  BOOST_TEST(c.status().subject() == "LMDB_MAX_READERS");
  BOOST_TEST(c.status().message().find("WORKER_THREADS (126)") !=
             std::string::npos, c.status().message());
  BOOST_TEST(Parse({{"WORKER_THREADS", "125"}}).ok());
  BOOST_TEST(!Parse({{"LMDB_MAX_READERS", "32"}}, 2).ok());  // 32 threads
  BOOST_TEST(Parse({{"LMDB_MAX_READERS", "33"}}, 2).ok());
}

BOOST_AUTO_TEST_CASE(connection_limit_and_deadlines_default_and_parse) {
  auto d = Parse({});
  BOOST_TEST_REQUIRE(d.ok(), d.status().message());
  BOOST_TEST(d.value().max_connections == 960u);
  BOOST_TEST(d.value().request_read_timeout_ms == 5000u);
  BOOST_TEST(d.value().response_send_timeout_ms == 10000u);
  auto c = Parse({{"MAX_CONNECTIONS", "1000"},
                  {"REQUEST_READ_TIMEOUT_MS", "250"},
                  {"RESPONSE_SEND_TIMEOUT_MS", "3600000"}});
  BOOST_TEST_REQUIRE(c.ok(), c.status().message());
  BOOST_TEST(c.value().max_connections == 1000u);
  BOOST_TEST(c.value().request_read_timeout_ms == 250u);
  BOOST_TEST(c.value().response_send_timeout_ms == 3600000u);
}

BOOST_AUTO_TEST_CASE(connection_limit_stays_under_fd_setsize) {
  // libfcgi must never see an fd past 1023: more than 1000 is refused.
  ExpectRejected("MAX_CONNECTIONS", "1001", "1..1000");
  ExpectRejected("MAX_CONNECTIONS", "0", "1..1000");
  ExpectRejected("REQUEST_READ_TIMEOUT_MS", "5s", "milliseconds");
  ExpectRejected("REQUEST_READ_TIMEOUT_MS", "0", "milliseconds");
  ExpectRejected("RESPONSE_SEND_TIMEOUT_MS", "3600001", "milliseconds");
}

BOOST_AUTO_TEST_CASE(cors_is_off_unless_cors_origins_names_origins) {
  auto off = Parse({});
  BOOST_TEST_REQUIRE(off.ok(), off.status().message());
  BOOST_TEST(!off->cors.enabled());
  auto on = Parse({{"CORS_ORIGINS", "https://app.example.com, http://localhost:3000"}});
  BOOST_TEST_REQUIRE(on.ok(), on.status().message());
  BOOST_TEST(on->cors.origins.size() == 2u);
  BOOST_TEST(on->cors.Allows("http://localhost:3000"));
  ExpectRejected("CORS_ORIGINS", "https://app.example.com/", "has a path");
}

BOOST_AUTO_TEST_CASE(the_change_feed_settings_are_read_and_named_when_bad) {
  auto d = Parse({});
  BOOST_TEST(d->env.changes);
  BOOST_TEST(d->env.changes_retain_count == 0u);
  BOOST_TEST(d->env.changes_retain_seconds == 0u);
  BOOST_TEST(d->changes_heartbeat_ms == 15000u);
  BOOST_TEST(!Parse({{"CHANGES", "off"}})->env.changes);
  BOOST_TEST(Parse({{"CHANGES", "on"}})->env.changes);
  BOOST_TEST(Parse({{"CHANGES_RETAIN", "1000000"}})->env.changes_retain_count ==
             1000000u);
  BOOST_TEST(Parse({{"CHANGES_RETAIN", "7d"}})->env.changes_retain_seconds ==
             7u * 86400u);
  BOOST_TEST(Parse({{"CHANGES_RETAIN", "90m"}})->env.changes_retain_seconds ==
             5400u);
  BOOST_TEST(Parse({{"CHANGES_RETAIN", "30s"}})->env.changes_retain_seconds ==
             30u);
  BOOST_TEST(Parse({{"CHANGES_RETAIN", "12h"}})->env.changes_retain_count == 0u);
  BOOST_TEST(Parse({{"CHANGES_HEARTBEAT_MS", "250"}})->changes_heartbeat_ms ==
             250u);
  ExpectRejected("CHANGES", "maybe", "on or off");
  for (const char* bad : {"7w", "d", "0", "-5", "1.5d", "7 d"})
    ExpectRejected("CHANGES_RETAIN", bad, "7d");
  ExpectRejected("CHANGES_HEARTBEAT_MS", "5", "10..3600000");
}

BOOST_AUTO_TEST_SUITE_END()
