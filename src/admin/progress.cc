// SPDX-License-Identifier: Apache-2.0
// src/admin/progress.cc - see progress.h.

#include "admin/progress.h"

#include <cstdio>
#include <ostream>

namespace lmdbapi::admin {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(100);

}  // namespace

ProgressLine::ProgressLine(std::ostream* out, bool enabled, std::string label,
                           Unit unit, std::string noun)
    : out_(out), enabled_(enabled && out != nullptr), label_(std::move(label)),
      unit_(unit), noun_(std::move(noun)) {}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Update(std::uint64_t done, std::uint64_t total) {
  done_ = done;
  total_ = total;
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < kRedrawEvery) return;
  last_ = now;
  Draw();
}

void ProgressLine::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_ || !drawn_) return;
  Draw();
  *out_ << '\n' << std::flush;
}

void ProgressLine::Draw() {
  drawn_ = true;
  std::string line = "\r" + label_ + ": ";
  if (unit_ == Unit::kBytes) {
    line += Bytes(done_);
    if (total_ > 0) line += " of about " + Bytes(total_);
  } else {
    line += Count(done_);
    if (total_ > 0) line += " of " + Count(total_);
    if (!noun_.empty()) line += " " + noun_;
  }
  if (total_ > 0) {
    std::uint64_t pct = done_ >= total_ ? 100 : done_ * 100 / total_;
    line += " (" + std::to_string(pct) + "%)";
  }
  line += "\x1b[K";  // erase what a longer earlier line left
  *out_ << line << std::flush;
}

std::string ProgressLine::Count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string ProgressLine::Bytes(std::uint64_t n) {
  static const char* const kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  if (n < 1024) return std::to_string(n) + " bytes";
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

}  // namespace lmdbapi::admin
