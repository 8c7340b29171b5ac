// SPDX-License-Identifier: Apache-2.0
// src/admin/reindex_cmd.cc - `lmdbapi-admin reindex [TABLE [INDEX]]`.

#include <ostream>

#include "admin/commands.h"
#include "admin/progress.h"
#include "lmdbapi/admin.h"

namespace lmdbapi::admin {

int RunReindex(Context& ctx) {
  const std::vector<std::string>& ops = ctx.args.operands;
  if (ops.size() > 2) {
    Fail(ctx, "takes at most a TABLE and an INDEX");
    return 2;
  }
  std::string table = ops.size() > 0 ? ops[0] : "";
  std::string index = ops.size() > 1 ? ops[1] : "";
  std::unique_ptr<Env> env = OpenEnv(ctx, true);
  if (env == nullptr) return 1;
  std::uint64_t rebuilt = 0;
  ProgressLine progress(&ctx.err(), ctx.io->progress, "reindex",
                        ProgressLine::Unit::kCount, "indexes");
  Status s = Reindex(*env, table, index,
                     [&](std::uint64_t done, std::uint64_t total) {
                       rebuilt = done;
                       progress.Update(done, total);
                     });
  progress.Finish();
  if (!s.ok()) {
    Fail(ctx, s.message());
    return s.code() == Status::Code::kInvalidArgument ? 2 : 1;
  }
  ctx.out() << "rebuilt " << rebuilt << (rebuilt == 1 ? " index" : " indexes")
            << "\n";
  return 0;
}

}  // namespace lmdbapi::admin
