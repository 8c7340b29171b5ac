// SPDX-License-Identifier: Apache-2.0
// src/admin/cli.h - lmdbapi-admin as a function: arguments in, exit status
// out.
//
// admin_main.cc passes the process's streams and environment; the tests
// pass string streams and a map, and so run every command in-process.
//
//   lmdbapi-admin [--path DIR] COMMAND [ARGS...]      see Run's --help
//
// Exit status: 0 done; 1 the command found or hit a problem (a check
// mismatch, a bad import line, an unopenable environment); 2 bad usage or
// a bad setting.

#ifndef LMDBAPI_ADMIN_CLI_H_
#define LMDBAPI_ADMIN_CLI_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "settings/settings.h"

namespace lmdbapi::admin {

struct Io {
  std::istream* in = nullptr;   // import's input when no FILE is named
  std::ostream* out = nullptr;  // export's NDJSON, stats, reports
  std::ostream* err = nullptr;  // diagnostics and the progress line
  // Draw a progress line on *err for long runs (the binary: isatty(2)).
  bool progress = false;
  // LMDB_PATH, LMDB_MAP_SIZE_GB, LMDB_MAX_READERS, DURABILITY...: the
  // store settings the worker reads too (settings/settings.h), so both
  // open the environment alike.
  settings::EnvLookup getenv;
};

// args excludes the program name.
int Run(const std::vector<std::string>& args, const Io& io);

}  // namespace lmdbapi::admin

#endif  // LMDBAPI_ADMIN_CLI_H_
