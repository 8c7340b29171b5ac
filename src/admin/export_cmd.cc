// SPDX-License-Identifier: Apache-2.0
// src/admin/export_cmd.cc - `lmdbapi-admin export`: tables as NDJSON.
//
// Every line is AppendRecordJson's output, the bytes the HTTP API sends
// for the record, so an export is what a client paging through GET
// /api/<table> would have seen, taken from one snapshot. `all` puts a
// "table" member in front, which `import all` strips again.

#include <ostream>
#include <string>

#include "admin/commands.h"
#include "admin/progress.h"
#include "json/record_json.h"
#include "lmdbapi/admin.h"

namespace lmdbapi::admin {
namespace {

// Lines are gathered and written in blocks of about this size.
constexpr std::size_t kFlushBytes = 64 * 1024;

}  // namespace

int RunExport(Context& ctx) {
  if (ctx.args.operands.size() != 1) {
    Fail(ctx, "name one TABLE, or all");
    return 2;
  }
  const std::string& what = ctx.args.operands[0];
  bool all = what == "all";

  Schema schema = Schema::Compiled();
  if (ctx.args.Has("stored-schema")) {
    auto stored = ReadStoredSchema(ctx.options.path);
    if (!stored.ok()) {
      Fail(ctx, stored.status().message());
      return 1;
    }
    schema = std::move(stored.value());
  }
  std::vector<const TableDesc*> tables;
  if (all) {
    tables = ParentsFirst(schema);
  } else if (const TableDesc* t = schema.FindTable(what)) {
    tables.push_back(t);
  } else {
    Fail(ctx, "no table \"" + what + "\" in the schema (tables: " +
                  [&] {
                    std::string names;
                    for (const TableDesc& d : schema.tables)
                      names += (names.empty() ? "" : ", ") + d.name;
                    return names;
                  }() + ")");
    return 2;
  }

  std::unique_ptr<Env> env = OpenEnv(ctx, true, schema);
  if (env == nullptr) return 1;
  // Descriptors of the Env's own copy of the schema: the ones it indexes by.
  const Schema& s = env->schema();
  auto snapshot = Snapshot::Begin(*env);
  if (!snapshot.ok()) {
    Fail(ctx, snapshot.status().message());
    return 1;
  }
  Snapshot& snap = *snapshot.value();

  std::uint64_t total = 0, done = 0;
  for (const TableDesc* t : tables) {
    auto n = snap.Count(s.tables[t->position]);
    if (n.ok()) total += n.value();
  }
  ProgressLine progress(&ctx.err(), ctx.io->progress,
                        "export " + what, ProgressLine::Unit::kCount,
                        "records");
  std::ostream& out = ctx.out();
  std::string buf;
  for (const TableDesc* t : tables) {
    const TableDesc& table = s.tables[t->position];
    std::string prefix = "{\"table\":\"" + table.name + "\",";
    Status st = snap.Scan(table, [&](const Record& r) {
      std::size_t start = buf.size();
      http::AppendRecordJson(r, table, &buf);
      if (all) buf.replace(start, 1, prefix);
      buf += '\n';
      progress.Update(++done, total);
      if (buf.size() >= kFlushBytes) {
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        buf.clear();
      }
      return static_cast<bool>(out);
    });
    if (!st.ok()) {
      progress.Finish();
      Fail(ctx, st.message());
      return 1;
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
  progress.Finish();
  if (!out) {
    Fail(ctx, "writing the output failed");
    return 1;
  }
  return 0;
}

}  // namespace lmdbapi::admin
