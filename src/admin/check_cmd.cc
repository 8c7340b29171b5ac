// SPDX-License-Identifier: Apache-2.0
// src/admin/check_cmd.cc - `lmdbapi-admin check`: the consistency report.

#include <ostream>

#include "admin/commands.h"
#include "admin/progress.h"
#include "lmdbapi/admin.h"

namespace lmdbapi::admin {

int RunCheck(Context& ctx) {
  if (!ctx.args.operands.empty()) {
    Fail(ctx, "takes no operands");
    return 2;
  }
  auto max = WholeOption(ctx.args, "max-problems", 100, 0, UINT64_MAX);
  if (!max.ok()) {
    Fail(ctx, max.status().message());
    return 2;
  }
  std::unique_ptr<Env> env = OpenEnv(ctx, true);
  if (env == nullptr) return 1;

  std::ostream& out = ctx.out();
  std::uint64_t shown = 0;
  ProgressLine progress(&ctx.err(), ctx.io->progress, "check",
                        ProgressLine::Unit::kCount, "entries");
  auto summary = Check(
      *env,
      [&](const CheckProblem& p) {
        if (max.value() != 0 && shown >= max.value()) return;
        ++shown;
        progress.Finish();  // a problem line must not share the progress line
        out << p.db << " " << (p.uuid.empty() ? "-" : p.uuid) << ": "
            << p.what << "\n";
      },
      progress.Callback());
  progress.Finish();
  if (!summary.ok()) {
    Fail(ctx, summary.status().message());
    return 1;
  }
  const CheckSummary& s = summary.value();
  if (s.problems > shown)
    out << "... and " << (s.problems - shown) << " more\n";
  out << "checked " << s.records << " records, " << s.index_entries
      << " index entries, " << s.links << " links: ";
  if (s.problems == 0) {
    out << "no problems\n";
    return 0;
  }
  out << s.problems << (s.problems == 1 ? " problem" : " problems")
      << " (`lmdbapi-admin reindex` rebuilds indexes from the tables)\n";
  return 1;
}

}  // namespace lmdbapi::admin
