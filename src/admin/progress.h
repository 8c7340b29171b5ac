// SPDX-License-Identifier: Apache-2.0
// src/admin/progress.h - one self-rewriting status line on a terminal.
//
// Long exports, imports, backups and reindexes show how far they are:
//
//   export permits: 120,000 of 400,000 records (30%)
//
// redrawn in place (carriage return, erase to end of line) at most ten
// times a second, so drawing costs nothing next to the work. Disabled (the
// output is not a terminal) it writes nothing at all: a log file never
// fills with carriage returns.

#ifndef LMDBAPI_ADMIN_PROGRESS_H_
#define LMDBAPI_ADMIN_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "lmdbapi/admin.h"

namespace lmdbapi::admin {

class ProgressLine {
 public:
  enum class Unit { kCount, kBytes };

  // `noun` follows counts ("records", "indexes"); unused for bytes.
  ProgressLine(std::ostream* out, bool enabled, std::string label, Unit unit,
               std::string noun = {});
  ~ProgressLine();  // Finish()

  // done of total (0: unknown). Draws if enabled and due.
  void Update(std::uint64_t done, std::uint64_t total);
  // A callback for the library's long operations.
  Progress Callback() {
    return [this](std::uint64_t d, std::uint64_t t) { Update(d, t); };
  }
  // Draws the last state and ends the line; later calls do nothing.
  void Finish();

  // "1,234,567"; "12.3 MiB". Shared with the commands' summaries.
  static std::string Count(std::uint64_t n);
  static std::string Bytes(std::uint64_t n);

 private:
  void Draw();

  std::ostream* out_;
  bool enabled_;
  std::string label_;
  Unit unit_;
  std::string noun_;
  std::uint64_t done_ = 0, total_ = 0;
  bool drawn_ = false, finished_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace lmdbapi::admin

#endif  // LMDBAPI_ADMIN_PROGRESS_H_
