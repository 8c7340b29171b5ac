// SPDX-License-Identifier: Apache-2.0
// src/admin/backup_cmd.cc - `lmdbapi-admin backup DIR`.

#include <ostream>

#include "admin/commands.h"
#include "admin/progress.h"
#include "lmdbapi/admin.h"

namespace lmdbapi::admin {

int RunBackup(Context& ctx) {
  if (ctx.args.operands.size() != 1) {
    Fail(ctx, "name the directory to write the copy to");
    return 2;
  }
  const std::string& dir = ctx.args.operands[0];
  std::unique_ptr<Env> env = OpenEnv(ctx, true);
  if (env == nullptr) return 1;
  std::uint64_t size = 0, seq = 0;
  ProgressLine progress(&ctx.err(), ctx.io->progress, "backup",
                        ProgressLine::Unit::kBytes);
  Status s = Backup(*env, dir, [&](std::uint64_t done, std::uint64_t total) {
    size = done;
    progress.Update(done, total);
  }, &seq);
  progress.Finish();
  if (!s.ok()) {
    Fail(ctx, s.message());
    return 1;
  }
  ctx.out() << "backed up " << ctx.options.path << " to " << dir
            << "/data.mdb (" << ProgressLine::Bytes(size) << ", compacted)\n"
            << "change feed seq " << seq << " (in " << dir
            << "/changes-seq): follow the feed from after=" << seq << "\n";
  return 0;
}

}  // namespace lmdbapi::admin
