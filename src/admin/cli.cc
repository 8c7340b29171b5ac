// SPDX-License-Identifier: Apache-2.0
// src/admin/cli.cc - the command table, help, and the settings every
// command shares.

#include "admin/cli.h"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "admin/commands.h"
#include "lmdbapi/status.h"

namespace lmdbapi::admin {
namespace {

constexpr const char* kUsage =
    "usage: lmdbapi-admin [--path DIR] COMMAND [ARGS...]\n";

constexpr const char* kAbout =
    "\n"
    "Works on an lmdb-api LMDB environment directly, also while\n"
    "lmdbapi-worker serves it (LMDB lets several processes share one).\n"
    "The environment is --path DIR, else $LMDB_PATH, else ./var/data;\n"
    "LMDB_MAP_SIZE_GB, LMDB_MAX_READERS and DURABILITY are read as the\n"
    "worker reads them, so load the worker's settings first, e.g.\n"
    "  set -a; . /etc/lmdb-api/lmdb-api.env; set +a\n"
    "\n"
    "commands:\n";

constexpr const char* kFooter =
    "\n"
    "`lmdbapi-admin COMMAND --help` describes a command and its options.\n"
    "Exit status: 0 done; 1 a problem was found or hit; 2 bad usage or a\n"
    "bad setting.\n";

const OptionSpec kPathOption{"path", true};
const OptionSpec kHelpOption{"help", false};

void PrintHelp(std::ostream& out) {
  out << kUsage << kAbout;
  for (const Command& c : Commands())
    out << "  " << c.synopsis << "\n";
  out << kFooter;
}

void PrintCommandHelp(std::ostream& out, const Command& c) {
  out << "usage: lmdbapi-admin [--path DIR] " << c.synopsis << "\n\n"
      << c.help;
}

const Command* FindCommand(const std::string& name) {
  for (const Command& c : Commands())
    if (name == c.name) return &c;
  return nullptr;
}

// Position of the command word: the first operand that is not the value of
// a global --path. -1 if none.
int CommandPosition(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--path") {
      ++i;
      continue;
    }
    if (a.compare(0, 2, "--") != 0) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

int Run(const std::vector<std::string>& args, const Io& io) {
  std::ostream& out = *io.out;
  std::ostream& err = *io.err;
  int at = CommandPosition(args);
  if (at < 0) {
    bool asked = std::find(args.begin(), args.end(), "--help") != args.end();
    PrintHelp(asked ? out : err);
    return asked ? 0 : 2;
  }
  std::string name = args[at];
  std::vector<std::string> rest(args.begin(), args.begin() + at);
  rest.insert(rest.end(), args.begin() + at + 1, args.end());

  if (name == "help") {
    auto parsed = ParseArgs(rest, {kPathOption, kHelpOption});
    if (parsed.ok() && !parsed->operands.empty()) {
      const Command* c = FindCommand(parsed->operands[0]);
      if (c == nullptr) {
        err << "lmdbapi-admin: no command \"" << parsed->operands[0]
            << "\"\n" << kUsage;
        return 2;
      }
      PrintCommandHelp(out, *c);
      return 0;
    }
    PrintHelp(out);
    return 0;
  }

  const Command* command = FindCommand(name);
  if (command == nullptr) {
    err << "lmdbapi-admin: no command \"" << name << "\"\n";
    PrintHelp(err);
    return 2;
  }
  std::vector<OptionSpec> specs = command->options;
  specs.push_back(kPathOption);
  specs.push_back(kHelpOption);
  auto parsed = ParseArgs(rest, specs);
  if (!parsed.ok()) {
    err << "lmdbapi-admin " << name << ": " << parsed.status().message()
        << "\n" << "usage: lmdbapi-admin [--path DIR] " << command->synopsis
        << "\n";
    return 2;
  }
  if (parsed->Has("help")) {
    PrintCommandHelp(out, *command);
    return 0;
  }

  auto config = settings::ParseStoreSettings(io.getenv);
  if (!config.ok()) {
    err << "lmdbapi-admin: " << config.status().message() << "\n";
    return 2;
  }
  Context ctx;
  ctx.io = &io;
  ctx.command = command;
  ctx.args = std::move(parsed.value());
  ctx.options = config->env;
  ctx.max_string_bytes = config->max_string_bytes;
  if (auto path = ctx.args.Get("path")) {
    if (path->empty()) {
      err << "lmdbapi-admin: --path is empty\n";
      return 2;
    }
    ctx.options.path = *path;
  }
  return command->run(ctx);
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"stats", "stats",
       "Entries, B-tree depth, pages and bytes of every table, index and\n"
       "link database (mdb_stat's facts under the schema's names), then the\n"
       "map's use and the reader slots in use by all processes.\n",
       {},
       RunStats},
      {"check", "check [--max-problems N]",
       "Checks, in one consistent snapshot, that every index entry names a\n"
       "record holding that key, every record has all its index entries,\n"
       "every child's parent exists and links to it, and every link names a\n"
       "child that points back. Prints one line per problem:\n"
       "  <database> <uuid>: <what is wrong>\n"
       "then a summary. `reindex` repairs index problems.\n"
       "\n"
       "  --max-problems N  print at most N problem lines (default 100,\n"
       "                    0 for all); all are counted\n"
       "\n"
       "Exit status 1 if any problem was found.\n",
       {{"max-problems", true}},
       RunCheck},
      {"export", "export TABLE|all [--stored-schema]",
       "Writes records as NDJSON on stdout, one per line, in uuid order,\n"
       "each the JSON object the HTTP API returns for the record (uuid and\n"
       "revision first). `all` writes every table, parents before children,\n"
       "from one snapshot, each line with a \"table\" member first:\n"
       "  {\"table\":\"permits\",\"uuid\":\"...\",\"revision\":1,...}\n"
       "`import all` reads exactly that back.\n"
       "\n"
       "  --stored-schema  read the data with the schema stored in the\n"
       "                   environment instead of the compiled one: the\n"
       "                   first step of a migration when this build's\n"
       "                   schema refuses the environment\n",
       {{"stored-schema", false}},
       RunExport},
      {"import", "import TABLE|all [FILE] [--batch N]",
       "Reads NDJSON (FILE, or stdin if absent or \"-\") into TABLE, or\n"
       "with `all` into the table each line's \"table\" member names. Each\n"
       "line is validated exactly as the HTTP API validates a POST body,\n"
       "except that \"uuid\" and \"revision\" are kept when present (an\n"
       "export imports as it was). A bad line (invalid JSON or record, a\n"
       "taken UNIQUE key or uuid, a missing parent) is reported on stderr\n"
       "as `line N: why` and skipped; the good lines are imported. Blank\n"
       "lines are skipped. Creates the environment if it does not exist.\n"
       "Strings are held to MAX_STRING_BYTES (and the schema's MAX_BYTES)\n"
       "as the worker holds them; raise it to import longer old values.\n"
       "\n"
       "  --batch N  records per write transaction (default 1000): fewer\n"
       "             fsyncs, but the worker's writes wait for each batch\n"
       "\n"
       "Exit status 1 if any line was bad or a batch failed to commit.\n",
       {{"batch", true}},
       RunImport},
      {"backup", "backup DIR",
       "Writes a consistent, compacted copy of the environment to\n"
       "DIR/data.mdb (mdb_copy -c), while writers keep running. DIR is\n"
       "created if needed and must not hold a data.mdb already. Open the\n"
       "copy as any environment (--path DIR), e.g. to `check` it.\n",
       {},
       RunBackup},
      {"reindex", "reindex [TABLE [INDEX]]",
       "Rebuilds indexes from their tables: all of them, every index of\n"
       "TABLE, or one. One write transaction: readers see the old indexes\n"
       "until it commits, and a UNIQUE index that the data violates leaves\n"
       "everything as it was (exit status 1).\n",
       {},
       RunReindex},
  };
  return commands;
}

