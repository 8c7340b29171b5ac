// SPDX-License-Identifier: Apache-2.0
// src/http/config.h - the worker's settings, read from the environment.
//
// Every setting is an environment variable with a default, so a plain
// `lmdbapi-worker` runs, and systemd units and run-dev.sh only name what
// they change. The settings that open the store (LMDB_PATH, the map size,
// readers, DURABILITY, WRITE_BATCH_MAX, MAX_STRING_BYTES) are shared with
// lmdbapi-admin and listed in settings/settings.h; the worker's own are
// below. ParseConfig is a pure function of a getenv-like lookup: the
// tests feed it maps, the worker feeds it ::getenv. A bad value is an
// error naming the variable, quoting the value and saying what is expected;
// the worker prints it and exits with code 2.
//
//   HOST_URL          127.0.0.1:8080   where make run's nginx listens
//                                      (host:port); the worker only reports
//                                      it, the production site ignores it
//   WORKER_THREADS    16 x cores       request threads, 1..1024 (default at
//                                      least 16, at most 64)
//   LOG_LEVEL         info             error | info | debug
//   FCGI_SOCKET       (unset)          unix socket path; unset: the socket
//                                      systemd passes (fd 3, LISTEN_FDS),
//                                      else fd 0 if it is a listening
//                                      socket, else ./var/run/lmdb-api.sock
//   FCGI_SOCKET_MODE  0660             mode of the socket the worker makes:
//                                      0660 (its group may connect: put
//                                      nginx's user in it) or 0600 (only
//                                      its user: make run, the e2e tests)
//   MAX_BODY_BYTES    1048576          largest request body accepted (413)
//   MAX_EXAMINED      10000            most records one query request reads
//                                      and filters one by one (a scan, or
//                                      filters no index covers),
//                                      1..100000000; past it the page ends
//                                      with a `next` (README, Queries)
//   BULK_MAX_BODY_BYTES 67108864       largest body of a bulk load (POST
//                                      /api/T/bulk, bulk.h), MAX_BODY_BYTES
//                                      ..4294967296; over it: 413
//   API_KEYS_FILE     (unset)          keys file (auth.h); unset: no keys,
//                                      every request is let in (and the
//                                      worker warns so at start-up)
//   MAX_CONNECTIONS   960              FastCGI connections open at once,
//                                      1..1000 (fds stay under FD_SETSIZE);
//                                      past it new ones wait in the backlog
//   REQUEST_READ_TIMEOUT_MS  5000      a request not whole this long after
//                                      its first byte is dropped, 1..3600000
//   RESPONSE_SEND_TIMEOUT_MS 10000     a response the peer has not taken
//                                      this long is dropped, 1..3600000
//   REQUIRE_API_KEYS  0                1: refuse to start without a valid
//                                      API_KEYS_FILE (fail closed)
//   CORS_ORIGINS      (unset)          origins whose pages may call the API
//                                      (cors.h): exact origins, e.g.
//                                      https://app.example.com, separated
//                                      by commas or spaces, or *; unset:
//                                      CORS off
//   BATCH_MAX_OPERATIONS 1000          most operations in one POST /api/batch,
//                                      1..100000 (413 naming the limit)
//   IDEMPOTENCY_TTL   86400            seconds an Idempotency-Key's answer
//                                      is kept and replayed, 1..31536000
//   CHANGES           on               on | off: the change feed (every
//                                      write also appends its changes;
//                                      include/lmdbapi/changes.h); off: no
//                                      changes are appended and the feed
//                                      routes answer 409 changes-off
//   CHANGES_RETAIN    (unset)          feed retention: a count of changes
//                                      (1000000), or an age with a unit,
//                                      s m h or d (7d); unset: keep all.
//                                      Trimmed a few at a time per commit
//   CHANGES_HEARTBEAT_MS 15000         a change stream idle this long gets
//                                      a comment line, 10..3600000
//
// An empty variable counts as unset.

#ifndef LMDBAPI_HTTP_CONFIG_H_
#define LMDBAPI_HTTP_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "http/cors.h"
#include "http/log.h"
#include "lmdbapi/env.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"
#include "settings/settings.h"

namespace lmdbapi::http {

inline constexpr const char* kDefaultSocketPath = "./var/run/lmdb-api.sock";
using settings::EnvLookup;
using settings::kDefaultMaxStringBytes;
inline constexpr std::size_t kDefaultBatchMaxOperations = 1000;
inline constexpr std::uint64_t kDefaultIdempotencyTtlSeconds = 86400;
inline constexpr std::size_t kDefaultMaxExamined = 10000;

struct Config {
  std::string host_url = "127.0.0.1:8080";
  Options env;  // path, map size, readers, durability
  unsigned worker_threads = 16;
  LogLevel log_level = LogLevel::kInfo;
  std::optional<std::string> fcgi_socket;  // unset: see FCGI_SOCKET above
  std::size_t max_body_bytes = std::size_t{1} << 20;
  std::size_t bulk_max_body_bytes = std::size_t{64} << 20;
  std::size_t max_string_bytes = kDefaultMaxStringBytes;
  std::size_t max_examined = kDefaultMaxExamined;
  unsigned fcgi_socket_mode = 0660;
  std::optional<std::string> api_keys_file;  // unset: API keys off
  unsigned max_connections = 960;
  std::uint32_t request_read_timeout_ms = 5000;
  std::uint32_t response_send_timeout_ms = 10000;
  bool require_api_keys = false;
  CorsPolicy cors;  // off unless CORS_ORIGINS is set
  std::size_t batch_max_operations = kDefaultBatchMaxOperations;
  std::uint64_t idempotency_ttl_seconds = kDefaultIdempotencyTtlSeconds;
  // env.changes and env.changes_retain_* hold CHANGES and CHANGES_RETAIN.
  std::uint32_t changes_heartbeat_ms = 15000;
};

// `cores` is std::thread::hardware_concurrency() (0 if unknown), a parameter
// so that the default thread count is testable.
// Errors: kInvalidArgument, subject = the variable's name.
Result<Config> ParseConfig(const EnvLookup& lookup, unsigned cores);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_CONFIG_H_
