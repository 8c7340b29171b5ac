// SPDX-License-Identifier: Apache-2.0
// src/settings/settings.cc - see settings.h.

#include "settings/settings.h"

#include <charconv>

#include "lmdbapi/schema.h"

namespace lmdbapi::settings {

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

Result<StoreSettings> ParseStoreSettings(const EnvLookup& lookup) {
  StoreSettings c;
  c.env.path = "./var/data";

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

  s = GetWhole(lookup, "LMDB_MAX_READERS", 1, 65536,
               "is not a reader-slot count (expected 1..65536)",
               &c.env.max_readers);
  if (!s.ok()) return s;

  // Any size a body could hold is allowed: a limit above MAX_BODY_BYTES
  // is simply never reached.
  s = GetWhole(lookup, "MAX_STRING_BYTES", 1, kMaxStringLimit,
               "is not a byte count (expected 1..1073741824, the most "
               "bytes of UTF-8 one string value may hold)",
               &c.max_string_bytes);
  if (!s.ok()) return s;

  return c;
}

}  // namespace lmdbapi::settings
