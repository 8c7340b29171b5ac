// SPDX-License-Identifier: Apache-2.0
// src/admin/stats_cmd.cc - `lmdbapi-admin stats`: mdb_stat's facts under
// the schema's names.

#include <cstdio>
#include <ostream>

#include "admin/commands.h"
#include "admin/progress.h"

namespace lmdbapi::admin {

int RunStats(Context& ctx) {
  if (!ctx.args.operands.empty()) {
    Fail(ctx, "takes no operands");
    return 2;
  }
  std::unique_ptr<Env> env = OpenEnv(ctx, true);
  if (env == nullptr) return 1;
  auto stats = env->Stat();
  if (!stats.ok()) {
    Fail(ctx, stats.status().message());
    return 1;
  }
  const EnvStats& s = stats.value();
  std::ostream& out = ctx.out();
  double used_pct = s.map_size == 0 ? 0 : 100.0 * s.used_bytes / s.map_size;
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.1f%%", used_pct);
  out << "environment  " << ctx.options.path << "\n"
      << "map          " << ProgressLine::Bytes(s.used_bytes) << " used of "
      << ProgressLine::Bytes(s.map_size) << " (" << pct << "), page size "
      << s.page_size << "\n"
      << "readers      " << s.readers_in_use << " of " << s.max_readers
      << " slots in use (all processes)\n"
      << "last txn     " << s.last_txn_id << "\n"
      << "schema       " << env->schema().FingerprintHash() << "\n\n";

  std::size_t width = 8;
  for (const DbStats& d : s.dbs) width = std::max(width, d.name.size());
  char line[256];
  std::snprintf(line, sizeof line, "%-*s %12s %5s %10s %10s %10s %12s\n",
                static_cast<int>(width), "database", "entries", "depth",
                "branch", "leaf", "overflow", "bytes");
  out << line;
  for (const DbStats& d : s.dbs) {
    std::uint64_t pages = d.branch_pages + d.leaf_pages + d.overflow_pages;
    std::snprintf(line, sizeof line,
                  "%-*s %12llu %5u %10llu %10llu %10llu %12llu\n",
                  static_cast<int>(width), d.name.c_str(),
                  static_cast<unsigned long long>(d.entries), d.depth,
                  static_cast<unsigned long long>(d.branch_pages),
                  static_cast<unsigned long long>(d.leaf_pages),
                  static_cast<unsigned long long>(d.overflow_pages),
                  static_cast<unsigned long long>(pages * s.page_size));
    out << line;
  }
  return out ? 0 : 1;
}

}  // namespace lmdbapi::admin
