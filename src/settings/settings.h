// SPDX-License-Identifier: Apache-2.0
// src/settings/settings.h - reading settings from the environment, and the
// settings every program that opens the store reads alike.
//
// The worker (http/config.h) and lmdbapi-admin both open the environment
// from the same variables, so they parse them here, apart from the HTTP
// library: the admin tool links this and the store, never http/. Every
// setting is an environment variable with a default; an empty variable
// counts as unset. Parsing is a pure function of a getenv-like lookup (the
// tests feed it maps, the programs ::getenv). A bad value is an error
// naming the variable, quoting the value and saying what is expected.
//
//   LMDB_PATH         ./var/data       the environment's directory
//   LMDB_MAP_SIZE_GB  1                starting map size, 1..1024 GiB
//   LMDB_MAP_SIZE_MB  (unset)          map size in MiB; wins over _GB (tests)
//   LMDB_MAP_MAX_GB   (start size)     most the map grows to, 1..1024 GiB,
//                                      at least the starting size
//   LMDB_MAP_MAX_MB   (unset)          the same in MiB; wins over _GB
//   LMDB_MAX_READERS  126              reader slots (the worker: must
//                                      exceed WORKER_THREADS)
//   DURABILITY        sync             sync | nometasync | nosync (env.h)
//   WRITE_BATCH_MAX   256              most writes one group commit carries,
//                                      1..256; 1 = one commit (and fsync)
//                                      per write (Options::max_batch_writes)
//   MAX_STRING_BYTES  65536            most bytes (UTF-8) a STRING value may
//                                      hold, 1..1073741824, in a body, a
//                                      filter or an imported line (400
//                                      naming the field); a field's
//                                      MAX_BYTES row in the .def wins
//
// The worker's own settings are listed in http/config.h.

#ifndef LMDBAPI_SETTINGS_SETTINGS_H_
#define LMDBAPI_SETTINGS_SETTINGS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

namespace lmdbapi::settings {

inline constexpr std::size_t kDefaultMaxStringBytes = 65536;

// Returns the value of an environment variable, or nullptr if unset.
using EnvLookup = std::function<const char*(const char* name)>;

// What opening and writing the store needs, as the worker and the admin
// tool both read it.
struct StoreSettings {
  Options env;  // path, map size and growth, readers, durability, batch
  std::size_t max_string_bytes = kDefaultMaxStringBytes;
};

// Errors: kInvalidArgument, subject = the variable's name.
Result<StoreSettings> ParseStoreSettings(const EnvLookup& lookup);

// The parts a program's own settings are read with.

// The variable's value, or nullopt if unset or empty.
std::optional<std::string_view> Get(const EnvLookup& lookup,
                                    const char* name);

// kInvalidArgument naming `name`: NAME: "value" what.
Status Bad(const char* name, std::string_view value, std::string_view what);

// A decimal whole number in [lo, hi], no sign, no spaces, into *out.
bool ParseWhole(std::string_view text, std::uint64_t lo, std::uint64_t hi,
                std::uint64_t* out);

// The whole-number setting `name`, if set: its value in [lo, hi], times
// 2^shift (MiB, GiB), into *out; unset leaves *out alone. A value that is
// not one is an error whose message names the setting and ends with `what`.
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

}  // namespace lmdbapi::settings

#endif  // LMDBAPI_SETTINGS_SETTINGS_H_