void Fail(const Context& ctx, const std::string& message) {
  ctx.err() << "lmdbapi-admin " << ctx.command->name << ": " << message
            << "\n";
}

std::unique_ptr<Env> OpenEnv(const Context& ctx, bool must_exist,
                             const Schema& schema) {
  const std::string& path = ctx.options.path;
  std::error_code ec;
  if (must_exist &&
      !std::filesystem::exists(std::filesystem::path(path) / "data.mdb", ec)) {
    Fail(ctx, "no LMDB environment at " + path +
                  " (no data.mdb); give --path or set LMDB_PATH");
    return nullptr;
  }
  auto env = Env::Open(ctx.options, schema);
  if (env.ok()) return std::move(env.value());
  const Status& s = env.status();
  // The worker logs the same "cannot open LMDB_PATH ...: <message>".
  Fail(ctx, "cannot open LMDB_PATH " + path + ": " + s.message());
  if (s.code() == Status::Code::kSchemaMismatch)
    ctx.err() << "To migrate to this build's schema:\n"
              << "  lmdbapi-admin --path " << path
              << " export all --stored-schema > dump.ndjson\n"
              << "(reads the data with the schema it was written with),\n"
              << "edit dump.ndjson to the new schema (e.g. with jq), then\n"
              << "  lmdbapi-admin --path NEW_DIR import all dump.ndjson\n"
              << "and point LMDB_PATH at NEW_DIR.\n";
  return nullptr;
}

std::vector<const TableDesc*> ParentsFirst(const Schema& schema) {
  std::vector<const TableDesc*> out;
  std::vector<bool> placed(schema.tables.size(), false);
  // Schemas are small and acyclic (Validate): place every table whose
  // parent is placed until all are.
  while (out.size() < schema.tables.size()) {
    std::size_t before = out.size();
    for (const TableDesc& t : schema.tables) {
      if (placed[t.position] || (t.parent >= 0 && !placed[t.parent])) continue;
      placed[t.position] = true;
      out.push_back(&t);
    }
    if (out.size() == before) break;  // a cycle Validate let through
  }
  return out;
}

}  // namespace lmdbapi::admin
