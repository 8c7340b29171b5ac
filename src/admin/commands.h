// SPDX-License-Identifier: Apache-2.0
// src/admin/commands.h - what every lmdbapi-admin command gets, and the
// commands themselves (one file each: stats_cmd.cc, check_cmd.cc, ...).

#ifndef LMDBAPI_ADMIN_COMMANDS_H_
#define LMDBAPI_ADMIN_COMMANDS_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "admin/args.h"
#include "admin/cli.h"
#include "lmdbapi/env.h"
#include "lmdbapi/schema.h"

namespace lmdbapi::admin {

struct Command;

struct Context {
  const Io* io = nullptr;
  const Command* command = nullptr;
  Args args;        // the command's operands (after its name) and options
  Options options;  // the worker's settings, path from --path if given
  // MAX_STRING_BYTES, which `import` keeps as the HTTP API does.
  std::size_t max_string_bytes = 0;

  std::ostream& out() const { return *io->out; }
  std::ostream& err() const { return *io->err; }
};

struct Command {
  const char* name;
  const char* synopsis;  // the usage line after "lmdbapi-admin"
  const char* help;      // what it does, its options, its exit status
  std::vector<OptionSpec> options;  // besides --path and --help
  int (*run)(Context& ctx);
};

// In the order `lmdbapi-admin --help` lists them.
const std::vector<Command>& Commands();

// Opens the environment at ctx.options.path for `schema`. On failure prints
// why on err (for a schema mismatch, the library's message and the export/
// import way to migrate) and returns null. must_exist: refuse to create a
// new environment (every command but import).
std::unique_ptr<Env> OpenEnv(const Context& ctx, bool must_exist,
                             const Schema& schema = Schema::Compiled());

// Prints "lmdbapi-admin <command>: <message>" on err.
void Fail(const Context& ctx, const std::string& message);

// The tables in an order where every parent comes before its children.
std::vector<const TableDesc*> ParentsFirst(const Schema& schema);

int RunStats(Context& ctx);
int RunCheck(Context& ctx);
int RunExport(Context& ctx);
int RunImport(Context& ctx);
int RunBackup(Context& ctx);
int RunReindex(Context& ctx);

}  // namespace lmdbapi::admin

#endif  // LMDBAPI_ADMIN_COMMANDS_H_
