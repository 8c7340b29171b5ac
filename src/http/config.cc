// SPDX-License-Identifier: Apache-2.0
// src/http/config.cc - see config.h.

#include "http/config.h"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace lmdbapi::http {
namespace {

// The variable's value, or nullopt if unset or empty.
std::optional<std::string_view> Get(const EnvLookup& lookup,
                                    const char* name) {
  const char* v = lookup(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string_view(v);
}

Status Bad(const char* name, std::string_view value, std::string_view what) {
  std::string msg = name;
  msg += ": \"";
  msg += value;
  msg += "\" ";
  msg += what;
  return Status::InvalidArgument(name, std::move(msg));
}

// A decimal whole number in [lo, hi], no sign, no spaces.
bool ParseWhole(std::string_view text, std::uint64_t lo, std::uint64_t hi,
                std::uint64_t* out) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

// The whole-number setting `name`, if set: its value in [lo, hi], times
// 2^shift (MiB, GiB), into *out. A value that is not one is an error whose
// message names the setting and ends with `what`.
template <typename T>
Status GetWhole(const EnvLookup& lookup, const char* name, std::uint64_t lo,
                std::uint64_t hi, std::string_view what, T* out,
                unsigned shift = 0) {
  auto v = Get(lookup, name);
  if (!v) return Status();
  std::uint64_t n = 0;
  if (!ParseWhole(*v, lo, hi, &n)) return Bad(name, *v, what);
  *out = static_cast<T>(n << shift);
  return Status();
}

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
  c.env.path = "./var/data";

  if (auto v = Get(lookup, "HOST_URL")) {
    if (!ValidHostPort(*v))
      return Bad("HOST_URL", *v,
                 "is not host:port (expected e.g. 127.0.0.1:8080, no scheme)");
    c.host_url = *v;
  }

  if (auto v = Get(lookup, "LMDB_PATH")) c.env.path = *v;

  constexpr std::string_view kNotMiB =
      "is not a whole number of MiB (expected 1..1048576)";
  constexpr std::string_view kNotGiB =
      "is not a whole number of GiB (expected 1..1024)";
  Status s = Get(lookup, "LMDB_MAP_SIZE_MB")
                 ? GetWhole(lookup, "LMDB_MAP_SIZE_MB", 1, 1024 * 1024, kNotMiB,
                            &c.env.map_size_bytes, 20)
                 : GetWhole(lookup, "LMDB_MAP_SIZE_GB", 1, 1024, kNotGiB,
                            &c.env.map_size_bytes, 30);
  if (!s.ok()) return s;

  // The most the map may grow to; unset: the starting size (no growth).
  if (auto v = Get(lookup, "LMDB_MAP_MAX_MB")) {
    s = GetWhole(lookup, "LMDB_MAP_MAX_MB", 1, 1024 * 1024, kNotMiB,
                 &c.env.map_max_bytes, 20);
    if (!s.ok()) return s;
    if (c.env.map_max_bytes < c.env.map_size_bytes)
      return Bad("LMDB_MAP_MAX_MB", *v,
                 "is below the starting map size (LMDB_MAP_SIZE_MB or _GB); "
                 "raise it or leave it unset");
  } else if (auto v = Get(lookup, "LMDB_MAP_MAX_GB")) {
    s = GetWhole(lookup, "LMDB_MAP_MAX_GB", 1, 1024, kNotGiB,
                 &c.env.map_max_bytes, 30);
    if (!s.ok()) return s;
    if (c.env.map_max_bytes < c.env.map_size_bytes)
      return Bad("LMDB_MAP_MAX_GB", *v,
                 "is below the starting map size (LMDB_MAP_SIZE_GB); raise "
                 "it or leave it unset");
  }

  if (auto v = Get(lookup, "DURABILITY")) {
    if (*v == "sync") {
      c.env.durability = Durability::kSync;
    } else if (*v == "nometasync") {
      c.env.durability = Durability::kNoMetaSync;
    } else if (*v == "nosync") {
      c.env.durability = Durability::kNoSync;
    } else {
      return Bad("DURABILITY", *v,
                 "is not a durability mode (expected sync, nometasync or "
                 "nosync)");
    }
  }

  s = GetWhole(lookup, "WRITE_BATCH_MAX", 1, 256,
               "is not a count of writes per commit (expected 1..256; 1 = "
               "one commit per write)",
               &c.env.max_batch_writes);
  if (!s.ok()) return s;

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

  s = GetWhole(lookup, "LMDB_MAX_READERS", 1, 65536,
               "is not a reader-slot count (expected 1..65536)",
               &c.env.max_readers);
  if (!s.ok()) return s;
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

  // A bulk load's body (bulk.h); below MAX_BODY_BYTES it would refuse
  // bodies a single insert takes, so it is at least that.
  c.bulk_max_body_bytes = std::max(c.max_body_bytes, c.bulk_max_body_bytes);
  s = GetWhole(lookup, "BULK_MAX_BODY_BYTES", c.max_body_bytes,
               std::uint64_t{4} << 30,
               "is not a byte count (expected MAX_BODY_BYTES.." 
               "4294967296, the largest body POST /api/<table>/bulk takes)",
               &c.bulk_max_body_bytes);
  if (!s.ok()) return s;

  // Any size a body could hold is allowed: a limit above MAX_BODY_BYTES
  // is simply never reached.
  s = GetWhole(lookup, "MAX_STRING_BYTES", 1, kMaxStringLimit,
               "is not a byte count (expected 1..1073741824, the most "
               "bytes of UTF-8 one string value may hold)",
               &c.max_string_bytes);
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

  if (auto v = Get(lookup, "CORS_ORIGINS")) {
    auto cors = ParseCorsOrigins(*v);
    if (!cors.ok()) return cors.status();
    c.cors = std::move(cors.value());
  }

  return c;
}

}  // namespace lmdbapi::http
