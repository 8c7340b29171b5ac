// SPDX-License-Identifier: Apache-2.0
// src/http/config.cc - see config.h.

#include "http/config.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace lmdbapi::http {
namespace {

using settings::Bad;
using settings::Get;
using settings::GetWhole;
using settings::ParseWhole;

// host:port, host being a name, an IPv4 address or a bracketed IPv6 one.
bool ValidHostPort(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = text.substr(0, colon);
  std::uint64_t port = 0;
  if (!ParseWhole(text.substr(colon + 1), 1, 65535, &port)) return false;
  if (host.front() == '[') return host.size() > 2 && host.back() == ']';
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Config> ParseConfig(const EnvLookup& lookup, unsigned cores) {
  Config c;

  if (auto v = Get(lookup, "HOST_URL")) {
    if (!ValidHostPort(*v))
      return Bad("HOST_URL", *v,
                 "is not host:port (expected e.g. 127.0.0.1:8080, no scheme)");
    c.host_url = *v;
  }

  auto store = settings::ParseStoreSettings(lookup);
  if (!store.ok()) return store.status();
  c.env = store->env;
  c.max_string_bytes = store->max_string_bytes;

  if (auto v = Get(lookup, "LOG_LEVEL")) {
    if (*v == "error") {
      c.log_level = LogLevel::kError;
    } else if (*v == "info") {
      c.log_level = LogLevel::kInfo;
    } else if (*v == "debug") {
      c.log_level = LogLevel::kDebug;
    } else {
      return Bad("LOG_LEVEL", *v,
                 "is not a log level (expected error, info or debug)");
    }
  }

  Status s;
  if (Get(lookup, "WORKER_THREADS")) {
    s = GetWhole(lookup, "WORKER_THREADS", 1, 1024,
                 "is not a thread count (expected 1..1024)",
                 &c.worker_threads);
    if (!s.ok()) return s;
  } else {
    // Threads bound the requests being read and answered at once (not
    // idle connections, nor writes waiting for their commit: see
    // fcgi_server.h). A request can still block briefly (a slow body, a
    // page fault on the map), so more than one per core: 16 per core,
    // between 16 and 64 (each holds a reader slot; under the default 126,
    // with room for a second worker process).
    unsigned n = 16 * cores;
    c.worker_threads = n < 16 ? 16 : (n > 64 ? 64 : n);
  }

  // Each request thread holds a read transaction, hence a reader slot.
  if (c.env.max_readers <= c.worker_threads) {
    std::string why = "must exceed WORKER_THREADS (" +
                      std::to_string(c.worker_threads) +
                      "): each thread holds a reader slot";
    return Bad("LMDB_MAX_READERS", std::to_string(c.env.max_readers), why);
  }

  if (auto v = Get(lookup, "FCGI_SOCKET")) {
    // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
    if (v->size() > 107)
      return Bad("FCGI_SOCKET", *v,
                 "is too long for a unix socket path (expected at most 107 "
                 "bytes; use a shorter or relative path)");
    c.fcgi_socket = std::string(*v);
  }

  if (auto v = Get(lookup, "FCGI_SOCKET_MODE")) {
    // Two choices, not any octal mode: anything wider lets other local
    // users past nginx and the API keys.
    if (*v == "0600" || *v == "600") {
      c.fcgi_socket_mode = 0600;
    } else if (*v == "0660" || *v == "660") {
      c.fcgi_socket_mode = 0660;
    } else {
      return Bad("FCGI_SOCKET_MODE", *v,
                 "is not a socket mode this worker uses (expected 0660: its "
                 "group may connect, or 0600: only its user)");
    }
  }

  s = GetWhole(lookup, "MAX_BODY_BYTES", 1, std::uint64_t{1} << 30,
               "is not a byte count (expected 1..1073741824)",
               &c.max_body_bytes);
  if (!s.ok()) return s;

  s = GetWhole(lookup, "MAX_EXAMINED", 1, 100000000,
               "is not a record count (expected 1..100000000, the most "
               "records one query reads and filters one by one)",
               &c.max_examined);
  if (!s.ok()) return s;

  // A bulk load's body (bulk.h); below MAX_BODY_BYTES it would refuse
  // bodies a single insert takes, so it is at least that.
  c.bulk_max_body_bytes = std::max(c.max_body_bytes, c.bulk_max_body_bytes);
  s = GetWhole(lookup, "BULK_MAX_BODY_BYTES", c.max_body_bytes,
               std::uint64_t{4} << 30,
               "is not a byte count (expected MAX_BODY_BYTES.." 
               "4294967296, the largest body POST /api/<table>/bulk takes)",
               &c.bulk_max_body_bytes);
  if (!s.ok()) return s;

  // Only named here; the worker loads it (LoadApiKeys), so that its errors
  // can name the line at fault.
  if (auto v = Get(lookup, "API_KEYS_FILE")) c.api_keys_file = std::string(*v);

  // Each connection is an fd, and libfcgi must never see one past
  // FD_SETSIZE (1024); the rest of the process needs about a dozen.
  s = GetWhole(lookup, "MAX_CONNECTIONS", 1, 1000,
               "is not a connection count (expected 1..1000: each is a "
               "file descriptor, and libfcgi needs them under 1024)",
               &c.max_connections);
  if (!s.ok()) return s;
  constexpr std::string_view kNotMs =
      "is not a time in milliseconds (expected 1..3600000)";
  s = GetWhole(lookup, "REQUEST_READ_TIMEOUT_MS", 1, 3600000, kNotMs,
               &c.request_read_timeout_ms);
  if (!s.ok()) return s;
  s = GetWhole(lookup, "RESPONSE_SEND_TIMEOUT_MS", 1, 3600000, kNotMs,
               &c.response_send_timeout_ms);
  if (!s.ok()) return s;
  if (auto v = Get(lookup, "REQUIRE_API_KEYS")) {
    if (*v == "1") {
      c.require_api_keys = true;
    } else if (*v != "0") {
      return Bad("REQUIRE_API_KEYS", *v,
                 "is not 0 or 1 (1: refuse to start without API_KEYS_FILE)");
    }
  }
  if (c.require_api_keys && !c.api_keys_file)
    return Bad("REQUIRE_API_KEYS", "1",
               "but API_KEYS_FILE is unset; name a keys file (see the README's "
               "API keys section) or set REQUIRE_API_KEYS=0");

  s = GetWhole(lookup, "BATCH_MAX_OPERATIONS", 1, 100000,
               "is not an operation count (expected 1..100000, the most "
               "operations one POST /api/batch may carry)",
               &c.batch_max_operations);
  if (!s.ok()) return s;
  // Seconds, up to a year: the IETF draft leaves the expiry to the server,
  // and keys past it only take room.
  s = GetWhole(lookup, "IDEMPOTENCY_TTL", 1, 31536000,
               "is not a time in seconds (expected 1..31536000; the default "
               "86400 is 24 h)",
               &c.idempotency_ttl_seconds);
  if (!s.ok()) return s;
  if (auto v = Get(lookup, "CHANGES")) {
    if (*v == "on" || *v == "1") {
      c.env.changes = true;
    } else if (*v == "off" || *v == "0") {
      c.env.changes = false;
    } else {
      return Bad("CHANGES", *v, "is not on or off (the change feed)");
    }
  }
  if (auto v = Get(lookup, "CHANGES_RETAIN")) {
    // A count, or a number with a unit of time.
    std::string_view text = *v;
    std::uint64_t unit = 0;  // seconds per unit; 0: a count
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: break;
    }
    if (unit != 0) text.remove_suffix(1);
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        n == 0 || n > (std::uint64_t{1} << 40))
      return Bad("CHANGES_RETAIN", *v,
                 "is not a retention (expected a count of changes, e.g. "
                 "1000000, or an age: a number with s, m, h or d, e.g. 7d)");
    if (unit == 0)
      c.env.changes_retain_count = n;
    else
      c.env.changes_retain_seconds = n * unit;
  }
  s = GetWhole(lookup, "CHANGES_HEARTBEAT_MS", 10, 3600000,
               "is not a time in milliseconds (expected 10..3600000)",
               &c.changes_heartbeat_ms);
  if (!s.ok()) return s;

  if (auto v = Get(lookup, "CORS_ORIGINS")) {
    auto cors = ParseCorsOrigins(*v);
    if (!cors.ok()) return cors.status();
    c.cors = std::move(cors.value());
  }

  return c;
}

}  // namespace lmdbapi::http
